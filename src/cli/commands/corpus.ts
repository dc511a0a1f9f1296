// `raftsim corpus FILE`: rerun a regression corpus (JSON lines, as `raftsim sweep
// --save-failures` writes them); exit 1 when an entry no longer behaves as recorded.
import { Command } from "commander";
import { checkEntry, CorpusFormatError, parseCorpus, type CorpusCheck } from "../../api/corpus.js";
import { readFileSync } from "node:fs";
import { describeIoError, InputError, IoError } from "../errors.js";
import { Exit } from "../exit-codes.js";

export function corpusCommand(): Command {
  return new Command("corpus")
    .description("rerun a regression corpus (JSONL from `raftsim sweep --save-failures`): each entry must fail as recorded, and pass with its bugs off when so recorded")
    .argument("<file>", "the corpus, one JSON entry per line")
    .option("--json", "print {entries, failed, results: [{line, system, seed, bugs, ok, expect, got, problems}]}")
    .action((file: string, opts: { json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        throw new IoError(file, `cannot read: ${describeIoError(e)}`);
      }
      let entries;
      try {
        entries = parseCorpus(text, file);
      } catch (e) {
        if (e instanceof CorpusFormatError) throw new InputError(e.where, e.message.slice(e.where.length + 2));
        throw e;
      }
      const results: CorpusCheck[] = [];
      for (const { line, entry } of entries) {
        const c = checkEntry(line, entry);
        results.push(c);
        if (!opts.json) {
          const what = `${entry.system} seed ${entry.seed}${entry.run.bugs.length > 0 ? ` (bug ${entry.run.bugs.join(", ")})` : ""}`;
          process.stdout.write(
            c.ok
              ? `ok    ${file}:${line} ${what}: ${c.got}${c.gotWithoutBugs !== undefined ? `; without the bug: ${c.gotWithoutBugs}` : ""} (${c.events} events)\n`
              : `FAIL  ${file}:${line} ${what}: ${c.problems.join("; ")}\n`,
          );
        }
      }
      const failed = results.filter((r) => !r.ok).length;
      if (opts.json)
        process.stdout.write(
          JSON.stringify({
            entries: results.length,
            failed,
            results: results.map((r) => ({ line: r.line, system: r.entry.system, seed: r.entry.seed, bugs: r.entry.run.bugs, ok: r.ok, expect: r.entry.expect, got: r.got, ...(r.gotWithoutBugs !== undefined ? { gotWithoutBugs: r.gotWithoutBugs } : {}), problems: r.problems, events: r.events })),
          }) + "\n",
        );
      else process.stdout.write(`${results.length - failed} of ${results.length} entries behave as recorded${failed > 0 ? `, ${failed} do NOT` : ""}\n`);
      process.exitCode = failed > 0 ? Exit.violation : Exit.ok;
    });
}
