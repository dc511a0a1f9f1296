// Porcupine's etcd logs (Jepsen's etcd test): "INFO  jepsen.util - <process> <type> <f> <value>".
// Blank lines and other loggers' lines ("WARN  jepsen.core - …") are skipped; any other line is
// an error naming it (text that is not such a log is never read as an empty history). `:fail :read :timed-out` closes a
// read with an unknown result (status "fail", no output); `:info ... :timed-out` leaves the
// op open to the end. Inputs are the register models' {f, value}.
import { clip, HistoryInputError, quote } from "../errors.js";
import { eventsToOperations, HistoryError, type Event, type Operation } from "../history.js";
import type { RegisterInput, RegisterValue } from "../models/register-values.js";

const LINE = /^INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(\w+)\s+:(\w+)\s+(.*?)\s*$/;
/** A log4j-style line of some logger: "LEVEL  logger.name - message". */
const LOG_LINE = /^(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\s+[\w.$-]+\s+-(\s|$)/;
const EXPECTED_LINE = `"INFO  jepsen.util - <process> :<type> :<f> <value>"`;

function parseValue(s: string, source: string, line: number): RegisterValue | [RegisterValue, RegisterValue] | "timed-out" {
  if (s === "nil") return null;
  if (s === ":timed-out") return "timed-out";
  if (/^-?\d+$/.test(s)) return Number(s);
  const pair = /^\[\s*(-?\d+|nil)\s+(-?\d+|nil)\s*\]$/.exec(s);
  if (pair) return [pair[1] === "nil" ? null : Number(pair[1]), pair[2] === "nil" ? null : Number(pair[2])];
  throw new HistoryInputError(source, line, `value must be nil, an integer, [from to] or :timed-out, found ${quote(s, 40)}`);
}

/** The operations; `opLines`, when given, receives each operation's line (its invocation's). */
export function readPorcupineEtcd(text: string, source: string, opLines?: number[]): Operation<RegisterInput, unknown>[] {
  const events: Event<RegisterInput, unknown>[] = [];
  const lines: number[] = [];
  const openF = new Map<number, string>();
  const invokeLines: number[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    if (!/^INFO\s+jepsen\.util\b/.test(raw)) {
      if (!LOG_LINE.test(raw)) throw new HistoryInputError(source, line, `expected an etcd log line ${EXPECTED_LINE}, found ${quote(raw.trim())}`);
      if (/\s:(invoke|ok|fail|info)\s/.test(raw)) throw new HistoryInputError(source, line, `an operation logged by another logger than jepsen.util: expected ${EXPECTED_LINE}, found ${quote(raw.trim())}`);
      return; // another logger's line: not an operation
    }
    const m = LINE.exec(raw);
    if (m === null) throw new HistoryInputError(source, line, `expected "<process> :<type> :<f> <value>" after "jepsen.util -", found ${quote(raw.replace(/^INFO\s+jepsen\.util\s*-?\s*/, ""))}`);
    const [, proc, type, f, rawValue] = m;
    if (!/^\d+$/.test(proc) || !Number.isSafeInteger(Number(proc))) throw new HistoryInputError(source, line, `process must be a non-negative integer, found ${quote(proc, 30)}`);
    const client = Number(proc);
    if (f !== "read" && f !== "write" && f !== "cas") throw new HistoryInputError(source, line, `unknown op :${clip(f, 30)} (expected :read, :write or :cas)`);
    const value = parseValue(rawValue, source, line);
    if (type === "invoke") {
      let input: RegisterInput;
      if (f === "read") input = { f, value: null };
      else if (f === "write") {
        if (Array.isArray(value) || value === "timed-out") throw new HistoryInputError(source, line, `:write needs a single value, found ${quote(rawValue, 40)}`);
        input = { f, value };
      } else {
        if (!Array.isArray(value)) throw new HistoryInputError(source, line, `:cas needs [from to], found ${quote(rawValue, 40)}`);
        input = { f, value: [value[0], value[1]] };
      }
      events.push({ type: "invoke", client, input, time: line });
      openF.set(client, f);
      invokeLines.push(line);
    } else if (type === "ok" || type === "fail" || type === "info") {
      const invoked = openF.get(client);
      if (invoked === undefined) throw new HistoryInputError(source, line, `process ${client} completes with no open operation`);
      if (invoked !== f) throw new HistoryInputError(source, line, `process ${client} completes :${f} but invoked :${invoked}`);
      openF.delete(client);
      if (type === "ok" && value === "timed-out") throw new HistoryInputError(source, line, `an :ok completion needs a value`);
      events.push({ type, client, output: value === "timed-out" ? undefined : value, time: line });
    } else {
      throw new HistoryInputError(source, line, `unknown type :${clip(type, 30)} (expected :invoke, :ok, :fail or :info)`);
    }
    lines.push(line);
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
