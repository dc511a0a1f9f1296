// src/impl and src/sim must be deterministic: no host time, host randomness, timers, I/O or
// process. Scan the sources (comments stripped) for the identifiers that would break that.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const FORBIDDEN: [RegExp, string][] = [
  [/\bDate\b/, "Date"],
  [/\bMath\.random\b/, "Math.random"],
  [/\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|queueMicrotask)\b/, "timers"],
  // The globals, not identifiers that happen to share the name (a history's "process" id):
  [/(?<![.\w$])performance\s*[.[]/, "performance"],
  [/(?<![.\w$])process\s*[.[]/, "process"],
  [/\bglobalThis\b/, "globalThis"],
  [/\bhrtime\b/, "hrtime"],
  [/\bcrypto\b/, "crypto"],
  [/\brequire\s*\(/, "require"],
  [/from\s+["'](node:)?(fs|fs\/promises|os|child_process|worker_threads|net|http|https|dgram|crypto|perf_hooks|timers|readline)["']/, "I/O module"],
  [/\bimport\s*\(/, "dynamic import"],
];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Strip comments (keeps line numbers). Good enough for our sources: no "//" inside strings. */
export function stripComments(src: string): string {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

describe("purity of src/impl and src/sim", () => {
  it("no host time, randomness, timers, I/O or process", () => {
    const bad: string[] = [];
    for (const dir of ["src/impl", "src/sim"]) {
      for (const f of files(join(ROOT, dir))) {
        const lines = stripComments(readFileSync(f, "utf8")).split("\n");
        lines.forEach((line, i) => {
          for (const [re, what] of FORBIDDEN) if (re.test(line)) bad.push(`${relative(ROOT, f)}:${i + 1}: ${what}: ${line.trim()}`);
        });
      }
    }
    expect(bad).toEqual([]);
  });

  it("the scanner itself catches offenders", () => {
    const sample = stripComments("const t = Date.now(); // Math.random in a comment is fine\nMath.random();");
    expect(FORBIDDEN[0][0].test(sample.split("\n")[0])).toBe(true);
    expect(FORBIDDEN[1][0].test(sample.split("\n")[0])).toBe(false);
    expect(FORBIDDEN[1][0].test(sample.split("\n")[1])).toBe(true);
    const proc = FORBIDDEN.find(([, w]) => w === "process")![0];
    expect(proc.test("const x = process.env.X;")).toBe(true);
    expect(proc.test("invoke(process: number) { return this.process(); }")).toBe(false);
  });
});
