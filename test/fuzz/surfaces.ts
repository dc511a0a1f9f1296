// The three fuzzed surfaces of issue 18, each as a fast-check arbitrary of cases and a runner
// that turns a case into an Outcome:
//   check     — real histories (all four formats) mutated, read by `raftsim check`'s own code
//               in-process (runCheck on a temp file, errors mapped as the CLI maps them);
//   scenario  — the shipped scenarios mutated, loaded as `--scenario FILE` loads them
//               (parse, validate, the run's options; now and then a short run);
//   cli       — generated command lines, run by spawning the built CLI (dist/src/cli/main.js).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { readExpected } from "../../src/check/corpus.js";
import { readJepsenEdn } from "../../src/check/formats/jepsen-edn.js";
import { writeJsonl } from "../../src/check/formats/jsonl.js";
import { readPorcupineEtcd } from "../../src/check/formats/porcupine-etcd.js";
import { runCheck } from "../../src/cli/commands/check.js";
import { InputError, UsageError } from "../../src/cli/errors.js";
import * as cliErrors from "../../src/cli/errors.js";
import { ScenarioError } from "../../src/sim/scenario/load.js";
import { parseScenarioText } from "../../src/api/scenarios.js";
import { runOptionsFor, simulate } from "../../src/api/simulate.js";
import { historiesDir } from "../support/histories.js";
import type { Expectation, Outcome } from "./contract.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(ROOT, "dist/src/cli/main.js");
const WORK = mkdtempSync(path.join(tmpdir(), "raftsim-fuzz-"));

// ---------------------------------------------------------------------------------------------
// Corpora

export type Fmt = "jsonl" | "porcupine-etcd" | "porcupine-kv" | "edn";

export interface Seed {
  readonly name: string;
  readonly format: Fmt;
  readonly text: string;
  /** The verdict the unmutated file must get (null: not pinned, e.g. may time out). */
  readonly expected: "ok" | "illegal" | null;
}

/** raftsim's own JSONL (metadata-kv): operation lines, with an info op and a list op. */
const METADATA_JSONL = [
  `{"raftsim":"history","model":"metadata-kv"}`,
  `{"client":0,"input":{"f":"put","key":"a","value":"v1"},"call":0,"ret":2,"status":"ok","output":{"f":"put","revision":3}}`,
  `{"client":1,"input":{"f":"get","key":"a"},"call":3,"ret":5,"status":"ok","output":{"f":"get","found":true,"value":"v1","revision":3,"version":1}}`,
  `{"client":2,"input":{"f":"cas","key":"a","expected":3,"value":"v2"},"call":4,"ret":8,"status":"ok","output":{"f":"cas","ok":true,"revision":5}}`,
  `{"client":0,"input":{"f":"delete","key":"b"},"call":6,"ret":7,"status":"ok","output":{"f":"delete","deleted":false,"revision":6}}`,
  `{"client":1,"input":{"f":"exists","key":"a"},"call":9,"ret":10,"status":"ok","output":{"f":"exists","exists":true}}`,
  `{"client":3,"input":{"f":"put","key":"c","value":"x"},"call":9,"status":"info"}`,
  `{"client":2,"input":{"f":"cas","key":"a","expected":"absent","value":"v3"},"call":11,"ret":12,"status":"ok","output":{"f":"cas","ok":false,"currentRevision":5}}`,
].join("\n");

/** The same store as event lines. */
const METADATA_EVENTS = [
  `{"type":"invoke","client":0,"input":{"f":"put","key":"k","value":"1"},"time":1}`,
  `{"type":"invoke","client":1,"input":{"f":"get","key":"k"},"time":2}`,
  `{"type":"ok","client":0,"output":{"f":"put","revision":4},"time":3}`,
  `{"type":"ok","client":1,"output":{"f":"get","found":false},"time":4}`,
].join("\n");

let corpus: Seed[] | undefined;

/** Every history of test/data/histories, plus JSONL: the EDN and etcd files rewritten as JSONL
 * operation lines (their model in the header), and two metadata-kv files. */
export function historySeeds(): Seed[] {
  if (corpus !== undefined) return corpus;
  const dir = historiesDir();
  const out: Seed[] = [];
  for (const e of readExpected(dir)) {
    const text = readFileSync(path.join(dir, e.file), "utf8");
    // The big kv files take seconds to check: kept, but not pinned (they may time out).
    const pinned = text.length < 60_000 ? e.expected : null;
    out.push({ name: e.file, format: e.format, text, expected: pinned });
    if (e.format === "edn" && text.length < 60_000) {
      out.push({ name: `${e.file}.jsonl`, format: "jsonl", text: writeJsonl(readJepsenEdn(text, e.file), "knossos-cas-register"), expected: pinned });
    }
    if (e.format === "porcupine-etcd" && out.filter((s) => s.name.endsWith(".log.jsonl")).length < 6) {
      out.push({ name: `${e.file}.jsonl`, format: "jsonl", text: writeJsonl(readPorcupineEtcd(text, e.file), "etcd-cas-register"), expected: pinned });
    }
  }
  out.push({ name: "metadata.jsonl", format: "jsonl", text: METADATA_JSONL, expected: "ok" });
  out.push({ name: "metadata-events.jsonl", format: "jsonl", text: METADATA_EVENTS, expected: "ok" });
  corpus = out;
  return out;
}

export function scenarioSeeds(): { name: string; text: string }[] {
  const dir = path.join(ROOT, "scenarios");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(path.join(dir, f), "utf8") }));
}

// ---------------------------------------------------------------------------------------------
// Mutations of a text

export type Mutation =
  | { kind: "deleteLine"; at: number }
  | { kind: "dupLine"; at: number }
  | { kind: "swapLines"; a: number; b: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "replaceToken"; at: number; with: string }
  | { kind: "nest"; at: number; open: string; depth: number }
  | { kind: "blank"; text: string }
  | { kind: "indent"; at: number; by: number };

/** Values a mutation puts where a token was: types the readers do not expect, edge numbers,
 * delimiters, JS-looking words. */
const TOKENS = [
  "nil", "null", "0", "-1", "1e999", "-0", "NaN", "Infinity", "99999999999999999999", "1.5", "\"x\"", "\"\"",
  "[]", "{}", "[1 2 3]", "[nil nil]", "#{}", "#inst \"2020\"", "\\a", ":foo", ":invoke", ":ok", ":info", ":fail",
  ":read", ":write", ":cas", ":nemesis", "true", "false", "undefined", "__proto__", "constructor", "'", "\"", "[", "]", "{", "}",
  "(", ")", ",", ":", "- ", "&a", "*a", "!!binary", "~", "|", ">", "%", "\t", "\r", "list", "\"list\"",
  `{"f":"list","prefix":""}`, `{"f":"get"}`, `{"f":"get","key":5}`, "{:f :read}", "x".repeat(300), "10ms", "-5s", "1..3", "7..2",
  "kind", "at", "schedule", "swarm", "crash", "heal", "9999999", "0.5", "2x",
];

const TOKEN_RE = /-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|:[\w.-]+|"[^"\n]*"|\bnil\b|\btrue\b|\bfalse\b|\bnull\b|\b[a-z][\w-]*\b/g;

const arbText = fc.oneof(
  fc.constantFrom(...TOKENS),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b).toString("latin1")),
);

export const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("deleteLine" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("dupLine" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: arbText }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("replaceToken" as const), at: fc.nat(), with: arbText }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("nest" as const), at: fc.nat(), open: fc.constantFrom("[", "{", "(", "#_", "#a ", "- ", "a:\n", "{:a "), depth: fc.integer({ min: 20, max: 5000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("blank" as const), text: fc.constantFrom("", " ", "\n\n\n", "  \t\n ", "; only a comment\n", "# only a comment\n", "\n;;\n; x\n") }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("indent" as const), at: fc.nat(), by: fc.integer({ min: -4, max: 6 }) }) },
);

export function mutate(text: string, ms: readonly Mutation[]): string {
  let t = text;
  for (const m of ms) t = mutateOnce(t, m);
  return t;
}

function mutateOnce(t: string, m: Mutation): string {
  const lines = t.split("\n");
  const li = (n: number) => n % Math.max(1, lines.length);
  switch (m.kind) {
    case "deleteLine":
      lines.splice(li(m.at), 1);
      return lines.join("\n");
    case "dupLine":
      lines.splice(li(m.at), 0, lines[li(m.at)] ?? "");
      return lines.join("\n");
    case "swapLines": {
      const [a, b] = [li(m.a), li(m.b)];
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join("\n");
    }
    case "truncate":
      return t.slice(0, m.at % (t.length + 1));
    case "insert": {
      const at = m.at % (t.length + 1);
      return t.slice(0, at) + m.text + t.slice(at);
    }
    case "replaceToken": {
      const hits = [...t.matchAll(TOKEN_RE)];
      if (hits.length === 0) return t + m.with;
      const h = hits[m.at % hits.length];
      return t.slice(0, h.index) + m.with + t.slice(h.index! + h[0].length);
    }
    case "nest": {
      const at = m.at % (t.length + 1);
      const open = m.open === "- " || m.open === "a:\n" ? Array.from({ length: m.depth }, (_, i) => (m.open === "- " ? "- " : `${"  ".repeat(i)}a:\n`)).join("") : m.open.repeat(m.depth);
      return t.slice(0, at) + open + t.slice(at);
    }
    case "blank":
      return m.text;
    case "indent": {
      const i = li(m.at);
      const l = lines[i] ?? "";
      lines[i] = m.by >= 0 ? " ".repeat(m.by) + l : l.replace(new RegExp(`^ {0,${-m.by}}`), "");
      return lines.join("\n");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Surface 1: raftsim check, in-process

export interface CheckCase {
  seed: number; // index into historySeeds()
  mutations: Mutation[];
  format: "none" | "right" | Fmt;
  model: string | undefined;
  timeout: string;
  lenient: boolean;
  json: boolean;
}

const MODELS = ["register", "cas-register", "etcd-cas-register", "knossos-cas-register", "porcupine-kv", "metadata-kv"];

export function arbCheckCase(): fc.Arbitrary<CheckCase> {
  const n = historySeeds().length;
  return fc.record({
    seed: fc.nat({ max: n - 1 }),
    mutations: fc.oneof({ weight: 1, arbitrary: fc.constant([] as Mutation[]) }, { weight: 6, arbitrary: fc.array(arbMutation, { minLength: 1, maxLength: 3 }) }),
    format: fc.oneof({ weight: 3, arbitrary: fc.constant("none" as const) }, { weight: 3, arbitrary: fc.constant("right" as const) }, { weight: 2, arbitrary: fc.constantFrom<Fmt>("jsonl", "porcupine-etcd", "porcupine-kv", "edn") }),
    model: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom(...MODELS) }, { weight: 1, arbitrary: fc.constantFrom("nope", "") }),
    timeout: fc.oneof({ weight: 10, arbitrary: fc.constant("1s") }, { weight: 1, arbitrary: fc.constantFrom("0", "5ms", "abc", "-1s", "1e9") }),
    lenient: fc.boolean(),
    json: fc.boolean(),
  });
}

export function describeCheckCase(c: CheckCase): string {
  const s = historySeeds()[c.seed];
  return JSON.stringify({ ...c, file: s.name, mutations: c.mutations.map((m) => ({ ...m, ...("text" in m ? { text: m.text.slice(0, 40) } : {}), ...("with" in m ? { with: m.with.slice(0, 40) } : {}) })) });
}

/** Runs the case the way `raftsim check FILE …` does, in this process. */
export function runCheckCase(c: CheckCase): { outcome: Outcome; expect: Expectation } {
  const s = historySeeds()[c.seed];
  const text = mutate(s.text, c.mutations);
  const file = path.join(WORK, `case-${path.basename(s.name).replace(/[^\w.-]/g, "_")}`);
  writeFileSync(file, text);
  const format = c.format === "none" ? undefined : c.format === "right" ? s.format : c.format;
  const out: string[] = [];
  const err: string[] = [];
  const t0 = performance.now();
  let code: number;
  try {
    code = runCheck(file, { format, model: c.model, timeout: c.timeout, lenient: c.lenient, json: c.json } as Parameters<typeof runCheck>[1], { out: (l) => out.push(l), err: (l) => err.push(l) });
  } catch (e) {
    const mapped = mapCliError(e);
    code = mapped.code;
    err.push(mapped.message);
  }
  const ms = performance.now() - t0;
  const expect: Expectation = { names: file, maxMs: 5_000 };
  const usage = c.timeout !== "1s" || c.model === "nope" || c.model === "";
  // Read as another format (edn and porcupine-kv included: their models read other ops).
  // (The edn and porcupine-kv readers are one EDN reader: with --model the pair is legitimate.)
  const ednPair = (format === "edn" || format === "porcupine-kv") && (s.format === "edn" || s.format === "porcupine-kv");
  const mismatched = format !== undefined && format !== s.format && !(ednPair && c.model !== undefined);
  const blank = c.mutations.some((m) => m.kind === "blank") && text.trim().replace(/^[;#].*$/gm, "").trim() === "";
  if (usage) expect.allowed = new Set(c.timeout === "0" || c.timeout === "5ms" || c.timeout === "1e9" ? [0, 1, 3, 64, 65] : [64]);
  else if (blank) expect.allowed = new Set([65]); // an empty history is an error, never ok
  else if (c.mutations.length === 0 && mismatched) expect.allowed = new Set([65]); // read as another format: an error
  else if (c.mutations.length === 0 && c.model === undefined && format !== undefined && !mismatched && s.expected !== null)
    expect.allowed = new Set([s.expected === "ok" ? 0 : 1, 3]); // the real file keeps its verdict (or runs out of time)
  else if (s.name.startsWith("metadata") && c.mutations.length === 0 && c.model === undefined && !mismatched)
    expect.allowed = new Set([0, 3]);
  return { outcome: { code, stdout: out.join("\n"), stderr: err.join("\n"), ms }, expect };
}

/** The CLI's own mapping of a thrown error (src/cli/main.ts). */
export function mapCliError(e: unknown): { code: number; message: string } {
  const m = (cliErrors as Record<string, unknown>).IoError as (new (...a: never[]) => Error) | undefined;
  if (e instanceof UsageError) return { code: 64, message: `raftsim: ${e.message}` };
  if (e instanceof InputError) return { code: 65, message: `raftsim: ${e.message}` };
  if (m !== undefined && e instanceof m) return { code: 74, message: `raftsim: ${(e as Error).message}` };
  return { code: 70, message: `raftsim: internal error: ${e instanceof Error ? e.message : String(e)}` };
}

// ---------------------------------------------------------------------------------------------
// Surface 2: scenario files, in-process

export interface ScenarioCase {
  seed: number; // index into scenarioSeeds()
  mutations: Mutation[];
  asJson: boolean;
  /** Also run it (a short simulation) when it loads. */
  run: boolean;
}

export function arbScenarioCase(): fc.Arbitrary<ScenarioCase> {
  const n = scenarioSeeds().length;
  return fc.record({
    seed: fc.nat({ max: n - 1 }),
    mutations: fc.oneof({ weight: 1, arbitrary: fc.constant([] as Mutation[]) }, { weight: 8, arbitrary: fc.array(arbMutation, { minLength: 1, maxLength: 3 }) }),
    asJson: fc.boolean(), // half the cases as JSON
    run: fc.integer({ min: 0, max: 19 }).map((x) => x === 0),
  });
}

export function describeScenarioCase(c: ScenarioCase): string {
  return JSON.stringify({ ...c, file: scenarioSeeds()[c.seed].name, mutations: c.mutations.map((m) => ({ ...m, ...("text" in m ? { text: m.text.slice(0, 40) } : {}), ...("with" in m ? { with: m.with.slice(0, 40) } : {}) })) });
}

/** Loads the case as `raftsim run --scenario FILE` does (errors mapped as the CLI maps them);
 * when it loads, builds the run's options, and for `run` cases simulates up to 2 s. */
function yamlToJson(text: string): string | null {
  try {
    return JSON.stringify(parseYaml(text), null, 2);
  } catch {
    return null;
  }
}

export function runScenarioCase(c: ScenarioCase): { outcome: Outcome; expect: Expectation } {
  const s = scenarioSeeds()[c.seed];
  let text = s.text;
  let name = `fuzz/${s.name}`;
  if (c.asJson) {
    const j = yamlToJson(text);
    if (j !== null) {
      text = j;
      name = name.replace(/\.yaml$/, ".json");
    }
  }
  text = mutate(text, c.mutations);
  const out: string[] = [];
  const err: string[] = [];
  const t0 = performance.now();
  let code = 0;
  try {
    let scenario;
    try {
      scenario = parseScenarioText(text, name);
    } catch (e) {
      if (e instanceof ScenarioError) throw new InputError(e.where, e.problem); // loadScenarioForCli's mapping
      throw e;
    }
    if (scenario.experiment === undefined) {
      const seed = scenario.seeds[0] ?? 1;
      runOptionsFor({ seed, timeUs: scenario.timeUs, scenario });
      if (c.run) {
        const r = simulate({ seed, timeUs: Math.min(scenario.timeUs, 2_000_000), scenario });
        out.push(`verdict ${r.result.verdict}`);
      }
    }
  } catch (e) {
    const m = mapCliError(e);
    code = m.code;
    err.push(m.message);
  }
  const ms = performance.now() - t0;
  const blank = c.mutations.some((m) => m.kind === "blank") && text.replace(/^\s*#.*$/gm, "").trim() === "";
  return { outcome: { code, stdout: out.join("\n"), stderr: err.join("\n"), ms }, expect: { names: name, maxMs: c.run ? 30_000 : 5_000, allowed: new Set(blank ? [65] : c.mutations.length === 0 ? [0] : [0, 65]) } };
}

// ---------------------------------------------------------------------------------------------
// Surface 3: command lines, spawned

export interface CliCase {
  argv: string[];
  mayRunLong: boolean;
  /** Exit codes this command line must get (null: any documented one). */
  allowed: number[] | null;
}

const PATHS = () => {
  const dir = path.join(WORK, "cli");
  mkdirSync(dir, { recursive: true });
  const bad = path.join(dir, "bad.yaml");
  writeFileSync(bad, "name: x\nfaults: { schedule: [{ at: 2x, kind: heal }] }\n");
  const deep = path.join(dir, "deep.yaml");
  writeFileSync(deep, `name: deep\nfaults: ${"[".repeat(3000)}\n`);
  const hist = path.join(dir, "text.log");
  writeFileSync(hist, "hello, this is not an etcd log\n");
  const empty = path.join(dir, "empty.edn");
  writeFileSync(empty, "; nothing\n");
  return { dir, bad, deep, hist, empty };
};
let paths: ReturnType<typeof PATHS> | undefined;

/** An option with a value from a pool of good and bad ones. */
function opt(name: string, ...values: string[]): fc.Arbitrary<string[]> {
  return fc.constantFrom(...values).map((v) => [name, v]);
}

export function arbCliCase(): fc.Arbitrary<CliCase> {
  const p = (paths ??= PATHS());
  const h = historiesDir();
  const seed = opt("--seed", "1", "7", "0", "-1", "abc", "1e3", "99999999999999999999", "");
  const time = opt("--time", "500ms", "1s", "0", "-5s", "2x", "1e9s", "");
  const scenario = opt("--scenario", "partition-halves", "no-such-scenario", p.bad, p.deep, path.join(p.dir, "missing.yaml"), p.dir);
  const trace = opt("--trace", path.join(p.dir, "t.jsonl"), "/nonexistent/dir/t.jsonl", p.dir, "");
  const bug = opt("--bug", "commit-previous-term", "no-such-bug", "");
  const system = opt("--system", "raft-metadata", "pingpong", "nope");
  const hash = opt("--expect-hash", "0000000000000000", "not-a-hash", "0123456789abcdef0", "ZZZZZZZZZZZZZZZZ", "");
  const optional = (a: fc.Arbitrary<string[]>) => fc.option(a, { nil: [] as string[], freq: 2 });
  const flag = (f: string) => fc.boolean().map((b) => (b ? [f] : []));
  const cat = (...parts: fc.Arbitrary<string[]>[]) => fc.tuple(...parts).map((xs) => xs.flat());
  const short = (argv: string[]): CliCase => ({ argv, mayRunLong: false, allowed: oracle(argv) });
  // What some command lines must get, whatever else they hold (the examples).
  const oracle = (argv: string[]): number[] | null => {
    const val = (o: string) => (argv.indexOf(o) >= 0 ? argv[argv.indexOf(o) + 1] : undefined);
    const cmd = argv[0];
    if ((cmd === "replay" || cmd === "run") && val("--expect-hash") !== undefined && !/^[0-9a-fA-F]{16}$/.test(val("--expect-hash")!)) return [64];
    const tr = val("--trace");
    if ((cmd === "replay" || cmd === "run") && tr !== undefined && tr !== path.join(p.dir, "t.jsonl")) return [64, 74];
    if (cmd === "check" && (argv[1] === p.hist || argv[1] === p.empty)) return [64, 65];
    if (cmd === "check" && (argv[1] === p.dir || argv[1] === path.join(p.dir, "missing.edn"))) return [64, 74];
    return null;
  };
  return fc.oneof(
    cat(fc.constant(["run"]), optional(seed), optional(time), optional(scenario), optional(trace), optional(bug), optional(system), flag("--json")).map(short),
    cat(fc.constant(["replay"]), optional(seed), optional(time), optional(hash), optional(trace), flag("--json")).map(short),
    cat(
      fc.constant(["sweep"]),
      fc.oneof(opt("--seeds", "1..3", "5", "3..1", "a..b", "0..99999999999999999999", ""), fc.constant([] as string[])),
      fc.oneof(opt("--jobs", "1", "2", "0", "10000", "-3", "x"), fc.constant([] as string[])),
      optional(bug),
      fc.constant(["--time", "300ms", "--no-progress"]),
      flag("--json"),
    ).map(short),
    // A huge range must start at once (streamed, never built): stopped by the harness, not by V8.
    fc.constantFrom("1..1000000000000", "1..9007199254740991").map((r) => ({ argv: ["sweep", "--seeds", r, "--time", "100ms", "--no-progress"], mayRunLong: true, allowed: null })),
    cat(
      fc.constant(["check"]),
      fc.constantFrom(p.hist, p.empty, path.join(h, "porcupine/etcd/etcd_000.log"), path.join(h, "knossos/cas-register/good/memstress3-0.edn"), path.join(p.dir, "missing.edn"), p.dir).map((f) => [f]),
      optional(opt("--format", "jsonl", "porcupine-etcd", "porcupine-kv", "edn", "xml")),
      optional(opt("--model", "cas-register", "metadata-kv", "nope")),
      optional(opt("--timeout", "2s", "0", "abc")),
      flag("--lenient"),
      flag("--json"),
    ).map(short),
    cat(
      fc.constant(["figure16", "--trials"]),
      fc.constantFrom("1", "2", "0", "-1", "x", "1000001").map((x) => [x]),
      optional(opt("--latency", "7", "100", "0", "-1", "1e9", "abc")),
      optional(opt("--fsync", "1", "7", "10001")),
      optional(opt("--jitter", "0.1", "7", "0")),
      fc.constant(["--no-progress"]),
      flag("--json"),
    ).map(short),
    fc.constantFrom<string[]>(["bugs"], ["bugs", "--json"], ["scenarios"], ["systems"], ["nope"], ["run", "--nope"], [], ["--help"], ["check"], ["sweep"]).map(short),
  );
}

/** Spawns the built CLI; stops it after `maxMs`. */
export function runCliCase(c: CliCase, maxMs: number): Promise<{ outcome: Outcome; expect: Expectation }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...c.argv], { cwd: paths?.dir ?? ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout.length < 1_000_000 ? (stdout += d) : undefined));
    child.stderr.on("data", (d) => (stderr.length < 1_000_000 ? (stderr += d) : undefined));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, maxMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({
        outcome: { code: killed ? null : code, stdout, stderr, ms: performance.now() - t0, killed },
        expect: { maxMs, mayRunLong: c.mayRunLong, allowed: c.allowed === null ? undefined : new Set(c.allowed) },
      });
    });
  });
}
