// The import graph of the repository and the rule engine the architecture test runs on it.
//
// scanImports() reads one file's text: comments, strings, template literals and regex literals
// are lexed (so an `import` inside a string or comment is not an edge), then every
// `import … from "…"`, `import "…"`, `import type …`, `export … from "…"` and `import("…")`
// with a literal is recorded, with whether it brings in types only. resolveSpecifier() maps a
// relative specifier to a repo-relative path (".js" → ".ts", a directory → its index.ts).
// checkEdge() applies allow-lists, kept as data in imports.test.ts; findCycles() reports every
// strongly connected component of more than one file (or a file importing itself).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

// ---------------------------------------------------------------------------------------------
// Lexing and scanning

export interface ImportRef {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly line: number;
  readonly kind: "import" | "export" | "dynamic" | "side-effect";
}

interface Lexed {
  /** The text with comments blanked and the insides of strings, templates and regexes masked (same length, newlines kept). */
  readonly code: string;
  /** String literals by the offset of their opening quote. */
  readonly strings: ReadonlyMap<number, string>;
}

const REGEX_AFTER_CHAR = new Set([..."(,=:[!&|?{};+-*%<>~^"]);
const REGEX_AFTER_WORD = new Set(["return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "instanceof", "yield", "await"]);

export function lex(src: string): Lexed {
  const out: string[] = new Array(src.length);
  const strings = new Map<number, string>();
  const mask = (from: number, to: number) => {
    for (let k = from; k < to; k++) out[k] = src[k] === "\n" ? "\n" : " ";
  };
  const copy = (k: number) => {
    out[k] = src[k];
  };

  /** Lexes code from `i` until an unmatched `}` (when `inTemplate`) or the end; returns the index after it. */
  function code(i: number, inTemplate: boolean): number {
    let depth = 0;
    while (i < src.length) {
      const c = src[i];
      if (c === "/" && src[i + 1] === "/") {
        const end = src.indexOf("\n", i);
        const stop = end === -1 ? src.length : end;
        mask(i, stop);
        i = stop;
      } else if (c === "/" && src[i + 1] === "*") {
        const end = src.indexOf("*/", i + 2);
        const stop = end === -1 ? src.length : end + 2;
        mask(i, stop);
        i = stop;
      } else if (c === '"' || c === "'") {
        i = quoted(i, c);
      } else if (c === "`") {
        i = template(i);
      } else if (c === "/" && regexAllowed(i)) {
        i = regex(i);
      } else {
        copy(i);
        if (c === "{") depth++;
        else if (c === "}") {
          if (depth === 0 && inTemplate) return i + 1;
          depth--;
        }
        i++;
      }
    }
    return i;
  }

  function regexAllowed(i: number): boolean {
    let k = i - 1;
    while (k >= 0 && /\s/.test(out[k] ?? src[k])) k--;
    if (k < 0) return true;
    const p = out[k];
    if (REGEX_AFTER_CHAR.has(p)) return true;
    if (/[\w$]/.test(p)) {
      let s = k;
      while (s > 0 && /[\w$]/.test(out[s - 1])) s--;
      return REGEX_AFTER_WORD.has(out.slice(s, k + 1).join(""));
    }
    return false;
  }

  function quoted(i: number, q: string): number {
    let j = i + 1;
    let value = "";
    while (j < src.length && src[j] !== q && src[j] !== "\n") {
      if (src[j] === "\\") {
        value += src[j + 1] ?? "";
        j += 2;
      } else value += src[j++];
    }
    copy(i);
    mask(i + 1, j);
    if (j < src.length && src[j] === q) copy(j);
    strings.set(i, value);
    return j + 1;
  }

  function template(i: number): number {
    copy(i);
    let j = i + 1;
    while (j < src.length && src[j] !== "`") {
      if (src[j] === "\\") {
        mask(j, j + 2);
        j += 2;
      } else if (src[j] === "$" && src[j + 1] === "{") {
        mask(j, j + 2);
        const end = code(j + 2, true);
        mask(j + 2, end); // expressions inside a template are not import statements
        j = end;
      } else {
        mask(j, j + 1);
        j++;
      }
    }
    if (j < src.length) copy(j);
    return j + 1;
  }

  function regex(i: number): number {
    copy(i);
    let j = i + 1;
    let inClass = false;
    while (j < src.length && src[j] !== "\n") {
      const c = src[j];
      if (c === "\\") {
        j += 2;
        continue;
      }
      if (c === "[") inClass = true;
      else if (c === "]") inClass = false;
      else if (c === "/" && !inClass) break;
      j++;
    }
    mask(i + 1, Math.min(j, src.length));
    if (j < src.length && src[j] === "/") copy(j);
    return j + 1;
  }

  code(0, false);
  for (let k = 0; k < src.length; k++) if (out[k] === undefined) out[k] = src[k] === "\n" ? "\n" : " ";
  return { code: out.join(""), strings };
}

/** Every module reference in a TypeScript source text. */
export function scanImports(src: string): ImportRef[] {
  const { code, strings } = lex(src);
  const refs: ImportRef[] = [];
  const lineAt = (pos: number) => {
    let n = 1;
    for (let k = 0; k < pos; k++) if (code.charCodeAt(k) === 10) n++;
    return n;
  };
  /** The string literal starting at the first non-space at or after `pos`, with its end. */
  const literalAt = (pos: number): { value: string; end: number } | undefined => {
    const m = /^\s*/.exec(code.slice(pos))!;
    const start = pos + m[0].length;
    const value = strings.get(start);
    if (value === undefined) return undefined;
    return { value, end: code.indexOf(code[start], start + 1) + 1 };
  };

  const KEYWORD = /(?<![\w$.])(import|export)(?![\w$])/g;
  for (let m = KEYWORD.exec(code); m !== null; m = KEYWORD.exec(code)) {
    const at = m.index;
    const after = at + m[0].length;
    const rest = code.slice(after);
    if (m[1] === "import") {
      const dyn = /^\s*\(/.exec(rest);
      if (dyn) {
        const lit = literalAt(after + dyn[0].length);
        if (lit === undefined) continue; // import(expr): not a literal, nothing to record
        const typeQuery = /(?<![\w$])typeof\s*$/.test(code.slice(Math.max(0, at - 20), at));
        refs.push({ specifier: lit.value, typeOnly: typeQuery, line: lineAt(at), kind: "dynamic" });
        continue;
      }
      if (/^\s*\./.test(rest)) continue; // import.meta
      const bare = literalAt(after);
      if (bare) {
        refs.push({ specifier: bare.value, typeOnly: false, line: lineAt(at), kind: "side-effect" });
        continue;
      }
      const from = /^([^;]*?)(?<![\w$])from(?=\s*["'])/.exec(rest);
      if (!from) continue;
      const lit = literalAt(after + from[0].length);
      if (!lit) continue;
      refs.push({ specifier: lit.value, typeOnly: clauseIsTypeOnly(from[1]), line: lineAt(at), kind: "import" });
    } else {
      const head = /^\s*(type\s+)?(\*(\s+as\s+[\w$]+)?|\{[^}]*\})\s*from(?=\s*["'])/.exec(rest);
      if (!head) continue;
      const lit = literalAt(after + head[0].length);
      if (!lit) continue;
      const typeOnly = head[1] !== undefined || (head[2].startsWith("{") && bracesAllTypes(head[2]));
      refs.push({ specifier: lit.value, typeOnly, line: lineAt(at), kind: "export" });
    }
  }
  return refs;
}

function clauseIsTypeOnly(clause: string): boolean {
  const c = clause.trim();
  if (/^type\s+(?!from$)/.test(c) || /^type\s*\{/.test(c)) return true;
  return /^\{[^}]*\}$/.test(c) && bracesAllTypes(c);
}

/** `{ type A, type B as C }`: every specifier is marked `type` (then TypeScript drops the import). */
function bracesAllTypes(braces: string): boolean {
  const names = braces
    .slice(1, -1)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return names.length > 0 && names.every((s) => /^type\s+[\w$]/.test(s));
}

// ---------------------------------------------------------------------------------------------
// Resolution and the graph

export interface Edge {
  readonly from: string;
  readonly to: string;
  /** True when every reference from `from` to `to` brings in types only. */
  readonly typeOnly: boolean;
  readonly line: number;
}

/** Repo-relative target of a relative specifier, or undefined for a package / node: module. Throws when a relative one does not resolve. */
export function resolveSpecifier(fromFile: string, spec: string, exists: (p: string) => boolean): string | undefined {
  if (!spec.startsWith("./") && !spec.startsWith("../") && spec !== "." && spec !== "..") return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), spec));
  const candidates: string[] = [];
  if (/\.(m|c)?js$/.test(base)) candidates.push(base.replace(/\.(m|c)?js$/, (e) => e.replace("js", "ts")));
  candidates.push(base);
  if (!/\.[cm]?[jt]s$|\.json$/.test(base)) candidates.push(`${base}.ts`);
  candidates.push(`${base}/index.ts`);
  for (const c of candidates) if (exists(c)) return c;
  throw new Error(`${fromFile}: cannot resolve "${spec}" (tried ${candidates.join(", ")})`);
}

/** Files (repo-relative, "/"-separated) under each of `dirs` whose name ends in `.ts`, sorted. */
export function listTsFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) return;
    for (const e of readdirSync(abs)) {
      if (e === "node_modules") continue;
      const r = `${rel}/${e}`;
      if (statSync(path.join(root, r)).isDirectory()) walk(r);
      else if (e.endsWith(".ts")) out.push(r);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

/** Distinct file-to-file edges between the given sources (text by repo-relative path). */
export function buildEdges(sources: ReadonlyMap<string, string>, exists: (p: string) => boolean): Edge[] {
  const byPair = new Map<string, { from: string; to: string; typeOnly: boolean; line: number }>();
  for (const [file, text] of sources) {
    for (const ref of scanImports(text)) {
      const to = resolveSpecifier(file, ref.specifier, exists);
      if (to === undefined) continue;
      const key = `${file}\0${to}`;
      const prev = byPair.get(key);
      if (prev) prev.typeOnly &&= ref.typeOnly;
      else byPair.set(key, { from: file, to, typeOnly: ref.typeOnly, line: ref.line });
    }
  }
  return [...byPair.values()].sort((a, b) => (a.from === b.from ? cmp(a.to, b.to) : cmp(a.from, b.from)));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Strongly connected components of more than one file, plus files that import themselves; each sorted, the list sorted. */
export function findCycles(edges: readonly Pick<Edge, "from" | "to">[]): string[][] {
  const adj = new Map<string, string[]>();
  for (const e of edges) {
    if (!adj.has(e.from)) adj.set(e.from, []);
    if (!adj.has(e.to)) adj.set(e.to, []);
    adj.get(e.from)!.push(e.to);
  }
  // Tarjan's algorithm, iterative so a long chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const start of [...adj.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { v: string; i: number }[] = [{ v: start, i: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const succ = adj.get(top.v)!;
      if (top.i < succ.length) {
        const w = succ[top.i++];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== top.v);
        if (comp.length > 1 || adj.get(top.v)!.includes(top.v)) out.push(comp.sort());
      }
    }
  }
  return out.sort((a, b) => cmp(a.join("\n"), b.join("\n")));
}

// ---------------------------------------------------------------------------------------------
// Rules

/** A glob over repo-relative paths: `**` any number of segments, `*` within a segment, `{a,b}` alternatives, `<name>` one segment bound by name. */
export type Glob = string;

export interface Allow {
  readonly to: Glob;
  /** Only edges that bring in types alone may go there. */
  readonly typesOnly?: boolean;
  /** Targets under `to` that are still not allowed. */
  readonly except?: readonly Glob[];
}

export interface Rule {
  readonly id: string;
  readonly says: string;
  /** Files this rule governs. The first rule whose `from` matches a file is the file's rule. */
  readonly from: Glob;
  readonly allow: readonly Allow[];
}

/** Checked before the allow-lists: an edge from `from` into `to` breaks `id` unless `unless` allows it. */
export interface Deny {
  readonly id: string;
  readonly says: string;
  readonly from: Glob;
  readonly to: Glob;
  /** Importers that may still do it (may use the same `<name>` as `to`, which must then match the same segment). */
  readonly unless: readonly Glob[];
}

export interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: string;
  readonly typeOnly: boolean;
  readonly line: number;
  readonly why: string;
}

const globCache = new Map<string, { re: RegExp; names: string[] }>();

function compileGlob(glob: Glob): { re: RegExp; names: string[] } {
  const hit = globCache.get(glob);
  if (hit) return hit;
  const names: string[] = [];
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      if (glob[i + 2] === "/") {
        re += "(?:[^/]+/)*";
        i += 2;
      } else {
        re += ".*";
        i += 1;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "{") {
      const end = glob.indexOf("}", i);
      re += `(?:${glob
        .slice(i + 1, end)
        .split(",")
        .map((s) => s.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*"))
        .join("|")})`;
      i = end;
    } else if (c === "<") {
      const end = glob.indexOf(">", i);
      names.push(glob.slice(i + 1, end));
      re += "([^/]+)";
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\?]/g, "\\$&");
  }
  const out = { re: new RegExp(`^${re}$`), names };
  globCache.set(glob, out);
  return out;
}

/** The bindings of `<name>` segments when `file` matches `glob`, or undefined. */
export function matchGlob(glob: Glob, file: string): Record<string, string> | undefined {
  const { re, names } = compileGlob(glob);
  const m = re.exec(file);
  if (!m) return undefined;
  const b: Record<string, string> = {};
  names.forEach((n, k) => (b[n] = m[k + 1]));
  return b;
}

const bind = (glob: Glob, b: Record<string, string>): Glob => glob.replace(/<([^>]+)>/g, (s, n: string) => b[n] ?? s);

export function ruleFor(rules: readonly Rule[], file: string): { rule: Rule; binding: Record<string, string> } | undefined {
  for (const rule of rules) {
    const binding = matchGlob(rule.from, file);
    if (binding) return { rule, binding };
  }
  return undefined;
}

/** The rule an edge breaks, or undefined when it is allowed. Files no rule governs are reported with rule "layer". */
export function checkEdge(rules: readonly Rule[], denies: readonly Deny[], edge: Edge): Violation | undefined {
  const v = (rule: string, why: string): Violation => ({ from: edge.from, to: edge.to, rule, typeOnly: edge.typeOnly, line: edge.line, why });
  for (const d of denies) {
    if (!matchGlob(d.from, edge.from)) continue;
    const tb = matchGlob(d.to, edge.to);
    if (!tb) continue;
    if (d.unless.some((u) => matchGlob(bind(u, tb), edge.from))) continue;
    return v(d.id, d.says);
  }
  const r = ruleFor(rules, edge.from);
  if (!r) return v("layer", `${edge.from} belongs to no layer: add a rule for it`);
  for (const a of r.rule.allow) {
    if (!matchGlob(bind(a.to, r.binding), edge.to)) continue;
    if (a.except?.some((x) => matchGlob(bind(x, r.binding), edge.to))) continue;
    if (a.typesOnly && !edge.typeOnly) return v(r.rule.id, `${r.rule.says} (${a.to} for types only; this import brings in values)`);
    return undefined;
  }
  return v(r.rule.id, r.rule.says);
}

// ---------------------------------------------------------------------------------------------
// The repository

export interface RepoGraph {
  readonly files: string[];
  readonly sources: Map<string, string>;
  readonly edges: Edge[];
}

export function readRepo(root: string, dirs: readonly string[]): RepoGraph {
  const files = listTsFiles(root, dirs);
  const sources = new Map(files.map((f) => [f, readFileSync(path.join(root, f), "utf8")] as const));
  const edges = buildEdges(sources, (p) => existsSync(path.join(root, p)) && statSync(path.join(root, p)).isFile());
  return { files, sources, edges };
}

/** Lines in a text, not counting a final newline. */
export function lineCount(text: string): number {
  if (text === "") return 0;
  const n = text.split("\n").length;
  return text.endsWith("\n") ? n - 1 : n;
}

// ---------------------------------------------------------------------------------------------
// The known-violations list

export interface KnownEdge {
  readonly from: string;
  readonly to: string;
  readonly rule: string;
}

export interface KnownViolations {
  readonly edges: KnownEdge[];
  readonly cycles: string[][];
  readonly oversize: string[];
}

export interface Found {
  readonly edges: readonly KnownEdge[];
  readonly cycles: readonly string[][];
  readonly oversize: readonly string[];
}

const edgeKey = (e: KnownEdge) => `${e.from} -> ${e.to} [rule ${e.rule}]`;
const cycleKey = (c: readonly string[]) => [...c].sort().join(" <-> ");

export interface Reconciled {
  /** Found now, not listed: each one fails the test (and is never added by ARCH_UPDATE). */
  readonly fresh: { edges: KnownEdge[]; cycles: string[][]; oversize: string[] };
  /** Listed, no longer found: each one fails the test until its entry is deleted. */
  readonly stale: { edges: KnownEdge[]; cycles: string[][]; oversize: string[] };
  /** The list without its stale entries: what ARCH_UPDATE=1 writes. Never longer than `known`. */
  readonly shrunk: KnownViolations;
}

export function reconcile(known: KnownViolations, found: Found): Reconciled {
  const diff = <T>(a: readonly T[], b: readonly T[], key: (x: T) => string) => {
    const inB = new Set(b.map(key));
    return a.filter((x) => !inB.has(key(x)));
  };
  const stale = {
    edges: diff(known.edges, found.edges, edgeKey),
    cycles: diff(known.cycles, found.cycles, cycleKey),
    oversize: diff(known.oversize, found.oversize, (s) => s),
  };
  const fresh = {
    edges: diff(found.edges, known.edges, edgeKey),
    cycles: diff(found.cycles, known.cycles, cycleKey),
    oversize: diff(found.oversize, known.oversize, (s) => s),
  };
  const shrunk: KnownViolations = {
    edges: diff(known.edges, stale.edges, edgeKey),
    cycles: diff(known.cycles, stale.cycles, cycleKey),
    oversize: diff(known.oversize, stale.oversize, (s) => s),
  };
  return { fresh: { edges: [...fresh.edges], cycles: fresh.cycles.map((c) => [...c]), oversize: [...fresh.oversize] }, stale, shrunk };
}

/** The list as JSON, one entry per line, sorted, so a shrinking diff reads well. */
export function formatKnown(k: KnownViolations): string {
  const edges = [...k.edges].sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.rule, b.rule));
  const cycles = k.cycles.map((c) => [...c].sort()).sort((a, b) => cmp(a.join("\n"), b.join("\n")));
  const oversize = [...k.oversize].sort();
  const list = (items: string[]) => (items.length === 0 ? "[]" : `[\n${items.map((s) => `    ${s}`).join(",\n")}\n  ]`);
  return (
    `{\n  "edges": ${list(edges.map((e) => JSON.stringify({ from: e.from, to: e.to, rule: e.rule })))},\n` +
    `  "cycles": ${list(cycles.map((c) => JSON.stringify(c)))},\n` +
    `  "oversize": ${list(oversize.map((s) => JSON.stringify(s)))}\n}\n`
  );
}

export { edgeKey, cycleKey };
