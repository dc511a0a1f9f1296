// Porcupine's etcd logs (Jepsen's etcd test): "INFO  jepsen.util - <process> <type> <f> <value>".
// Lines without the "INFO jepsen.util" prefix are skipped. `:fail :read :timed-out` closes a
// read with an unknown result (status "fail", no output); `:info ... :timed-out` leaves the
// op open to the end. Inputs are the register models' {f, value}.
import { HistoryInputError } from "../errors.js";
import { eventsToOperations, HistoryError, type Event, type Operation } from "../history.js";
import type { RegisterInput, RegisterValue } from "../models/register-values.js";

const LINE = /^INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(\w+)\s+:(\w+)\s+(.*?)\s*$/;

function parseValue(s: string, source: string, line: number): RegisterValue | [RegisterValue, RegisterValue] | "timed-out" {
  if (s === "nil") return null;
  if (s === ":timed-out") return "timed-out";
  if (/^-?\d+$/.test(s)) return Number(s);
  const pair = /^\[\s*(-?\d+|nil)\s+(-?\d+|nil)\s*\]$/.exec(s);
  if (pair) return [pair[1] === "nil" ? null : Number(pair[1]), pair[2] === "nil" ? null : Number(pair[2])];
  throw new HistoryInputError(source, line, `bad value "${s}"`);
}

export function readPorcupineEtcd(text: string, source: string): Operation<RegisterInput, unknown>[] {
  const events: Event<RegisterInput, unknown>[] = [];
  const lines: number[] = [];
  const openF = new Map<number, string>();
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    if (!/^INFO\s+jepsen\.util\b/.test(raw)) return;
    const m = LINE.exec(raw);
    if (m === null) throw new HistoryInputError(source, line, `expected "<process> :<type> :<f> <value>" after "jepsen.util -"`);
    const [, proc, type, f, rawValue] = m;
    if (!/^\d+$/.test(proc)) throw new HistoryInputError(source, line, `process must be an integer, got "${proc}"`);
    const client = Number(proc);
    if (f !== "read" && f !== "write" && f !== "cas") throw new HistoryInputError(source, line, `unknown op :${f} (expected :read, :write or :cas)`);
    const value = parseValue(rawValue, source, line);
    if (type === "invoke") {
      let input: RegisterInput;
      if (f === "read") input = { f, value: null };
      else if (f === "write") {
        if (Array.isArray(value) || value === "timed-out") throw new HistoryInputError(source, line, `:write needs a single value, got "${rawValue}"`);
        input = { f, value };
      } else {
        if (!Array.isArray(value)) throw new HistoryInputError(source, line, `:cas needs [from to], got "${rawValue}"`);
        input = { f, value: [value[0], value[1]] };
      }
      events.push({ type: "invoke", client, input, time: line });
      openF.set(client, f);
    } else if (type === "ok" || type === "fail" || type === "info") {
      const invoked = openF.get(client);
      if (invoked === undefined) throw new HistoryInputError(source, line, `process ${client} completes with no open operation`);
      if (invoked !== f) throw new HistoryInputError(source, line, `process ${client} completes :${f} but invoked :${invoked}`);
      openF.delete(client);
      if (type === "ok" && value === "timed-out") throw new HistoryInputError(source, line, `an :ok completion needs a value`);
      events.push({ type, client, output: value === "timed-out" ? undefined : value, time: line });
    } else {
      throw new HistoryInputError(source, line, `unknown type :${type} (expected :invoke, :ok, :fail or :info)`);
    }
    lines.push(line);
  });
  try {
    return eventsToOperations(events);
  } catch (e) {
    if (e instanceof HistoryError) throw new HistoryInputError(source, lines[e.index], e.message);
    throw e;
  }
}
