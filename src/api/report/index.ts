// The flight recorder: `buildReport(result, meta)` turns a run kept with its trace into one
// self-contained HTML file (timelines per node, the client history with the counterexample
// marked, the failure and the last events before it, messages as arrows when zoomed in, and
// the commands that replay and shrink the run); `writeReport` writes it.
import { writeFileSync } from "node:fs";
import type { RunResult } from "../../sim/runner/run.js";
import type { System } from "../../sim/runner/system.js";
import { formatDuration } from "../../util/duration.js";
import { replayLine, shrinkLine, type ReplaySpec } from "../replay.js";
import { getSystem } from "../systems.js";
import { reportHtml } from "./html.js";
import { extractReport, type ReportData } from "./model.js";

export { NoTraceError, type ReportData } from "./model.js";
export { scriptSafeJson } from "./html.js";

export interface ReportMeta {
  /** How the run was asked for (its replay and shrink commands are built from it). */
  readonly timeUs: number;
  readonly bugs?: readonly string[];
  /** false: the run had the system's own assertions off (--sut-asserts off). */
  readonly sutAsserts?: boolean;
  /** --detector NAME (systems with detectors). */
  readonly detector?: string;
  readonly everyFault?: boolean;
  /** --scenario as given. */
  readonly scenarioRef?: string;
  /** An explicit fault schedule given on the command line (--faults). */
  readonly faults?: readonly unknown[];
  /** The system, when it is not a registered one. */
  readonly system?: System;
  readonly servers?: number;
  readonly clients?: number;
  readonly title?: string;
  /** More [name, value] rows for the header. */
  readonly options?: readonly [string, string][];
  /** Commands instead of the replay/shrink lines built from the fields above (a corpus entry
   * whose run carries system options no command-line flag can give). */
  readonly commands?: readonly [string, string][];
}

/** The report's data model (what the page embeds as JSON). */
export function reportData(result: RunResult, meta: ReportMeta): ReportData {
  const system = meta.system ?? getSystem(result.system);
  const spec: ReplaySpec = {
    system: result.system,
    seed: result.seed,
    timeUs: meta.timeUs,
    bugs: meta.bugs ?? [],
    everyFault: meta.everyFault ?? false,
    ...(meta.sutAsserts !== undefined ? { sutAsserts: meta.sutAsserts } : {}),
    ...(meta.detector !== undefined ? { detector: meta.detector } : {}),
    ...(meta.scenarioRef !== undefined ? { scenarioRef: meta.scenarioRef } : {}),
    ...(meta.faults !== undefined ? { faults: meta.faults } : {}),
  };
  const commands: [string, string][] = meta.commands !== undefined
    ? [...meta.commands]
    : [["replay", replayLine(spec, result.traceHash)], ...(result.verdict === "violation" || result.verdict === "liveness" ? [["shrink", shrinkLine(spec)] as [string, string]] : [])];
  const options: [string, string][] = [
    ["verdict", result.verdict],
    ["time", formatDuration(meta.timeUs)],
    ["bugs", (meta.bugs ?? []).join(", ") || "none"],
    ["scenario", result.scenario ?? meta.scenarioRef ?? "none (generated schedule)"],
    ["fault families", result.families.join(", ") || (result.scenario !== null || meta.faults !== undefined ? "explicit schedule" : "none")],
    ["fault actions", String(result.faults.length)],
    ...(meta.everyFault ? [["every fault", "yes"] as [string, string]] : []),
    ...(result.history !== null ? [["history", `${result.history.ops} ops (${result.history.ok} ok, ${result.history.fail} fail, ${result.history.info} info)`] as [string, string]] : []),
    ...(meta.options ?? []),
  ];
  return extractReport(system, result, {
    title: meta.title,
    options,
    commands,
    ...(meta.servers !== undefined ? { servers: meta.servers } : {}),
    ...(meta.clients !== undefined ? { clients: meta.clients } : {}),
  });
}

/** The report of a run kept with its trace (keepTrace: true), as one HTML document. */
export function buildReport(result: RunResult, meta: ReportMeta): string {
  return reportHtml(reportData(result, meta));
}

/** Build and write the report; returns its size in bytes. */
export function writeReport(file: string, result: RunResult, meta: ReportMeta): number {
  const html = buildReport(result, meta);
  writeFileSync(file, html);
  return Buffer.byteLength(html);
}
