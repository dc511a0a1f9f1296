// raftsim's own history format: JSON Lines, one operation per line.
//
//   {"raftsim":"history","model":"metadata-kv"}                         optional first line
//   {"client":1,"input":{...},"call":10,"ret":12,"status":"ok","output":{...}}
//   {"client":2,"input":{...},"call":11,"status":"info"}                 info: no ret, no output
//
// Times are numbers (any unit; only order matters). Instead of operations, a file may hold
// events, one per line: {"type":"invoke","client":1,"input":{...},"time":10} then
// {"type":"ok"|"fail"|"info","client":1,"output":{...},"time":12}. Blank lines are ignored.
import { HistoryInputError, nestingDepth, showFound } from "../errors.js";
import { eventsToOperations, HistoryError, validateOperation, type Event, type Operation, type Status } from "../history.js";

export interface JsonlHistory {
  readonly model?: string;
  readonly ops: Operation[];
}

const STATUSES = new Set(["ok", "fail", "info"]);

/** Values nested deeper than this are rejected (an operation needs three or four levels). */
export const MAX_JSONL_DEPTH = 64;

/** "not JSON" with the column where V8 saw the problem, in our words. */
function jsonProblem(raw: string, e: unknown): { problem: string; col?: number } {
  const msg = e instanceof Error ? e.message : "";
  const at = /at position (\d+)/.exec(msg);
  const tok = /^Unexpected token '(.)'/.exec(msg);
  let pos = at !== null ? Number(at[1]) : tok !== null ? raw.indexOf(tok[1]) : -1;
  if (/Unexpected end of JSON input/.test(msg)) pos = raw.length;
  if (pos < 0) pos = raw.search(/\S/);
  const found = pos >= raw.length ? "the end of the line" : JSON.stringify(raw[pos]);
  return { problem: `not JSON: expected one JSON object per line, found ${found} where the JSON breaks off`, col: pos + 1 };
}

/** The operations of a JSONL history; `opLines`, when given, receives each operation's line. */
export function readJsonl(text: string, source: string, opLines?: number[]): JsonlHistory {
  let model: string | undefined;
  const ops: Operation[] = [];
  const events: Event[] = [];
  const lines: number[] = [];
  const opLineList: number[] = [];
  const invokeLines: number[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    const fail = (problem: string, col?: number): never => {
      throw new HistoryInputError(source, line, problem, col);
    };
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch (e) {
      const { problem, col } = jsonProblem(raw, e);
      fail(problem, col);
    }
    if (typeof o !== "object" || o === null || Array.isArray(o)) fail(`expected a JSON object {"client": …, "input": …, …}, found ${showFound(o)}`);
    if (nestingDepth(o, MAX_JSONL_DEPTH) > MAX_JSONL_DEPTH) fail(`values nested deeper than ${MAX_JSONL_DEPTH} levels (expected an operation object)`);
    const r = o as Record<string, unknown>;
    if ("raftsim" in r) {
      if (ops.length + events.length > 0) fail("the header {\"raftsim\": \"history\", …} must be the first line");
      if (r.model !== undefined && typeof r.model !== "string") fail(`"model" must be a string, found ${showFound(r.model)}`);
      model = r.model as string | undefined;
      return;
    }
    if (!Number.isSafeInteger(r.client)) fail(`"client" must be an integer, found ${showFound(r.client)}`);
    const client = r.client as number;
    if ("type" in r) {
      if (ops.length > 0) fail("an event line (with \"type\") in a file of operation lines");
      if (r.time !== undefined && typeof r.time !== "number") fail(`"time" must be a number, found ${showFound(r.time)}`);
      const time = r.time as number | undefined;
      if (r.type === "invoke") {
        if (!("input" in r)) fail(`an invoke needs "input", found none`);
        events.push({ type: "invoke", client, input: r.input, time });
        invokeLines.push(line);
      } else if (typeof r.type === "string" && STATUSES.has(r.type)) {
        events.push({ type: r.type as Status, client, output: r.output, time });
      } else fail(`"type" must be invoke, ok, fail or info, found ${showFound(r.type)}`);
      lines.push(line);
      return;
    }
    if (events.length > 0) fail("an operation line (without \"type\") in a file of event lines");
    if (typeof r.status !== "string" || !STATUSES.has(r.status)) fail(`"status" must be ok, fail or info, found ${showFound(r.status)}`);
    if (!("input" in r)) fail(`"input" is required, found none`);
    const status = r.status as Status;
    if (typeof r.call !== "number") fail(`"call" must be a number, found ${showFound(r.call)}`);
    let ret = Infinity;
    if (status !== "info") {
      if (typeof r.ret !== "number") fail(`"ret" must be a number for an ${status} operation, found ${showFound(r.ret)}`);
      ret = r.ret as number;
    } else if (r.ret !== undefined && r.ret !== null) fail(`an info operation never returns: omit "ret" (found ${showFound(r.ret)})`);
    const op: Operation = { client, input: r.input, call: r.call as number, ret, status, output: status === "info" ? undefined : r.output };
    try {
      validateOperation(op, ops.length);
    } catch (e) {
      if (e instanceof HistoryError) fail(e.message);
      throw e;
    }
    ops.push(op);
    opLineList.push(line);
  });
  if (events.length === 0) {
    opLines?.push(...opLineList);
    return { model, ops };
  }
  try {
    const out = eventsToOperations(events);
    opLines?.push(...invokeLines);
    return { model, ops: out };
  } catch (e) {
    if (e instanceof HistoryError) throw new HistoryInputError(source, lines[e.index], e.message);
    throw e;
  }
}

/** Our histories as JSONL operation lines (info ops without ret/output), with a header naming the model. */
export function writeJsonl(ops: readonly Operation[], model?: string): string {
  const out: string[] = [];
  if (model !== undefined) out.push(JSON.stringify({ raftsim: "history", model }));
  ops.forEach((op, i) => {
    validateOperation(op, i);
    const { client, input, call, status } = op;
    out.push(JSON.stringify(status === "info" ? { client, input, call, status } : { client, input, call, ret: op.ret, status, output: op.output }));
  });
  return out.join("\n") + "\n";
}
