// The error the history readers (formats/) throw for malformed input. The checker library knows
// nothing of exit codes: the CLI turns a HistoryInputError into its InputError (exit 65) with the
// same message.

/** Bad history input. The message is "file:line:col: problem", "file:line: problem", or "file: problem". */
export class HistoryInputError extends Error {
  /** "file:line:col", "file:line" or "file": the place the message starts with. */
  readonly where: string;
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
    readonly col?: number,
  ) {
    const where = line === undefined ? file : col === undefined ? `${file}:${line}` : `${file}:${line}:${col}`;
    super(`${where}: ${problem}`);
    this.name = "HistoryInputError";
    this.where = where;
  }
}

/** A value for a message: at most `max` characters, the cut marked with "…". */
export function clip(s: string, max = 60): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Text from the input, quoted with control characters escaped, cut short. */
export function quote(s: string, max = 50): string {
  return JSON.stringify(clip(s, max));
}

/** Any JS value as short, readable text for a message ("null", "a string \"x\"", "an object {…}"). */
export function showFound(v: unknown, max = 60): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") return `the string ${quote(v, max)}`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `an array ${clipJson(safeJson(v), max)}`;
  if (typeof v === "object") return `an object ${clipJson(safeJson(v), max)}`;
  return `a ${typeof v}`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === "string" ? clip(x, 20) : x)) ?? String(typeof v);
  } catch {
    return "(too deep to show)";
  }
}

/** JSON cut to about `max` characters, never inside a string (so quotes stay paired). */
function clipJson(json: string, max: number): string {
  if (json.length <= max) return json;
  let inString = false;
  let lastSafe = 0;
  for (let i = 0; i < max; i++) {
    const c = json[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        lastSafe = i + 1;
      }
    } else if (c === '"') inString = true;
    else lastSafe = i + 1;
  }
  return `${json.slice(0, lastSafe)}…`;
}

/** How deeply nested a JSON-like value is (iterative: safe on any depth); stops counting past `limit`. */
export function nestingDepth(v: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (typeof x !== "object" || x === null) continue;
    if (d + 1 > max) max = d + 1;
    if (max > limit) return max;
    for (const y of Array.isArray(x) ? x : Object.values(x)) stack.push([y, d + 1]);
  }
  return max;
}
