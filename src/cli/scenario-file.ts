// Scenario files on disk (the format itself, pure, lives in src/sim/scenario): names resolved
// against the package's scenarios/ directory, files read and validated, CLI errors (bad file →
// InputError, exit 65; unknown name → UsageError, exit 64, listing the available names), the
// exit code of a judged run, and the `raftsim scenarios` command.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import type { Verdict as ClusterVerdict } from "../api/index.js";
import { judge, parseScenarioText, ScenarioError, usToDuration, type Expectation, type Scenario } from "../sim/scenario/index.js";
import { InputError, UsageError } from "./errors.js";
import { Exit, type ExitCode } from "./exit-codes.js";

export const SCENARIO_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

/** The directory holding raftsim's package.json (works from src/ under vitest and from dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "raftsim") return dir;
      } catch {
        /* not ours */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find raftsim's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export function scenariosDir(): string {
  return join(packageRoot(), "scenarios");
}

/** Scenario files in `dir`, by name (file name without extension), sorted. */
export function shippedScenarioFiles(dir: string = scenariosDir()): { name: string; file: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => (SCENARIO_EXTENSIONS as readonly string[]).includes(extname(f).toLowerCase()))
    .sort()
    .map((f) => ({ name: f.slice(0, -extname(f).length), file: join(dir, f) }));
}

export class UnknownScenarioError extends Error {
  constructor(readonly requested: string, readonly available: readonly string[]) {
    super(`unknown scenario "${requested}"; available: ${available.length > 0 ? available.join(", ") : "(none)"} — or give a path to a .yaml/.json file`);
    this.name = "UnknownScenarioError";
  }
}

/** A path, not a name: it has a slash or a scenario extension, or names an existing file. */
export function looksLikePath(ref: string): boolean {
  if (ref.includes("/") || ref.includes("\\") || (SCENARIO_EXTENSIONS as readonly string[]).includes(extname(ref).toLowerCase())) return true;
  return existsSync(ref) && statSync(ref).isFile();
}

/** NAME or PATH → the file to load. Throws UnknownScenarioError for an unknown name. */
export function resolveScenarioRef(ref: string, dir: string = scenariosDir()): string {
  if (looksLikePath(ref)) return resolve(ref);
  const hit = shippedScenarioFiles(dir).find((s) => s.name === ref);
  if (hit === undefined) throw new UnknownScenarioError(ref, shippedScenarioFiles(dir).map((s) => s.name));
  return hit.file;
}

/** Read and validate `file`; errors name it as `display` (default: the path as given). */
export function loadScenarioFile(file: string, display: string = file): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ScenarioError(display, err.code === "ENOENT" ? "no such file" : `cannot read: ${err.message}`);
  }
  return parseScenarioText(text, display);
}

export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly file: string;
}

/** Resolve and load; a scenario found by name must carry that name. Errors name the file as
 * "scenarios/NAME.yaml" for a name, as given for a path. */
export function loadScenarioRef(ref: string, dir: string = scenariosDir()): LoadedScenario {
  const file = resolveScenarioRef(ref, dir);
  const byName = !looksLikePath(ref);
  const display = byName ? `${basename(dir)}/${basename(file)}` : ref;
  const scenario = loadScenarioFile(file, display);
  if (byName && scenario.name !== ref) throw new ScenarioError(`${display}: name`, `"${scenario.name}" does not match the file name "${ref}"`);
  return { scenario, file };
}

export function loadScenarioForCli(ref: string): LoadedScenario {
  try {
    return loadScenarioRef(ref);
  } catch (e) {
    if (e instanceof ScenarioError) throw new InputError(e.where, e.problem);
    if (e instanceof UnknownScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

/** Exit code of a run judged against its scenario: 0 when the verdict is the expected one;
 * otherwise the verdict's own code, and for an unexpected ok the code of what was expected
 * (expected a violation, got ok → 1; expected a liveness failure, got ok → 2). */
export function expectationExit(expect: Expectation, verdict: ClusterVerdict): ExitCode {
  if (judge(expect, verdict).met) return Exit.ok;
  if (verdict === "violation") return Exit.violation;
  if (verdict === "liveness") return Exit.liveness;
  if (verdict === "unknown") return Exit.undecided;
  return expect === "liveness" ? Exit.liveness : Exit.violation;
}

/** "1..20" for a contiguous run of seeds, else a list ("1, 4, 9..12"). */
export function formatSeeds(seeds: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seeds.length; ) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j] + 1) j++;
    parts.push(j === i ? String(seeds[i]) : `${seeds[i]}..${seeds[j]}`);
    i = j + 1;
  }
  return parts.join(", ");
}

function faultsSummary(s: Scenario): string {
  return "swarm" in s.faults ? `swarm [${s.faults.swarm.join(", ")}]` : `schedule of ${s.faults.schedule.length} action(s)`;
}

export function scenariosCommand(): Command {
  return new Command("scenarios")
    .description("list the shipped scenarios (scenarios/*.yaml): name, description, expectation, seeds")
    .option("--json", "print [{name, description, expect, seeds, time, faults, bugs, file}] as JSON")
    .action((o: { json?: boolean }) => {
      const all = shippedScenarioFiles().map((f) => loadScenarioForCli(f.name));
      if (o.json) {
        const rows = all.map(({ scenario: s, file }) => ({
          name: s.name,
          description: s.description,
          ...(s.experiment !== undefined ? { experiment: s.experiment.kind } : {}),
          expect: s.experiment !== undefined ? null : s.expect,
          seeds: formatSeeds(s.seeds),
          time: usToDuration(s.timeUs),
          faults: "swarm" in s.faults ? { swarm: s.faults.swarm } : { schedule: s.faults.schedule.length },
          bugs: s.bugs,
          file,
        }));
        process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
        return;
      }
      const w = Math.max(0, ...all.map((x) => x.scenario.name.length));
      for (const { scenario: s } of all) {
        if (s.experiment !== undefined) {
          // A measurement: no verdict, seeds or faults to show.
          process.stdout.write(`${s.name.padEnd(w)}  experiment ${s.experiment.kind} (${s.experiment.trials} trials per range; run it with \`raftsim run --scenario ${s.name}\`)\n`);
          if (s.description) process.stdout.write(`${" ".repeat(w)}  ${s.description.trim().replace(/\s+/g, " ")}\n`);
          continue;
        }
        process.stdout.write(`${s.name.padEnd(w)}  expect ${s.expect.padEnd(9)} seeds ${formatSeeds(s.seeds).padEnd(8)} ${usToDuration(s.timeUs).padEnd(4)} ${faultsSummary(s)}${s.bugs.length ? `, bugs [${s.bugs.join(", ")}]` : ""}\n`);
        if (s.description) process.stdout.write(`${" ".repeat(w)}  ${s.description.trim().replace(/\s+/g, " ")}\n`);
      }
    });
}
