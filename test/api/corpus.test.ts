// The regression corpus shipped in test/data/corpus.jsonl: one shrunk entry per planted bug of
// every system; each fails as recorded with its bug on and passes with it off. A tampered entry
// is reported, and the format is checked.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkEntry, CorpusFormatError, parseCorpus } from "../../src/api/corpus.js";
import { getSystem, systems } from "../../src/api/index.js";

const FILE = join(import.meta.dirname, "..", "data", "corpus.jsonl");
const entries = parseCorpus(readFileSync(FILE, "utf8"), FILE);

describe("the shipped corpus", () => {
  it("has one entry per planted bug of every system, each recorded to pass without its bug", () => {
    const want = systems.names().flatMap((s) => getSystem(s).bugs.map((b) => `${s}/${b.name}`)).sort();
    expect(entries.map(({ entry }) => `${entry.system}/${entry.run.bugs.join(",")}`).sort()).toEqual(want);
    for (const { entry } of entries) expect(entry.withoutBugs).toBe("ok");
  });

  for (const { line, entry } of entries) {
    it(`${entry.system} ${entry.run.bugs.join(", ")} (line ${line}): ${entry.expect.check} with the bug, ok without`, () => {
      const c = checkEntry(line, entry);
      expect(c.problems).toEqual([]);
      expect(c.ok).toBe(true);
    });
  }

  it("an entry that no longer behaves as recorded is reported", () => {
    const { line, entry } = entries.find(({ entry }) => entry.run.bugs[0] === "count-stale-vote")!;
    const other = checkEntry(line, { ...entry, expect: { verdict: "violation", check: "vote-once" } });
    expect(other.ok).toBe(false);
    expect(other.problems[0]).toMatch(/^expected violation: vote-once, got violation: election-legitimacy /);
    // A run that passes even with the bug: the bug's fault is gone.
    const healed = checkEntry(line, { ...entry, run: { ...entry.run, faults: [{ at: 1000, kind: "heal-all" }] } });
    expect(healed.ok).toBe(false);
    // Recorded to pass without the bug, but the "fix" is the bug itself.
    const notFixed = checkEntry(line, { ...entry, withoutBugs: "violation" });
    expect(notFixed.problems).toEqual(["without bugs count-stale-vote: expected violation, got ok"]);
  });

  it("rejects malformed lines with the file and line", () => {
    expect(() => parseCorpus("// a comment\n\n{nope", "c.jsonl")).toThrow(/^c\.jsonl:3: not JSON/);
    expect(() => parseCorpus(`{"system":"raft-metadata","seed":1}`, "c.jsonl")).toThrow(CorpusFormatError);
  });
});
