// A small, real EDN reader (https://github.com/edn-format/edn): nil, booleans, numbers,
// strings, characters, keywords, symbols, lists, vectors, maps, sets, tagged values (the tag
// is dropped), `;` comments, `#_` discards, commas as whitespace. Every collection remembers
// the line it starts on so history readers can name the line of a bad op. Nesting is limited
// (MAX_EDN_DEPTH): deeper input is an error naming the line and column, not a stack overflow.
import { clip, HistoryInputError } from "../errors.js";

/** Collections nested deeper than this are rejected (a history needs three or four levels). */
export const MAX_EDN_DEPTH = 200;

export class Keyword {
  constructor(readonly name: string) {}
  toString(): string {
    return `:${this.name}`;
  }
}

export class EdnSymbol {
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

export class EdnMap {
  constructor(
    readonly entries: readonly (readonly [EdnValue, EdnValue])[],
    readonly line: number,
  ) {}
  /** The value under keyword :name, or undefined when absent. */
  get(name: string): EdnValue | undefined {
    for (const [k, v] of this.entries) if (k instanceof Keyword && k.name === name) return v;
    return undefined;
  }
}

export class EdnColl {
  constructor(
    readonly kind: "list" | "vector" | "set",
    readonly items: readonly EdnValue[],
    readonly line: number,
  ) {}
}

export type EdnValue = null | boolean | number | string | { char: string } | Keyword | EdnSymbol | EdnMap | EdnColl;

const DELIMS = new Set(["(", ")", "[", "]", "{", "}", '"', ";"]);
const isSpace = (c: string) => c === " " || c === "," || c === "\n" || c === "\t" || c === "\r" || c === "\f";

class Reader {
  pos = 0;
  line = 1;
  col = 1;
  depth = 0;
  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  fail(problem: string, line?: number): never {
    if (line !== undefined) throw new HistoryInputError(this.source, line, problem); // where a form starts: no column
    throw new HistoryInputError(this.source, this.line, problem, this.col);
  }

  private advance(): string {
    const c = this.text[this.pos++];
    if (c === "\n") {
      this.line++;
      this.col = 1;
    } else this.col++;
    return c;
  }

  /** Skips whitespace, commas and comments; returns false at end of input. */
  skip(): boolean {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (isSpace(c)) this.advance();
      else if (c === ";") while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.advance();
      else return true;
    }
    return false;
  }

  /** Reads one value; `close` is the delimiter that may end the enclosing collection. */
  read(close?: string): EdnValue | typeof END {
    for (;;) {
      if (!this.skip()) return this.fail(close ? `unexpected end of input: missing "${close}"` : "unexpected end of input");
      const line = this.line;
      const c = this.text[this.pos];
      if (c === ")" || c === "]" || c === "}") {
        if (c === close) {
          this.advance();
          return END;
        }
        return this.fail(`unexpected "${c}"${close ? `, expected "${close}"` : ""}`);
      }
      if (c === "(") return this.advance(), new EdnColl("list", this.readSeq(")"), line);
      if (c === "[") return this.advance(), new EdnColl("vector", this.readSeq("]"), line);
      if (c === "{") return this.advance(), this.readMap(line);
      if (c === '"') return this.readString();
      if (c === "\\") return this.readChar();
      if (c === "#") {
        this.advance();
        const d = this.text[this.pos];
        if (d === "{") return this.advance(), new EdnColl("set", this.readSeq("}"), line);
        if (d === "_") {
          this.advance();
          if (this.nested(() => this.read()) === END) this.fail("#_ discards nothing");
          continue;
        }
        const tag = this.readToken();
        if (tag === "" || !/^[A-Za-z]/.test(tag)) this.fail(`bad dispatch "#${clip(tag, 30)}" (expected #{, #_ or a tag)`);
        const v = this.nested(() => this.read());
        if (v === END) this.fail(`tag #${clip(tag, 30)} has no value`);
        return v;
      }
      return this.readAtom();
    }
  }

  /** Runs `f` one level deeper; past MAX_EDN_DEPTH levels the input is rejected. */
  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_EDN_DEPTH) this.fail(`nested deeper than ${MAX_EDN_DEPTH} levels (expected a history: a vector of op maps)`);
    const v = f();
    this.depth--;
    return v;
  }

  private readSeq(close: string): EdnValue[] {
    return this.nested(() => {
      const items: EdnValue[] = [];
      for (;;) {
        const v = this.read(close);
        if (v === END) return items;
        items.push(v);
      }
    });
  }

  private readMap(line: number): EdnMap {
    const items = this.readSeq("}");
    if (items.length % 2 !== 0) this.fail(`map starting here has an odd number of forms (${items.length})`, line);
    const entries: [EdnValue, EdnValue][] = [];
    for (let i = 0; i < items.length; i += 2) entries.push([items[i], items[i + 1]]);
    return new EdnMap(entries, line);
  }

  private readString(): string {
    const line = this.line;
    this.advance();
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unterminated string", line);
      const c = this.advance();
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.advance();
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", b: "\b", f: "\f" };
      if (e in simple) out += simple[e];
      else if (e === "u") {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`bad unicode escape \\u${clip(hex, 4)}`);
        for (let i = 0; i < 4; i++) this.advance();
        out += String.fromCharCode(parseInt(hex, 16));
      } else this.fail(`bad escape \\${e} in string`);
    }
  }

  private readChar(): { char: string } {
    this.advance();
    const tok = this.readToken(true);
    const named: Record<string, string> = { newline: "\n", space: " ", tab: "\t", return: "\r" };
    if (tok.length === 1) return { char: tok };
    if (tok in named) return { char: named[tok] };
    if (/^u[0-9a-fA-F]{4}$/.test(tok)) return { char: String.fromCharCode(parseInt(tok.slice(1), 16)) };
    return this.fail(`bad character literal \\${clip(tok, 30)}`);
  }

  private readToken(firstAny = false): string {
    const start = this.pos;
    if (firstAny && this.pos < this.text.length) this.advance();
    while (this.pos < this.text.length && !isSpace(this.text[this.pos]) && !DELIMS.has(this.text[this.pos])) this.advance();
    return this.text.slice(start, this.pos);
  }

  private readAtom(): EdnValue {
    const tok = this.readToken();
    if (tok === "") this.fail(`unexpected character ${JSON.stringify(this.text[this.pos])}`);
    if (tok === "nil") return null;
    if (tok === "true") return true;
    if (tok === "false") return false;
    if (/^[+-]?\d/.test(tok)) {
      const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)[NM]?$/.exec(tok);
      if (m === null) this.fail(`bad number "${clip(tok, 40)}"`);
      return Number(m[1]);
    }
    if (tok[0] === ":") {
      if (tok.length === 1 || tok[1] === ":" && tok.length === 2) this.fail(`bad keyword "${clip(tok, 40)}"`);
      return new Keyword(tok.slice(tok[1] === ":" ? 2 : 1));
    }
    return new EdnSymbol(tok);
  }
}

const END = Symbol("end");

/** Every top-level form of `text`; errors are HistoryInputErrors naming `source:line`. */
export function parseEdn(text: string, source: string): EdnValue[] {
  const r = new Reader(text, source);
  const forms: EdnValue[] = [];
  while (r.skip()) {
    const v = r.read();
    if (v === END) throw new HistoryInputError(source, r.line, "unexpected closing delimiter", r.col); // unreachable: read() fails first
    forms.push(v);
  }
  return forms;
}

/** EDN as plain JS data: keywords become ":name" strings, collections arrays, maps objects keyed by name. */
export function ednToJs(v: EdnValue): unknown {
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") return v;
  if (v instanceof Keyword) return `:${v.name}`;
  if (v instanceof EdnSymbol) return v.name;
  if (v instanceof EdnColl) return v.items.map(ednToJs);
  if (v instanceof EdnMap) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v.entries) {
      const key = k instanceof Keyword ? k.name : ednToJs(k);
      o[typeof key === "string" ? key : JSON.stringify(key)] = ednToJs(x);
    }
    return o;
  }
  return v.char;
}

/** Writes plain JS data as EDN: object keys become keywords; strings starting with ":" stay strings unless asKeyword. */
export function jsToEdn(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RangeError(`EDN cannot hold ${v}`);
    return String(v);
  }
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Keyword) return `:${v.name}`;
  if (Array.isArray(v)) return `[${v.map(jsToEdn).join(" ")}]`;
  if (typeof v === "object") {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `:${k} ${jsToEdn(x)}`)
      .join(", ")}}`;
  }
  throw new TypeError(`EDN cannot hold a ${typeof v}`);
}
