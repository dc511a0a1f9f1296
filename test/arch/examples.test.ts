// examples/ are written as a user's project: they import raftsim's public API ("raftsim", which
// is src/api/index.ts here), test libraries and their own files — never src/ internals, and
// nothing outside the repository.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const EXAMPLES = path.join(ROOT, "examples");
const PACKAGES = new Set(["raftsim", "vitest", "fast-check"]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

describe("examples import only the public API", () => {
  for (const file of tsFiles(EXAMPLES)) {
    it(path.relative(ROOT, file), () => {
      const specs = [...readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
      for (const s of specs) {
        if (s.startsWith(".")) expect(path.resolve(path.dirname(file), s).startsWith(EXAMPLES + path.sep), `${s} leaves examples/`).toBe(true);
        else expect(PACKAGES.has(s) || s.startsWith("node:"), `${s} is not the public API`).toBe(true);
      }
    });
  }
});
