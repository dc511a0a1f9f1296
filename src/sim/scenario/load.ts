// Parse scenario text (YAML, or JSON for a .json file name) and validate it. Every problem is
// reported as "FILE: field.path[2].at: problem" through ScenarioError; the CLI maps it to exit
// 65. Pure: reading files and resolving names is the CLI's job (src/cli/scenario-file.ts).
import { extname } from "node:path";
import { parseDocument, YAMLParseError, type YAMLWarning } from "yaml";
import type * as z from "zod";
import { scenarioSchema, type Scenario, type ScenarioBlocks } from "./schema.js";

/** A scenario that cannot be read or is invalid. `where` is "file" or "file: path". */
export class ScenarioError extends Error {
  constructor(readonly where: string, readonly problem: string) {
    super(`${where}: ${problem}`);
    this.name = "ScenarioError";
  }
}

/** Scenario files nest a few levels (faults.schedule[i].nodes[j]); deeper input is rejected
 * before the YAML parser (which recurses) sees it. */
export const MAX_SCENARIO_DEPTH = 32;

/** The first place where `text` nests deeper than `max` levels — flow collections ([ {) and
 * block indentation (and "- - -" on one line) counted together — or null. A heuristic scan:
 * it skips quoted strings and comments; the parser's own stack overflow is the backstop. */
export function tooDeep(text: string, max: number = MAX_SCENARIO_DEPTH): { line: number; col: number } | null {
  const indents: number[] = [];
  let flow = 0;
  const lines = text.split("\n");
  for (let li = 0; li < lines.length; li++) {
    const raw = lines[li];
    let i = 0;
    if (flow === 0) {
      while (i < raw.length && raw[i] === " ") i++;
      if (i >= raw.length || raw[i] === "#" || raw.trim() === "") continue;
      while (indents.length > 0 && indents[indents.length - 1] > i) indents.pop();
      if (indents.length === 0 || indents[indents.length - 1] < i) indents.push(i);
      // "- - - x": each dash on the line opens a level
      let j = i;
      let dashes = 0;
      while (raw[j] === "-" && (raw[j + 1] === " " || j + 1 === raw.length)) {
        dashes++;
        j += 2;
        while (raw[j] === " ") j++;
      }
      if (indents.length + dashes > max) return { line: li + 1, col: i + 1 };
    }
    let quote: string | null = null;
    for (; i < raw.length; i++) {
      const c = raw[i];
      const prev = i === 0 ? " " : raw[i - 1];
      if (quote !== null) {
        if (c === "\\" && quote === '"') i++;
        else if (c === quote) quote = null;
        continue;
      }
      if ((c === '"' || c === "'") && /[\s[{,:]/.test(prev)) quote = c;
      else if (c === "#" && /\s/.test(prev)) break;
      else if (c === "[" || c === "{") {
        if (++flow + indents.length > max) return { line: li + 1, col: i + 1 };
      } else if ((c === "]" || c === "}") && flow > 0) flow--;
    }
  }
  return null;
}

function isStackOverflow(e: unknown): boolean {
  return (e instanceof RangeError || e instanceof YAMLParseError) && /call stack/i.test(e.message);
}

/** Parse and validate scenario text; `file` names it in errors and picks JSON for ".json". */
export function parseScenarioText(text: string, file: string, blocks: ScenarioBlocks): Scenario {
  const deep = tooDeep(text);
  if (deep !== null) throw new ScenarioError(`${file}:${deep.line}:${deep.col}`, `nested deeper than ${MAX_SCENARIO_DEPTH} levels (a scenario needs a few: see scenarios/README.md)`);
  try {
    return parseAndValidate(text, file, blocks);
  } catch (e) {
    if (isStackOverflow(e)) throw new ScenarioError(file, `nested too deeply to read (a scenario needs a few levels: see scenarios/README.md)`);
    throw e;
  }
}

function parseAndValidate(text: string, file: string, blocks: ScenarioBlocks): Scenario {
  let data: unknown;
  if (extname(file).toLowerCase() === ".json") {
    try {
      data = JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const at = /at position (\d+)/.exec(msg);
      const tok = /^Unexpected token '(.)'/.exec(msg);
      let pos = at !== null ? Number(at[1]) : tok !== null ? text.indexOf(tok[1]) : /end of JSON/.test(msg) ? text.length : -1;
      if (pos < 0) pos = Math.max(0, text.search(/\S/));
      const before = text.slice(0, pos).split("\n");
      const found = pos >= text.length ? "the end of the file" : JSON.stringify(text[pos]);
      throw new ScenarioError(`${file}:${before.length}:${before[before.length - 1].length + 1}`, `not valid JSON: found ${found} where the JSON breaks off`);
    }
  } else {
    try {
      // Warnings (an unresolved tag, an unknown directive, an ambiguous alias, a collection as a
      // key) are errors here: a file not read as written is not run. logLevel "error" keeps the
      // library from printing them as Node warnings.
      const doc = parseDocument(text, { logLevel: "error" });
      if (doc.errors.length > 0) throw doc.errors[0];
      const w: YAMLWarning | undefined = doc.warnings[0];
      if (w !== undefined) {
        const pos = w.linePos?.[0];
        throw new ScenarioError(pos ? `${file}:${pos.line}:${pos.col}` : file, `not valid YAML: ${clip(firstLine(w.message).replace(/ at line \d+, column \d+:?$/, ""), 100)}`);
      }
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      if (e instanceof ScenarioError) throw e;
      if (isStackOverflow(e)) throw e; // reported as nesting, by parseScenarioText
      if (e instanceof YAMLParseError) {
        const pos = e.linePos?.[0];
        throw new ScenarioError(pos ? `${file}:${pos.line}:${pos.col}` : file, `not valid YAML: ${firstLine(e.message).replace(/ at line \d+, column \d+:?$/, "")}`);
      }
      if (isStackOverflow(e)) throw e;
      throw new ScenarioError(file, `not valid YAML: ${clip(firstLine((e as Error).message), 100)}`);
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
    else {
      // A key from the file that is not a plain name (or looks like a JS value) is quoted.
      const key = clip(String(p), 40);
      if (!/^[A-Za-z_$][\w$-]*$/.test(key) || /^(undefined|null|NaN|Infinity|true|false)$/.test(key)) out += `[${JSON.stringify(key)}]`;
      else out += out === "" ? key : `.${key}`;
    }
  }
  return out === "" ? "(top level)" : out;
}

function describeIssue(iss: z.core.$ZodIssue): { path: string; message: string } {
  if (iss.code === "unrecognized_keys") {
    const key = iss.keys[0];
    const others = iss.keys.slice(1, 6).map((k) => formatPath([k]));
    const more = iss.keys.length > 1 ? ` (also: ${others.join(", ")}${iss.keys.length > 6 ? `, and ${iss.keys.length - 6} more` : ""})` : "";
    return { path: formatPath([...iss.path, key]), message: `unknown field${more}` };
  }
  let message = iss.message;
  if (iss.code === "invalid_type" && / received undefined$/.test(message)) message = `required (${message.replace(/^Invalid input: /, "").replace(/, received undefined$/, "")})`;
  else message = message.replace(/^Invalid input: /, "");
  return { path: formatPath(iss.path), message };
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}
