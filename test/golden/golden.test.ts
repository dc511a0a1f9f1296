// Golden trace hashes: every run of the golden set (cases.ts) must reproduce its pinned row
// byte for byte. To re-pin on purpose: `npm run golden:update` (GOLDEN_UPDATE=1), which
// rewrites golden.tsv and prints the rows that changed — commit that alone, saying why.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatRow, goldenCases, HEADER } from "./cases.js";

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "golden.tsv");
const UPDATE = process.env.GOLDEN_UPDATE === "1";

describe("golden trace hashes", () => {
  it("every golden run reproduces its pinned row", () => {
    const cases = goldenCases();
    const lines = [HEADER];
    for (const c of cases) lines.push(formatRow({ set: c.set, seed: c.seed, ...c.run() }));
    const text = lines.join("\n") + "\n";
    const pinned = existsSync(FILE) ? readFileSync(FILE, "utf8") : "";
    if (UPDATE) {
      if (text !== pinned) {
        const old = new Set(pinned.split("\n"));
        const changed = lines.filter((l) => !old.has(l));
        writeFileSync(FILE, text);
        console.log(`golden.tsv rewritten: ${changed.length} row(s) new or changed\n${changed.slice(0, 50).join("\n")}`);
      } else console.log("golden.tsv unchanged");
      return;
    }
    expect(pinned, "test/golden/golden.tsv is missing: run `npm run golden:update` to create it").not.toBe("");
    const want = pinned.split("\n");
    const got = text.split("\n");
    const diff: string[] = [];
    for (let i = 0; i < Math.max(want.length, got.length); i++) {
      if (want[i] !== got[i]) diff.push(`row ${i}:\n  pinned ${want[i] ?? "(none)"}\n  now    ${got[i] ?? "(none)"}`);
    }
    expect(diff.length, `golden rows differ (${diff.length}); a refactoring must not move a hash:\n${diff.slice(0, 20).join("\n")}`).toBe(0);
    // ~480 runs: about 15 s on an idle 2-core machine, over a minute on a loaded one. A generous
    // bound, so a busy machine does not fail a test that asserts nothing about time.
  }, 600_000);
});
