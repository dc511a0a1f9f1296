// The contract every outcome of raftsim must keep (issue 18), as a checker the fuzz suite and
// the example tests share: the exit code is one of the documented ones (70 = a bug of raftsim
// is always a violation), no stack trace, no JavaScript internals in what the user reads, error
// messages that name the input and stay short, and bounded time.

/** The documented exit codes (README.md, src/cli/exit-codes.ts). */
export const DOCUMENTED = new Set([0, 1, 2, 3, 64, 65, 74]);

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The process was stopped by the harness (an allowed long run, see CliCase.mayRunLong). */
  killed?: boolean;
}

export interface Expectation {
  /** Exit codes allowed for this case (default: DOCUMENTED). */
  allowed?: ReadonlySet<number>;
  /** Error messages must contain this (the file's name), when the case fails with 64/65/74. */
  names?: string;
  /** Wall-clock budget, ms. */
  maxMs: number;
  /** The case may still be running when the harness stops it (a huge sweep): that is fine. */
  mayRunLong?: boolean;
}

/** JavaScript's own words, which must never reach the user. */
const INTERNAL: readonly [RegExp, string][] = [
  [/Cannot read propert/, "Cannot read properties"],
  [/is not iterable/, "is not iterable"],
  [/is not a function/, "is not a function"],
  [/\[object \w+\]/, "[object …]"],
  [/\bundefined\b/, "undefined"],
  [/\bNaN\b/, "NaN"],
  [/Maximum call stack/, "stack overflow"],
  [/\bTypeError\b|\bRangeError\b|\bReferenceError\b|\bSyntaxError\b/, "JS error class"],
  [/internal error/, "internal error"],
  [/\n\s+at .+[:(]\d+:\d+\)?/, "stack trace"],
  [/Invalid array length|Invalid string length|out of memory/i, "resource limit"],
  [/\(node(:\d+)?\)/, "a Node warning"],
];

/** Quoted input ("…" as JSON quotes it) is the user's own text: it may say anything. */
function withoutQuotes(s: string): string {
  return s.replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/'(?:[^'\n])*'/g, "''");
}

/** Contract violations of one outcome; [] when it keeps the contract. */
export function violations(o: Outcome, e: Expectation): string[] {
  const out: string[] = [];
  const allowed = e.allowed ?? DOCUMENTED;
  if (o.killed) {
    if (!e.mayRunLong) out.push(`did not finish within ${e.maxMs} ms`);
  } else {
    if (o.code === null || !allowed.has(o.code)) out.push(`exit ${o.code} (allowed: ${[...allowed].join(", ")})`);
    if (o.ms > e.maxMs) out.push(`took ${Math.round(o.ms)} ms (budget ${e.maxMs} ms)`);
  }
  const text = withoutQuotes(`${o.stderr}\n${o.stdout}`);
  for (const [re, what] of INTERNAL) if (re.test(text)) out.push(`output has ${what}: ${clipLine(text, re)}`);
  if (o.code !== null && o.code >= 64 && !o.killed) {
    const err = o.stderr.trim();
    if (err === "") out.push("an error exit with no message");
    if (e.names !== undefined && o.code !== 64 && !err.includes(e.names)) out.push(`the message does not name ${e.names}: ${err.slice(0, 200)}`);
    // A list of allowed values may be long (31 scenario names); a value from the input may not:
    // no unbroken run of more than 120 characters, and no message over 4,000 characters.
    if (err.length > 4000) out.push(`a message of ${err.length} characters (long values must be cut short)`);
    const run = /\S{121,}/.exec(err);
    if (run !== null) out.push(`a value of ${run[0].length} characters in the message (long values must be cut short): ${run[0].slice(0, 60)}…`);
  }
  return out;
}

function clipLine(text: string, re: RegExp): string {
  const line = text.split("\n").find((l) => re.test(l)) ?? text;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Outcome counts and violations of a fuzz run, by surface. */
export class Tally {
  readonly cases: Record<string, number> = {};
  readonly outcomes: Record<string, Record<string, number>> = {};
  readonly violations: { surface: string; case: string; problems: string[]; stderr: string }[] = [];

  add(surface: string, o: Outcome, problems: string[], describe: () => string): void {
    this.cases[surface] = (this.cases[surface] ?? 0) + 1;
    const key = o.killed ? "stopped (long run)" : `exit ${o.code}`;
    const by = (this.outcomes[surface] ??= {});
    by[key] = (by[key] ?? 0) + 1;
    if (problems.length > 0) this.violations.push({ surface, case: describe(), problems, stderr: o.stderr.slice(0, 600) });
  }

  get total(): number {
    return Object.values(this.cases).reduce((a, b) => a + b, 0);
  }
}
