// The packed package as a user's project sees it: `npm pack` (what npm publishes, `files` and
// `exports` included), the tarball unpacked as node_modules/raftsim of a project in
// .pack-test/, and a vitest file there that imports "raftsim" — a simProperty that passes on
// pingpong, and one with the planted bug that must fail with a pasteable seed and replay
// command. The project's other dependencies resolve from this repository's node_modules (no
// network); scripts/pack-smoke.sh does the same with a real `npm install` of the tarball.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const DIR = join(ROOT, ".pack-test");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");

beforeAll(() => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(join(DIR, "node_modules", "raftsim"), { recursive: true });
  // Pack from a private copy built here, so other test files rebuilding dist/ at the same time
  // cannot hand npm pack a half-written file.
  const src = join(DIR, "package-src");
  mkdirSync(src);
  for (const f of ["package.json", "README.md", "scenarios", "docs"]) cpSync(join(ROOT, f), join(src, f), { recursive: true });
  try {
    execFileSync(process.execPath, [TSC, "-p", join(ROOT, "tsconfig.build.json"), "--outDir", join(src, "dist")], { cwd: ROOT, stdio: "pipe" });
  } catch {
    /* type errors elsewhere: emitted anyway */
  }
  execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", DIR], { cwd: src, stdio: "pipe" });
  const tgz = readdirSync(DIR).find((f) => f.endsWith(".tgz"))!;
  execFileSync("tar", ["-xzf", join(DIR, tgz), "-C", join(DIR, "node_modules", "raftsim"), "--strip-components=1"]);
  writeFileSync(join(DIR, "package.json"), JSON.stringify({ name: "user-project", private: true, type: "module" }));
  writeFileSync(
    join(DIR, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, types: [] }, include: ["user.test.ts", "typed.ts"] }),
  );
  // Types are real: a wrong argument must not type-check.
  writeFileSync(join(DIR, "typed.ts"), `import { simulate } from "raftsim";\n// @ts-expect-error: seed is a number\nsimulate({ system: "pingpong", seed: "1", timeUs: 1 });\n`);
  writeFileSync(join(DIR, "vitest.config.ts"), `export default { test: { include: ["*.test.ts"] } };\n`);
  writeFileSync(
    join(DIR, "user.test.ts"),
    `import { expect, test } from "vitest";
import { buildReport, checkSimProperty, simProperty, simulate } from "raftsim";
test("pingpong holds", () => simProperty({ system: "pingpong", timeMs: 3000, numRuns: 10 }));
test("the planted bug is found", () => {
  const r = checkSimProperty({ system: "pingpong", bugs: ["ack-before-durable"], timeMs: 3000, numRuns: 100 });
  expect(r.failed).toBe(true);
  console.log("REPORT " + JSON.stringify(r.message));
});
test("a report is drawn from the packed package", () => {
  const r = simulate({ system: "pingpong", seed: 1, timeUs: 2000000, bugs: ["ack-before-durable"], keepTrace: true });
  const html = buildReport(r.result, { timeUs: 2000000, bugs: ["ack-before-durable"] });
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain("raftsimReport");
  console.log("REPORT-BYTES " + html.length);
});
test("the bug fails a plain simProperty", () => simProperty({ system: "pingpong", bugs: ["ack-before-durable"], timeMs: 3000, numRuns: 100 }));
`,
  );
}, 120_000);

describe("the packed package in a user's vitest suite", () => {
  it("exports only what package.json declares, with types", () => {
    const pkg = join(DIR, "node_modules", "raftsim");
    expect(existsSync(join(pkg, "dist/src/api/index.js"))).toBe(true);
    expect(existsSync(join(pkg, "dist/src/api/index.d.ts"))).toBe(true);
    expect(existsSync(join(pkg, "test"))).toBe(false);
  });

  it("type-checks a user's file against the package's own declarations", () => {
    const r = spawnSync(process.execPath, [TSC, "-p", DIR], { cwd: DIR, encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("simProperty passes on a correct system and fails with seed and replay on a planted bug", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--root", DIR], { cwd: DIR, encoding: "utf8" });
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/pingpong holds/);
    expect(out).toMatch(/the planted bug is found/);
    expect(out).toMatch(/REPORT-BYTES \d+/);
    // The third test fails — that is the point — and its error carries what a user pastes.
    expect(r.status, out.slice(-2000)).toBe(1);
    expect(out).toMatch(/1 failed/);
    expect(out).toMatch(/seed: +\d+/);
    expect(out).toMatch(/raftsim replay --system pingpong .*--expect-hash [0-9a-f]{16}/);
  });
});
