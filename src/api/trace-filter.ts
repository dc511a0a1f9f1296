// Which trace records `--trace` writes: by node, by kind (the kernel's record kinds and the
// system's note names, "note:role"), by time window. Filters choose what is written only; the
// run and its trace hash are the same whatever they say.
import { T, type TraceRecord } from "../sim/kernel/trace.js";
import type { System } from "../sim/runner/system.js";
import { durationToUs, formatDuration } from "../util/duration.js";

export type { TraceRecord } from "../sim/kernel/trace.js";

export interface TraceFilter {
  /** Keep records about these endpoints (servers, or client endpoints N..): messages from or to
   * them, their ticks, disk writes, crashes, restarts, pauses, notes, client events. Fault
   * records (cluster-wide actions) are left out. */
  readonly nodes?: readonly number[];
  /** Keep records of these kinds: a kernel kind ("deliver") or a note by name ("note:role");
   * "note" keeps every note. */
  readonly kinds?: readonly string[];
  /** Keep records with fromUs ≤ t ≤ toUs. */
  readonly fromUs?: number;
  readonly toUs?: number;
}

export class TraceFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TraceFilterError";
  }
}

/** Every name --trace-kind accepts for `system`: the kernel's kinds, then "note:<name>" for
 * each of the system's note codes. */
export function traceKindNames(system: Pick<System, "noteNames">): string[] {
  return [...Object.keys(T), ...Object.values(system.noteNames ?? {}).map((n) => `note:${n}`)];
}

/** "deliver,note:role" → the kinds, each checked against traceKindNames. */
export function parseTraceKinds(text: string, system: Pick<System, "noteNames">): string[] {
  const known = traceKindNames(system);
  const kinds = text.split(",").map((k) => k.trim()).filter((k) => k !== "");
  if (kinds.length === 0) throw new TraceFilterError(`expected a comma list of record kinds; valid: ${known.join(", ")}`);
  const bad = kinds.filter((k) => !known.includes(k));
  if (bad.length > 0) throw new TraceFilterError(`unknown record kind${bad.length > 1 ? "s" : ""} ${bad.map((k) => `"${k}"`).join(", ")}; valid: ${known.join(", ")}`);
  return kinds;
}

/** "0,2" → [0, 2]. */
export function parseTraceNodes(text: string): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const bad = parts.filter((p) => !/^\d+$/.test(p) || !Number.isSafeInteger(Number(p)));
  if (bad.length > 0 || parts.length === 0) throw new TraceFilterError(`expected a comma list of node ids (non-negative integers, e.g. 0,2), found "${text}"`);
  return [...new Set(parts.map(Number))];
}

/** "2s..3.5s" (either end may be left out: "2s..", "..500ms") → { fromUs, toUs }. */
export function parseTraceWindow(text: string): { fromUs: number; toUs: number } {
  const usage = `expected <from>..<to> with durations (e.g. 2s..3.5s, 1500ms.., ..4s), found "${text}"`;
  const i = text.indexOf("..");
  if (i < 0) throw new TraceFilterError(usage);
  const m = [text, text.slice(0, i), text.slice(i + 2)];
  const end = (s: string, dflt: number): number => {
    if (s.trim() === "") return dflt;
    const us = durationToUs(s);
    if (us === null) throw new TraceFilterError(`bad duration "${s.trim()}": ${usage}`);
    return us;
  };
  const fromUs = end(m[1], 0);
  const toUs = end(m[2], Number.MAX_SAFE_INTEGER);
  if (fromUs > toUs) throw new TraceFilterError(`the window ${formatDuration(fromUs)}..${formatDuration(toUs)} ends before it starts`);
  return { fromUs, toUs };
}

/** The endpoints a record is about (fault records: none). */
function endpointsOf(r: TraceRecord): readonly number[] {
  switch (r.kind) {
    case "deliver":
    case "drop":
    case "send":
      return [r.a, r.b];
    case "fault":
      return [];
    default:
      return [r.a];
  }
}

/** Whether the filter keeps record r. */
export function keepRecord(f: TraceFilter, r: TraceRecord): boolean {
  if (f.fromUs !== undefined && r.t < f.fromUs) return false;
  if (f.toUs !== undefined && r.t > f.toUs) return false;
  if (f.kinds !== undefined && !(f.kinds.includes(r.kind) || (r.note !== undefined && f.kinds.includes(`note:${r.note}`)))) return false;
  if (f.nodes !== undefined && !endpointsOf(r).some((n) => f.nodes!.includes(n))) return false;
  return true;
}

/** The records the filter keeps, in trace order. */
export function* filterTrace(records: Iterable<TraceRecord>, f: TraceFilter): Generator<TraceRecord> {
  for (const r of records) if (keepRecord(f, r)) yield r;
}
