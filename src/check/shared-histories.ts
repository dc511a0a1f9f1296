// The shared corpus of real histories with known verdicts (../shared/histories, or
// $RAFTSIM_SHARED/histories): its expected.tsv, and how each file is read and judged.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FormatName } from "./models/index.js";

export interface ExpectedFile {
  readonly file: string; // relative to the histories dir
  readonly expected: "ok" | "illegal";
  readonly ops: number;
  readonly referenceMs: number | null;
  readonly format: FormatName;
}

/** The histories directory; throws (loudly) when it is missing. */
export function sharedHistoriesDir(): string {
  const fromEnv = process.env.RAFTSIM_SHARED;
  let dir: string;
  if (fromEnv) dir = path.resolve(fromEnv, "histories");
  else {
    // Walk up from this file to the repo root (the dir holding package.json), then ../shared.
    let root = path.dirname(fileURLToPath(import.meta.url));
    while (!existsSync(path.join(root, "package.json"))) {
      const up = path.dirname(root);
      if (up === root) throw new Error("sharedHistoriesDir: cannot find the repo root (package.json)");
      root = up;
    }
    dir = path.resolve(root, "../shared/histories");
  }
  if (!existsSync(path.join(dir, "expected.tsv"))) {
    throw new Error(`shared histories not found: ${dir}/expected.tsv is missing (set RAFTSIM_SHARED to the shared dir)`);
  }
  return dir;
}

function formatOf(file: string): FormatName {
  if (file.startsWith("porcupine/etcd/")) return "porcupine-etcd";
  if (file.startsWith("porcupine/kv/")) return "porcupine-kv";
  if (file.endsWith(".edn")) return "edn";
  throw new Error(`expected.tsv: no format known for ${file}`);
}

export function readExpected(dir: string): ExpectedFile[] {
  const rows = readFileSync(path.join(dir, "expected.tsv"), "utf8").split("\n").filter((l) => l.trim() !== "");
  const header = rows[0].split("\t");
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`expected.tsv: no column ${name}`);
    return i;
  };
  const [cFile, cExp, cOps, cRef] = [col("file"), col("expected"), col("ops"), col("reference_ms")];
  return rows.slice(1).map((r) => {
    const f = r.split("\t");
    const exp = f[cExp].toLowerCase();
    if (exp !== "ok" && exp !== "illegal") throw new Error(`expected.tsv: bad verdict ${f[cExp]} for ${f[cFile]}`);
    const ref = Number(f[cRef]);
    return { file: f[cFile], expected: exp, ops: Number(f[cOps]), referenceMs: Number.isFinite(ref) ? ref : null, format: formatOf(f[cFile]) };
  });
}
