// `raftsim merge FILE...`: the --json reports of sweep shards (--shard k/n) as one report, with
// sweep's exit-code rules; --junit FILE writes it as JUnit XML.
import { readFileSync, writeFileSync } from "node:fs";
import { Command } from "commander";
import { junitXml, mergeReports, MergeError } from "../../api/shard.js";
import type { SweepReport } from "../../api/sweep.js";
import { InputError } from "../errors.js";
import { sweepExit } from "./sweep.js";

export function mergeCommand(): Command {
  return new Command("merge")
    .description("combine the --json reports of sweep shards (sweep --shard k/n --json > FILE) into one report, with sweep's exit codes")
    .argument("<files...>", "shard reports (JSON)")
    .option("--json", "print the merged report as JSON (the shape sweep --json prints)")
    .option("--junit <file>", "also write the merged report as JUnit XML (one test case per failing seed)")
    .action((files: string[], o: { json?: boolean; junit?: string }) => {
      const reports: SweepReport[] = files.map((f) => {
        let text: string;
        try {
          text = readFileSync(f, "utf8");
        } catch (e) {
          throw new InputError(f, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        try {
          return JSON.parse(text) as SweepReport;
        } catch (e) {
          throw new InputError(f, `not JSON: ${(e as Error).message}`);
        }
      });
      let r: SweepReport;
      try {
        r = mergeReports(reports);
      } catch (e) {
        if (e instanceof MergeError) throw new InputError(files.join(" "), e.message);
        throw e;
      }
      if (o.junit !== undefined) writeFileSync(o.junit, junitXml(r));
      if (o.json) process.stdout.write(JSON.stringify(r) + "\n");
      else {
        const v = r.verdicts;
        process.stdout.write(
          `merged ${files.length} report${files.length === 1 ? "" : "s"}: ${r.ran} of ${r.seeds} seeds${r.scenario !== undefined ? ` of scenario ${r.scenario}` : ""}: ` +
            `${v.ok} ok, ${v.violation} violation, ${v.liveness} liveness, ${v.unknown} unknown${r.errors > 0 ? `, ${r.errors} internal error${r.errors === 1 ? "" : "s"}` : ""}\n`,
        );
        for (const f of r.failures.slice(0, 20))
          process.stdout.write(`  seed ${f.seed}: ${f.error !== undefined ? `internal error: ${f.error}` : `${f.verdict}: ${f.message}`}\n    replay: ${f.replay}\n`);
        if (r.failures.length > 20) process.stdout.write(`  ... and ${r.failures.length - 20} more (use --json for all)\n`);
      }
      process.exitCode = sweepExit(r);
    });
}
