// Jepsen histories in EDN: one vector/list of op maps, or op maps one after another (as
// Porcupine's kv files are). Nemesis ops (any non-integer :process) are skipped; extra keys
// are ignored. The input is {f, value, key?} from the invocation; the output is the
// completion's :value.
import { HistoryInputError } from "../errors.js";
import { eventsToOperations, HistoryError, type Event, type Operation } from "../history.js";
import { EdnColl, EdnMap, Keyword, ednToJs, parseEdn, type EdnValue } from "./edn.js";

export interface JepsenInput {
  readonly f: string;
  readonly value: unknown;
  readonly key?: unknown;
}

const TYPES = new Set(["invoke", "ok", "fail", "info"]);

export function readJepsenEdn(text: string, source: string): Operation<JepsenInput, unknown>[] {
  const forms = parseEdn(text, source);
  const items: EdnValue[] = forms.length === 1 && forms[0] instanceof EdnColl && forms[0].kind !== "set" ? [...forms[0].items] : forms;
  const events: Event<JepsenInput, unknown>[] = [];
  const lines: number[] = [];
  const openF = new Map<number, string>();
  items.forEach((item, i) => {
    if (!(item instanceof EdnMap)) {
      const line = item instanceof EdnColl ? item.line : undefined;
      throw new HistoryInputError(source, line || undefined, `op ${i + 1} is not a map`);
    }
    const process = item.get("process");
    if (typeof process !== "number") {
      if (process instanceof Keyword || typeof process === "string") return; // :nemesis and other non-client processes
      throw new HistoryInputError(source, item.line, `:process must be an integer or a keyword, got ${show(process)}`);
    }
    if (!Number.isInteger(process)) throw new HistoryInputError(source, item.line, `:process must be an integer, got ${process}`);
    const type = item.get("type");
    if (!(type instanceof Keyword) || !TYPES.has(type.name)) throw new HistoryInputError(source, item.line, `:type must be :invoke, :ok, :fail or :info, got ${show(type)}`);
    const f = item.get("f");
    if (!(f instanceof Keyword || typeof f === "string")) throw new HistoryInputError(source, item.line, `:f must be a keyword, got ${show(f)}`);
    const fName = f instanceof Keyword ? f.name : f;
    const value = ednToJs(item.get("value") ?? null);
    if (type.name === "invoke") {
      const key = item.get("key");
      const input: JepsenInput = key === undefined ? { f: fName, value } : { f: fName, value, key: ednToJs(key) };
      events.push({ type: "invoke", client: process, input });
      openF.set(process, fName);
    } else {
      const invoked = openF.get(process);
      if (invoked !== undefined && invoked !== fName) throw new HistoryInputError(source, item.line, `process ${process} completes :${fName} but invoked :${invoked}`);
      openF.delete(process);
      events.push({ type: type.name as "ok" | "fail" | "info", client: process, output: value });
    }
    lines.push(item.line);
  });
  try {
    return eventsToOperations(events);
  } catch (e) {
    if (e instanceof HistoryError) throw new HistoryInputError(source, lines[e.index], e.message);
    throw e;
  }
}

function show(v: EdnValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v instanceof EdnMap) return "a map";
  if (v instanceof EdnColl) return `a ${v.kind}`;
  return String(v);
}
