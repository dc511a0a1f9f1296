// A corpus of real histories with known verdicts: a directory with an expected.tsv that lists
// each file, its verdict, its operation count and a reference time. The library reads a
// directory it is given; where the corpus lives is the caller's business (the tests and the
// bench use test/data/histories, see test/support/histories.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { FormatName } from "./models/index.js";

export interface ExpectedFile {
  readonly file: string; // relative to the histories dir
  readonly expected: "ok" | "illegal";
  readonly ops: number;
  readonly referenceMs: number | null;
  readonly format: FormatName;
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
