// raftsim's own history format: JSON Lines, one operation per line.
//
//   {"raftsim":"history","model":"metadata-kv"}                         optional first line
//   {"client":1,"input":{...},"call":10,"ret":12,"status":"ok","output":{...}}
//   {"client":2,"input":{...},"call":11,"status":"info"}                 info: no ret, no output
//
// Times are numbers (any unit; only order matters). Instead of operations, a file may hold
// events, one per line: {"type":"invoke","client":1,"input":{...},"time":10} then
// {"type":"ok"|"fail"|"info","client":1,"output":{...},"time":12}. Blank lines are ignored.
import { HistoryInputError } from "../errors.js";
import { eventsToOperations, HistoryError, validateOperation, type Event, type Operation, type Status } from "../history.js";

export interface JsonlHistory {
  readonly model?: string;
  readonly ops: Operation[];
}

const STATUSES = new Set(["ok", "fail", "info"]);

export function readJsonl(text: string, source: string): JsonlHistory {
  let model: string | undefined;
  const ops: Operation[] = [];
  const events: Event[] = [];
  const lines: number[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch (e) {
      throw new HistoryInputError(source, line, `not JSON: ${(e as Error).message}`);
    }
    if (typeof o !== "object" || o === null || Array.isArray(o)) throw new HistoryInputError(source, line, "expected a JSON object");
    const r = o as Record<string, unknown>;
    if ("raftsim" in r) {
      if (ops.length + events.length > 0) throw new HistoryInputError(source, line, "the header must be the first line");
      if (r.model !== undefined && typeof r.model !== "string") throw new HistoryInputError(source, line, `"model" must be a string`);
      model = r.model as string | undefined;
      return;
    }
    if (!Number.isInteger(r.client)) throw new HistoryInputError(source, line, `"client" must be an integer`);
    const client = r.client as number;
    if ("type" in r) {
      if (ops.length > 0) throw new HistoryInputError(source, line, "an event line in a file of operation lines");
      if (r.time !== undefined && typeof r.time !== "number") throw new HistoryInputError(source, line, `"time" must be a number`);
      const time = r.time as number | undefined;
      if (r.type === "invoke") {
        if (!("input" in r)) throw new HistoryInputError(source, line, `an invoke needs "input"`);
        events.push({ type: "invoke", client, input: r.input, time });
      } else if (typeof r.type === "string" && STATUSES.has(r.type)) {
        events.push({ type: r.type as Status, client, output: r.output, time });
      } else throw new HistoryInputError(source, line, `"type" must be invoke, ok, fail or info`);
      lines.push(line);
      return;
    }
    if (events.length > 0) throw new HistoryInputError(source, line, "an operation line in a file of event lines");
    if (typeof r.status !== "string" || !STATUSES.has(r.status)) throw new HistoryInputError(source, line, `"status" must be ok, fail or info`);
    if (!("input" in r)) throw new HistoryInputError(source, line, `missing "input"`);
    const status = r.status as Status;
    if (typeof r.call !== "number") throw new HistoryInputError(source, line, `"call" must be a number`);
    let ret = Infinity;
    if (status !== "info") {
      if (typeof r.ret !== "number") throw new HistoryInputError(source, line, `"ret" must be a number for an ${status} operation`);
      ret = r.ret;
    } else if (r.ret !== undefined && r.ret !== null) throw new HistoryInputError(source, line, `an info operation never returns: omit "ret"`);
    const op: Operation = { client, input: r.input, call: r.call, ret, status, output: status === "info" ? undefined : r.output };
    try {
      validateOperation(op, ops.length);
    } catch (e) {
      if (e instanceof HistoryError) throw new HistoryInputError(source, line, e.message);
      throw e;
    }
    ops.push(op);
  });
  if (events.length === 0) return { model, ops };
  try {
    return { model, ops: eventsToOperations(events) };
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
