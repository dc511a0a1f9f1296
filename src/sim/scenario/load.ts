// Parse scenario text (YAML, or JSON for a .json file name) and validate it. Every problem is
// reported as "FILE: field.path[2].at: problem" through ScenarioError; the CLI maps it to exit
// 65. Pure: reading files and resolving names is the CLI's job (src/cli/scenario-file.ts).
import { extname } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type * as z from "zod";
import { scenarioSchema, type Scenario, type ScenarioBlocks } from "./schema.js";

/** A scenario that cannot be read or is invalid. `where` is "file" or "file: path". */
export class ScenarioError extends Error {
  constructor(readonly where: string, readonly problem: string) {
    super(`${where}: ${problem}`);
    this.name = "ScenarioError";
  }
}

/** Parse and validate scenario text; `file` names it in errors and picks JSON for ".json". */
export function parseScenarioText(text: string, file: string, blocks: ScenarioBlocks): Scenario {
  let data: unknown;
  if (extname(file).toLowerCase() === ".json") {
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ScenarioError(file, `not valid JSON: ${(e as Error).message}`);
    }
  } else {
    try {
      data = parseYaml(text);
    } catch (e) {
      if (e instanceof YAMLParseError) {
        const pos = e.linePos?.[0];
        throw new ScenarioError(pos ? `${file}:${pos.line}:${pos.col}` : file, `not valid YAML: ${firstLine(e.message).replace(/ at line \d+, column \d+:?$/, "")}`);
      }
      throw new ScenarioError(file, `not valid YAML: ${(e as Error).message}`);
    }
  }
  return validateScenario(data, file, blocks);
}

/** Validate parsed data against the schema of the system it names (`system:`, else the default). */
export function validateScenario(data: unknown, file: string, blocks: ScenarioBlocks): Scenario {
  if (data === null || data === undefined) throw new ScenarioError(file, "empty file: expected a scenario {name, faults, ...}");
  const named = typeof data === "object" && !Array.isArray(data) ? (data as { system?: unknown }).system : undefined;
  if (named !== undefined && (typeof named !== "string" || blocks.get(named) === undefined))
    throw new ScenarioError(`${file}: system`, `unknown system ${JSON.stringify(named)}; expected one of ${blocks.names.join(", ")}`);
  const block = blocks.get(named ?? blocks.defaultSystem)!;
  const r = scenarioSchema(block).safeParse(data);
  if (r.success) return r.data as Scenario;
  const lines = r.error.issues.map((iss) => describeIssue(iss));
  const [first, ...rest] = lines;
  throw new ScenarioError(`${file}: ${first.path}`, first.message + rest.map((l) => `\n  ${file}: ${l.path}: ${l.message}`).join(""));
}

/** "faults.schedule[2].at" from ["faults", "schedule", 2, "at"]; "(top level)" for []. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out === "" ? "(top level)" : out;
}

function describeIssue(iss: z.core.$ZodIssue): { path: string; message: string } {
  if (iss.code === "unrecognized_keys") {
    const key = iss.keys[0];
    const more = iss.keys.length > 1 ? ` (also: ${iss.keys.slice(1).join(", ")})` : "";
    return { path: formatPath([...iss.path, key]), message: `unknown field${more}` };
  }
  let message = iss.message;
  if (iss.code === "invalid_type" && / received undefined$/.test(message)) message = `required (${message.replace(/^Invalid input: /, "").replace(/, received undefined$/, "")})`;
  else message = message.replace(/^Invalid input: /, "");
  return { path: formatPath(iss.path), message };
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}
