// --trace's filters (--trace-node, --trace-kind, --trace-window) and the writer of the trace
// file (or stdout for `--trace -`), shared by `run` and `replay`.
import { writeFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { getSystem } from "../api/systems.js";
import { filterTrace, parseTraceKinds, parseTraceNodes, parseTraceWindow, TraceFilterError, type TraceFilter, type TraceRecord } from "../api/trace-filter.js";
import { formatDuration } from "../util/duration.js";
import { describeIoError, IoError, UsageError } from "./errors.js";

export interface TraceCliOptions {
  trace?: string;
  traceNode?: number[];
  traceKind?: string;
  traceWindow?: { fromUs: number; toUs: number };
  json?: boolean;
}

function parser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (e) {
      if (e instanceof TraceFilterError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  };
}

export function addTraceFilterOptions(cmd: Command): Command {
  return cmd
    .option("--trace-node <ids>", "with --trace: only records about these nodes (comma list: messages from or to them, their ticks, disk, crashes, notes; fault actions are left out)", parser(parseTraceNodes))
    .option("--trace-kind <kinds>", "with --trace: only these record kinds (comma list: deliver, drop, send, tick, persist, persisted, crash, restart, pause, resume, fault, client, timer, note, or a note by name such as note:role, note:commit)")
    .option("--trace-window <from..to>", "with --trace: only records in this window of simulated time (durations, e.g. 2s..3.5s; an end may be left out)", parser(parseTraceWindow));
}

/** The filter the options ask for (undefined: none); a filter without --trace, an unknown kind,
 * `--trace -` with --json or a window after the run are usage errors. */
export function resolveTraceFilter(o: TraceCliOptions, system: string, timeUs: number): TraceFilter | undefined {
  const given = [o.traceNode !== undefined && "--trace-node", o.traceKind !== undefined && "--trace-kind", o.traceWindow !== undefined && "--trace-window"].filter((x): x is string => x !== false);
  if (o.trace === undefined) {
    if (given.length > 0) throw new UsageError(`${given.join(", ")} filter${given.length > 1 ? "" : "s"} what --trace writes: add --trace <file> (or --trace - for stdout)`);
    return undefined;
  }
  if (o.trace === "-" && o.json === true) throw new UsageError("--trace - writes the trace to stdout, where --json writes its object: use --trace <file> with --json");
  if (given.length === 0) return undefined;
  let kinds: string[] | undefined;
  if (o.traceKind !== undefined) {
    try {
      kinds = parseTraceKinds(o.traceKind, getSystem(system));
    } catch (e) {
      if (e instanceof TraceFilterError) throw new UsageError(`--trace-kind: ${e.message} (system ${system})`);
      throw e;
    }
  }
  if (o.traceWindow !== undefined && o.traceWindow.fromUs > timeUs)
    throw new UsageError(`--trace-window: the window starts at ${formatDuration(o.traceWindow.fromUs)}, after the end of the run (${formatDuration(timeUs)})`);
  return {
    ...(o.traceNode !== undefined ? { nodes: o.traceNode } : {}),
    ...(kinds !== undefined ? { kinds } : {}),
    ...(o.traceWindow !== undefined ? { fromUs: o.traceWindow.fromUs, toUs: o.traceWindow.toUs } : {}),
  };
}

/** Write the records the filter keeps as JSON lines to `target` ("-": stdout). */
export function writeTrace(target: string, records: Iterable<TraceRecord>, filter: TraceFilter | undefined): void {
  const lines: string[] = [];
  for (const r of filter === undefined ? records : filterTrace(records, filter)) lines.push(JSON.stringify(r));
  const text = lines.length > 0 ? lines.join("\n") + "\n" : "";
  if (target === "-") {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(target, text);
  } catch (e) {
    throw new IoError(target, `--trace: cannot write: ${describeIoError(e)}`);
  }
}
