// Scenario files on disk (the format itself, pure, lives in src/sim/scenario): names resolved
// against the package's scenarios/ directory, files read and validated. Errors are typed
// (ScenarioError names the file, field path and problem; UnknownScenarioError lists the
// available names); the CLI maps them to exit codes.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseScenarioText as parseWith, ScenarioError, type Scenario, type ScenarioBlock, type ScenarioBlocks } from "../sim/scenario/index.js";
import { DEFAULT_SYSTEM, SYSTEMS } from "../sim/systems/index.js";
import type { ScenarioExperiment } from "../sim/systems/raft-metadata/scenario-block.js";

export { ScenarioError };
export { judge, timeOverrideProblem, usToDuration, type Expectation, type Scenario } from "../sim/scenario/index.js";

/** Every registered system's part of the scenario format. */
export const SCENARIO_BLOCKS: ScenarioBlocks = {
  defaultSystem: DEFAULT_SYSTEM,
  names: SYSTEMS.filter((s) => s.scenario !== undefined).map((s) => s.name),
  get: (name) => SYSTEMS.find((s) => s.name === name)?.scenario as ScenarioBlock | undefined,
};

/** The block of the system a scenario names. */
export function scenarioBlock(s: Scenario): ScenarioBlock {
  const b = SCENARIO_BLOCKS.get(s.system);
  if (b === undefined) throw new Error(`scenario ${s.name}: system ${s.system} has no scenario format`);
  return b;
}

/** Parse and validate scenario text for whichever registered system it names. */
export function parseScenarioText(text: string, file: string): Scenario {
  return parseWith(text, file, SCENARIO_BLOCKS);
}

/** A measurement scenario's experiment (raft-metadata's `experiment:` block), if any. */
export function scenarioExperiment(s: Scenario): ScenarioExperiment | undefined {
  return s.system === "raft-metadata" ? (s.experiment as ScenarioExperiment | undefined) : undefined;
}

export const SCENARIO_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

/** The directory holding raftsim's package.json (works from src/ under vitest and from dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "raftsim") return dir;
      } catch {
        /* not ours */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find raftsim's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export function scenariosDir(): string {
  return join(packageRoot(), "scenarios");
}

/** Scenario files in `dir`, by name (file name without extension), sorted. */
export function shippedScenarioFiles(dir: string = scenariosDir()): { name: string; file: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => (SCENARIO_EXTENSIONS as readonly string[]).includes(extname(f).toLowerCase()))
    .sort()
    .map((f) => ({ name: f.slice(0, -extname(f).length), file: join(dir, f) }));
}

export class UnknownScenarioError extends Error {
  constructor(readonly requested: string, readonly available: readonly string[]) {
    super(`unknown scenario "${requested}"; available: ${available.length > 0 ? available.join(", ") : "(none)"} — or give a path to a .yaml/.json file`);
    this.name = "UnknownScenarioError";
  }
}

/** A path, not a name: it has a slash or a scenario extension, or names an existing file. */
export function looksLikePath(ref: string): boolean {
  if (ref.includes("/") || ref.includes("\\") || (SCENARIO_EXTENSIONS as readonly string[]).includes(extname(ref).toLowerCase())) return true;
  return existsSync(ref) && statSync(ref).isFile();
}

/** NAME or PATH → the file to load. Throws UnknownScenarioError for an unknown name. */
export function resolveScenarioRef(ref: string, dir: string = scenariosDir()): string {
  if (looksLikePath(ref)) return resolve(ref);
  const hit = shippedScenarioFiles(dir).find((s) => s.name === ref);
  if (hit === undefined) throw new UnknownScenarioError(ref, shippedScenarioFiles(dir).map((s) => s.name));
  return hit.file;
}

/** Read and validate `file`; errors name it as `display` (default: the path as given). */
export function loadScenarioFile(file: string, display: string = file): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ScenarioError(display, err.code === "ENOENT" ? "no such file" : `cannot read: ${err.message}`);
  }
  return parseScenarioText(text, display);
}

export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly file: string;
}

/** Resolve and load; a scenario found by name must carry that name. Errors name the file as
 * "scenarios/NAME.yaml" for a name, as given for a path. */
export function loadScenarioRef(ref: string, dir: string = scenariosDir()): LoadedScenario {
  const file = resolveScenarioRef(ref, dir);
  const byName = !looksLikePath(ref);
  const display = byName ? `${basename(dir)}/${basename(file)}` : ref;
  const scenario = loadScenarioFile(file, display);
  if (byName && scenario.name !== ref) throw new ScenarioError(`${display}: name`, `"${scenario.name}" does not match the file name "${ref}"`);
  return { scenario, file };
}

