// Jepsen histories in EDN: one vector/list of op maps, or op maps one after another (as
// Porcupine's kv files are). Nemesis ops (any non-integer :process) are skipped; extra keys
// are ignored. The input is {f, value, key?} from the invocation; the output is the
// completion's :value.
import { clip, HistoryInputError, quote } from "../errors.js";
import { eventsToOperations, HistoryError, type Event, type Operation } from "../history.js";
import { EdnColl, EdnMap, EdnSymbol, Keyword, ednToJs, parseEdn, type EdnValue } from "./edn.js";

export interface JepsenInput {
  readonly f: string;
  readonly value: unknown;
  readonly key?: unknown;
}

const TYPES = new Set(["invoke", "ok", "fail", "info"]);

/** The operations; `opLines`, when given, receives each operation's line (its invocation's). */
export function readJepsenEdn(text: string, source: string, opLines?: number[]): Operation<JepsenInput, unknown>[] {
  const forms = parseEdn(text, source);
  const items: EdnValue[] = forms.length === 1 && forms[0] instanceof EdnColl && forms[0].kind !== "set" ? [...forms[0].items] : forms;
  const events: Event<JepsenInput, unknown>[] = [];
  const lines: number[] = [];
  const openF = new Map<number, string>();
  const invokeLines: number[] = [];
  items.forEach((item, i) => {
    if (!(item instanceof EdnMap)) {
      const line = item instanceof EdnColl ? item.line : undefined;
      throw new HistoryInputError(source, line || undefined, `op ${i + 1}: expected an op map {:process …, :type …, :f …}, found ${show(item)}`);
    }
    const process = item.get("process");
    if (typeof process !== "number") {
      if (process instanceof Keyword || typeof process === "string") return; // :nemesis and other non-client processes
      throw new HistoryInputError(source, item.line, `op ${i + 1}: :process must be an integer or a keyword, found ${show(process)}`);
    }
    if (!Number.isInteger(process)) throw new HistoryInputError(source, item.line, `op ${i + 1}: :process must be an integer, found ${process}`);
    const type = item.get("type");
    if (!(type instanceof Keyword) || !TYPES.has(type.name)) throw new HistoryInputError(source, item.line, `op ${i + 1}: :type must be :invoke, :ok, :fail or :info, found ${show(type)}`);
    const f = item.get("f");
    if (!(f instanceof Keyword || typeof f === "string")) throw new HistoryInputError(source, item.line, `op ${i + 1}: :f must be a keyword, found ${show(f)}`);
    const fName = f instanceof Keyword ? f.name : f;
    const value = ednToJs(item.get("value") ?? null);
    if (type.name === "invoke") {
      const key = item.get("key");
      const input: JepsenInput = key === undefined ? { f: fName, value } : { f: fName, value, key: ednToJs(key) };
      events.push({ type: "invoke", client: process, input });
      openF.set(process, fName);
      invokeLines.push(item.line);
    } else {
      const invoked = openF.get(process);
      if (invoked !== undefined && invoked !== fName) throw new HistoryInputError(source, item.line, `process ${process} completes :${clip(fName, 30)} but invoked :${clip(invoked, 30)}`);
      openF.delete(process);
      events.push({ type: type.name as "ok" | "fail" | "info", client: process, output: value });
    }
    lines.push(item.line);
  });
  try {
    const ops = eventsToOperations(events);
    opLines?.push(...invokeLines);
    return ops;
  } catch (e) {
    if (e instanceof HistoryError) throw new HistoryInputError(source, lines[e.index], e.message);
    throw e;
  }
}

function show(v: EdnValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "nil";
  if (v instanceof EdnMap) return "a map";
  if (v instanceof EdnColl) return `a ${v.kind}`;
  if (v instanceof Keyword) return clip(`:${v.name}`, 40);
  if (typeof v === "string") return `the string ${quote(v, 40)}`;
  if (v instanceof EdnSymbol) return `the symbol ${quote(v.name, 40)}`;
  if (typeof v === "object" && "char" in v) return `the character ${JSON.stringify(v.char)}`;
  return clip(String(v), 40);
}
