// Where the tests and the bench find the corpus of real histories: test/data/histories in this
// repository (copied from Porcupine's and Knossos's test data, licences beside them), or the
// directory named by $RAFTSIM_HISTORIES. Nothing reads outside the repository by default.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The histories directory; throws (loudly, naming the path) when its expected.tsv is missing. */
export function historiesDir(): string {
  const fromEnv = process.env.RAFTSIM_HISTORIES;
  const dir = fromEnv ? path.resolve(fromEnv) : path.resolve(HERE, "../data/histories");
  if (!existsSync(path.join(dir, "expected.tsv"))) {
    throw new Error(`histories not found: ${dir}/expected.tsv is missing${fromEnv ? " (from $RAFTSIM_HISTORIES)" : ""}`);
  }
  return dir;
}
