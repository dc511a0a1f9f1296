// Bundles the built CLI and the sweep worker (dist/src, after tsc) into one ES module each under
// dist/bundle/: `raftsim` (the package's bin) runs dist/bundle/main.js, whose sweeps start
// dist/bundle/sweep-worker.js beside it (src/api/sweep.ts, sweepWorkerFile).
//
// Why: a sweep is short (1,000 seeds of 10 s: about 7 s on 2 cores) and Node's ES-module loader
// pays per file — resolving, reading and compiling each of the ~320 modules. The CLI spent about
// 0.33 s of CPU starting (0.22 s bundled), before a worker starts, and each worker thread pays its
// own load again. Same code, same order of evaluation, so the same results and trace hashes
// (test/api/bundle.test.ts runs both and compares). Dependencies stay external (node_modules):
// tinypool starts its own worker entry by path, and they are loaded once either way. Split into
// shared chunks (dist/bundle/chunks/), so that a worker thread still loads only the system it
// runs (sweep-worker.ts, LOADS_ALONE): about 85 ms of CPU for its modules and raft-metadata's,
// 120 ms unbundled.
//
// esbuild-wasm: esbuild compiled to WebAssembly, no install script and no native binary.
// Usage: node scripts/bundle.mjs (run by `npm run build`).
import { build } from "esbuild-wasm";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entries = ["dist/src/cli/main.js", "dist/src/api/sweep-worker.js"].map((f) => join(root, f));
for (const f of entries) {
  if (!existsSync(f)) {
    process.stderr.write(`bundle: ${f} is missing: run tsc first (npm run build does both)\n`);
    process.exit(1);
  }
}
const outdir = join(root, "dist/bundle");
rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: entries,
  outdir,
  entryNames: "[name]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
});
if (result.errors.length > 0) process.exit(1);
