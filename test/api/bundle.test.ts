// The bundled CLI (dist/bundle/main.js, the package's bin; scripts/bundle.mjs) runs the same code
// as dist/src: the same trace hash for a run, the same verdicts and failures for a sweep, whose
// worker threads start the bundled worker beside it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, buildCli, ROOT } from "../support/cli.js";

const BUNDLE = join(ROOT, "dist/bundle/main.js");

function run(bin: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  buildCli();
  execFileSync(process.execPath, [join(ROOT, "scripts/bundle.mjs")], { cwd: ROOT, stdio: "pipe" });
}, 120_000);

describe("the bundled CLI", () => {
  it("is the package's bin, and its worker lies beside it", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin.raftsim).toBe("dist/bundle/main.js");
    expect(existsSync(join(ROOT, "dist/bundle/sweep-worker.js"))).toBe(true);
  });

  it("gives the unbundled CLI's trace hash for the same run", () => {
    for (const args of [["run", "--seed", "7", "--time", "10s", "--json"], ["run", "--seed", "3", "--time", "5s", "--every-fault", "--json"]]) {
      const a = run(BUNDLE, ...args);
      const b = run(BIN, ...args);
      expect(a.code, a.err).toBe(0);
      expect(JSON.parse(a.out).traceHash).toBe(JSON.parse(b.out).traceHash);
    }
  });

  it("sweeps in worker threads with the same verdicts and failures", () => {
    // A planted bug, so that the failures (seeds, messages, replay lines with hashes) are compared too.
    const args = ["sweep", "--seeds", "1..24", "--bug", "commit-index-decreases", "--sut-asserts", "off", "--jobs", "2", "--no-progress", "--json"];
    const a = run(BUNDLE, ...args);
    const b = run(BIN, ...args);
    expect(a.err).toBe(b.err);
    const ja = JSON.parse(a.out), jb = JSON.parse(b.out);
    expect(ja.failures.length).toBeGreaterThan(0);
    expect(ja.verdicts).toEqual(jb.verdicts);
    expect(ja.failures).toEqual(jb.failures);
    expect(a.code).toBe(b.code);
  });
});
