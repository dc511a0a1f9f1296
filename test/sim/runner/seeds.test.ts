// Every fork label in src/ is in the seed-stream table, and every table entry is used.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SEED_STREAMS } from "../../../src/sim/runner/seeds.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** `fork("x")` / fork(`x/${y}`) → "x" / "x/<>": template holes become "<>". */
function forkLabels(): Set<string> {
  const out = new Set<string>();
  for (const f of files(join(ROOT, "src"))) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/\.fork\(\s*(["'`])((?:(?!\1).)*)\1\s*\)/g)) out.add(m[2].replace(/\$\{[^}]*\}/g, "<>"));
  }
  return out;
}

const normal = (label: string) => label.replace(/<[^>]*>/g, "<>");

describe("seed-stream table (src/sim/runner/seeds.ts)", () => {
  it("lists every label src/ forks, and nothing it does not", () => {
    const used = forkLabels();
    const listed = new Set(SEED_STREAMS.map((s) => normal(s.label)));
    expect([...used].filter((l) => !listed.has(l)), "fork labels missing from the table").toEqual([]);
    expect([...listed].filter((l) => !used.has(l)), "table entries no code forks").toEqual([]);
  });

  it("names a known parent for every stream", () => {
    const labels = new Set(SEED_STREAMS.map((s) => s.label));
    for (const s of SEED_STREAMS) expect(s.parent === "root" || labels.has(s.parent), `${s.label} ← ${s.parent}`).toBe(true);
  });
});
