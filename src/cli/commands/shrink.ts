// `raftsim shrink`: a failing run (a seed with the run's flags) reduced to the smallest run that
// still fails the same way, printed before/after, written as a scenario file that reproduces it
// (checked by running the file), progress on stderr. The engine is src/api/shrink.ts.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command } from "commander";
import { describeFailure, failureOf, MaterialiseError, NotFailingError, sameFailure, shrink, type RunFigures, type ShrinkResult } from "../../api/shrink.js";
import { NoScenarioFormError, scenarioYaml } from "../../api/shrunk-scenario.js";
import { judge, loadScenarioFile } from "../../api/scenarios.js";
import { runOptionsFor, simulate } from "../../api/simulate.js";
import { replayLine, shrinkLine } from "../../api/replay.js";
import { DEFAULT_SYSTEM, getSystem } from "../../api/systems.js";
import { writeReport } from "../../api/report/index.js";
import { formatDuration } from "../../util/duration.js";
import { describeIoError, InputError, IoError, UsageError } from "../errors.js";
import { Exit } from "../exit-codes.js";
import { checkBugs, checkWritable, parseSeed, parseSystem, parseTime, systemFor, withFastFlag } from "../sim-options.js";
import { loadScenarioForCli } from "../scenario-file.js";

interface ShrinkCliOptions {
  seed?: number;
  system?: string;
  bug: string[];
  time?: number;
  everyFault?: boolean;
  scenario?: string;
  budget: number;
  out?: string;
  report?: string;
  json?: boolean;
  progress: boolean;
  /** --no-fast (commander: fast false): raft-metadata's original event model. */
  fast: boolean;
}

const DEFAULT_TIME_US = 30_000_000;

export function registerShrink(program: Command): void {
  program.addCommand(
    new Command("shrink")
      .description("shrink a failing run to the smallest run that fails the same way, and write it as a scenario file")
      .option("--seed <n>", "the failing seed (required unless --scenario gives seeds: then its first)", parseSeed)
      .option("--system <name>", `the system under test (default ${DEFAULT_SYSTEM})`, parseSystem)
      .option("--bug <name>", "a planted bug the run had on (repeatable)", (t: string, prev: string[]) => [...prev, t.trim()], [] as string[])
      .option("--time <duration>", "the run's simulated time (default: the scenario's, else 30s)", parseTime)
      .option("--every-fault", "the run had every fault family on")
      .option("--scenario <name|file>", "the run was of this scenario")
      .option("--budget <duration>", "wall-clock budget of the search, e.g. 30s, 2m (default 2m)", parseTime, 120_000_000)
      .option("--out <file.yaml>", "where to write the shrunk scenario (default shrunk-<system>-seed<N>.yaml)")
      .option("--report <file.html>", "also draw the shrunk run (the written scenario's check run) as a flight-recorder HTML file")
      .option("--no-fast", "raft-metadata: the run was of the original event model (`run --no-fast`, a `sweep --no-fast` seed); the written scenario keeps it (fast: false under raft:)")
      .option("--json", "print {failure, before, after, scenario, replay, ...} on stdout")
      .option("--no-progress", "no progress lines on stderr")
      .action((opts: ShrinkCliOptions) => {
        const scenario = opts.scenario !== undefined ? loadScenarioForCli(opts.scenario) : undefined;
        if (scenario?.scenario.experiment !== undefined) throw new UsageError(`scenario ${scenario.scenario.name} is an experiment (a measurement): there is no failure to shrink`);
        const seed = opts.seed ?? scenario?.scenario.seeds[0];
        if (seed === undefined) throw new UsageError("required option '--seed <n>' not specified");
        const systemName = systemFor(opts.system, scenario?.scenario);
        checkBugs(systemName, opts.bug);
        const timeUs = opts.time ?? scenario?.scenario.timeUs ?? DEFAULT_TIME_US;
        const out = opts.out ?? `shrunk-${systemName}-seed${seed}${opts.bug.length > 0 ? `-${opts.bug.join("-")}` : ""}.yaml`;
        checkWritable(out, "--out");
        if (opts.report !== undefined) checkWritable(opts.report, "--report");
        const system = getSystem(systemName);
        const fastOff = withFastFlag(systemName, opts.fast, undefined);
        const { options } = runOptionsFor({ system: systemName, seed, timeUs, bugs: opts.bug, everyFamily: opts.everyFault, scenario: scenario?.scenario, ...(fastOff !== undefined ? { systemOptions: fastOff } : {}) });
        const started = `raftsim shrink: seed ${seed}`;
        let lastAccepted = 0;
        let r: ShrinkResult;
        try {
          r = shrink(system, options, {
            budgetMs: opts.budget / 1000,
            onProgress: opts.progress
              ? (p) => {
                  if (p.tried % 25 === 0 || p.accepted !== lastAccepted) {
                    lastAccepted = p.accepted;
                    process.stderr.write(`${started}: ${p.pass.padEnd(9)} tried ${p.tried}, kept ${p.accepted}: ${p.faults} faults, ${p.events} events (${(p.elapsedMs / 1000).toFixed(1)}s)\n`);
                  }
                }
              : undefined,
          });
        } catch (e) {
          if (e instanceof NotFailingError) throw new InputError(`seed ${seed}`, `${e.message}`);
          if (e instanceof MaterialiseError) throw new Error(e.message);
          throw e;
        }
        const rerun = shrinkLine({ system: systemName, seed, timeUs, scenarioRef: opts.scenario, bugs: opts.bug, everyFault: opts.everyFault ?? false, ...(fastOff !== undefined ? { systemOptions: fastOff } : {}) });
        let text: string;
        try {
          text = scenarioYaml(system, r.options, {
            name: `shrunk-seed-${seed}`,
            description: `${describeFailure(r.failure)} — shrunk from seed ${seed} (${r.before.faults} faults, ${r.before.events} events) to ${r.after.faults} faults, ${r.after.events} events`,
            expect: r.failure.verdict,
          }, [`Written by: ${rerun}`]);
        } catch (e) {
          if (e instanceof NoScenarioFormError) throw new Error(e.message);
          throw e;
        }
        try {
          writeFileSync(out, text);
        } catch (e) {
          throw new IoError(out, `--out: cannot write: ${describeIoError(e)}`);
        }
        // The file must reproduce the failure: run it as `raftsim run --scenario FILE` would.
        const written = loadScenarioFile(out);
        const check = simulate({ seed, timeUs: written.timeUs, scenario: written, keepTrace: opts.report !== undefined });
        const met = judge(written.expect, check.result.verdict).met && sameFailure(r.failure, failureOf(check.result));
        const replay = replayLine({ system: systemName, seed, timeUs: written.timeUs, scenarioRef: out, bugs: [], everyFault: false }, check.result.traceHash);
        if (opts.report !== undefined) {
          try {
            writeReport(opts.report, check.result, { timeUs: written.timeUs, scenarioRef: out, title: `raftsim ${systemName} seed ${seed}, shrunk: ${describeFailure(r.failure)}` });
          } catch (e) {
            throw new IoError(opts.report, `--report: cannot write: ${describeIoError(e)}`);
          }
        }
        if (opts.json) {
          process.stdout.write(
            JSON.stringify({
              ...(opts.report !== undefined ? { report: opts.report } : {}),
              seed,
              system: systemName,
              bugs: opts.bug,
              failure: r.failure,
              before: r.before,
              after: r.after,
              steps: r.steps,
              accepted: r.accepted,
              wallMs: Math.round(r.wallMs),
              budgetExhausted: r.budgetExhausted,
              exactReplay: r.exactReplay,
              faults: r.options.faults,
              scenario: resolve(out),
              scenarioReproduces: met,
              replay,
              run: `raftsim run --scenario ${out}`,
            }) + "\n",
          );
        } else {
          const row = (label: string, f: RunFigures) =>
            `  ${label.padEnd(7)}${String(f.faults).padStart(7)}${String(f.clients).padStart(9)}${String(f.servers).padStart(9)}${String(f.ops).padStart(7)}${formatDuration(f.simulatedMs * 1000).padStart(11)}${String(f.events).padStart(9)}`;
          process.stdout.write(
            [
              `shrunk seed ${seed} (${systemName}${opts.bug.length > 0 ? `, bug ${opts.bug.join(", ")}` : ""}): ${describeFailure(r.failure)}`,
              `         faults  clients  servers    ops  simulated   events`,
              row("before", r.before),
              row("after", r.after) + `   (${(r.before.events / Math.max(1, r.after.events)).toFixed(1)}x fewer events)`,
              `  ${r.steps} candidates replayed, ${r.accepted} kept, ${(r.wallMs / 1000).toFixed(1)}s${r.budgetExhausted ? " (budget exhausted: the best run so far)" : ""}`,
              `  failure now: ${r.after.message}`,
              `  scenario: ${out} (${met ? `checked: ${check.result.verdict}, as it expects` : `NOT reproduced: ${check.result.verdict}`})`,
              `  run:      raftsim run --scenario ${out}`,
              `  replay:   ${replay}`,
              ...(opts.report !== undefined ? [`  report:   ${opts.report}`] : []),
            ].join("\n") + "\n",
          );
        }
        if (!met) {
          process.stderr.write(`raftsim: the written scenario ${out} does not reproduce the failure (got ${check.result.verdict}: ${check.result.message ?? "-"})\n`);
          process.exitCode = Exit.software;
        }
      }),
  );
}
