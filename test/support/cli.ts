// The built CLI for end-to-end tests: build once per test file (tsc still emits when another
// file has type errors at that moment), then run dist/src/cli/main.js in a separate process.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "dist/src/cli/main.js");

/** Compile src and bench to dist/ (for beforeAll). */
export function buildCli(): void {
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "pipe" });
  } catch {
    /* type errors elsewhere: emitted anyway */
  }
}

/** `raftsim ARGS...` from the repository root: exit code and both streams. */
export function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
