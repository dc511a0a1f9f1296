// Every file in the shared corpus gets its expected verdict.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readHistory } from "../../src/check/formats/index.js";
import { checkOperations } from "../../src/check/linearizability.js";
import { getModel } from "../../src/check/models/index.js";
import { readExpected } from "../../src/check/corpus.js";
import { historiesDir } from "../support/histories.js";

const dir = historiesDir(); // throws when the corpus is missing: this test must not pass vacuously
const expected = readExpected(dir);

function listFiles(d: string, rel = ""): string[] {
  return readdirSync(path.join(d, rel)).flatMap((name) => {
    const r = rel ? `${rel}/${name}` : name;
    return statSync(path.join(d, r)).isDirectory() ? listFiles(d, r) : [r];
  });
}

describe("history corpus (test/data/histories)", () => {
  it("expected.tsv lists every history file", () => {
    const files = listFiles(dir).filter((f) => !f.startsWith("LICENSE-") && f !== "README.md" && f !== "expected.tsv");
    expect(files.sort()).toEqual(expected.map((e) => e.file).sort());
    expect(expected.length).toBeGreaterThan(70);
  });

  for (const e of expected) {
    it(`${e.file} is ${e.expected}`, () => {
      const h = readHistory(readFileSync(path.join(dir, e.file), "utf8"), e.file, e.format);
      expect(h.ops.length).toBeGreaterThan(0);
      const model = getModel(h.model);
      expect(model).toBeDefined();
      const r = checkOperations(model!, h.ops, { timeoutMs: 30_000 });
      expect(r.verdict).toBe(e.expected);
      if (r.verdict === "illegal") expect(r.counterexample!.parts.length).toBeGreaterThan(0);
    });
  }
});
