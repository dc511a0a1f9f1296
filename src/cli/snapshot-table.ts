// `replay --at`: the instants option and the per-instant table (one row per node). Generic: the
// columns are whatever fields the system's snapshot has (src/api/inspect.ts).
import { InvalidArgumentError } from "commander";
import type { InstantSnapshot, NodeField } from "../api/inspect.js";
import { durationToUs, formatDuration } from "../util/duration.js";

/** --at 3.25s, --at 2s,3.25s (repeatable): instants in µs, in the order given. */
export function collectInstants(text: string, prev: number[] = []): number[] {
  const out = [...prev];
  for (const part of text.split(",")) {
    const p = part.trim();
    if (p === "") throw new InvalidArgumentError(`expected a duration or a comma list of them (e.g. 3.25s or 2s,3250ms), found "${text}"`);
    const us = durationToUs(p);
    if (us === null) {
      if (durationToUs(p, true) !== null) throw new InvalidArgumentError(`instant "${p}" is negative: it must be within the run, from 0 to --time`);
      throw new InvalidArgumentError(`bad instant "${p}": expected a duration with a unit (us, ms, s, m, h), e.g. 3.25s or 3250ms`);
    }
    out.push(us);
  }
  return out;
}

/** An instant as a duration, exact: 3250000 → "3.25s", 1500 → "1.5ms", 0 → "0". */
function instant(us: number): string {
  if (us === 0) return "0";
  if (us % 1000 === 0 && us >= 1_000_000) return `${us / 1_000_000}s`;
  return us % 1000 === 0 ? `${us / 1000}ms` : formatDuration(us);
}

function cell(v: NodeField | undefined): string {
  if (v === undefined || v === null) return "-";
  if (typeof v === "boolean") return v ? "yes" : "no";
  return v === "" ? "-" : String(v);
}

function blank(v: NodeField | undefined): boolean {
  return v === undefined || v === null || v === 0 || v === false || v === "" || v === "-";
}

/** One table per instant: a header line, a row per node; columns blank on every node (0, no,
 * none) are listed under the table instead of shown. */
export function formatSnapshots(snaps: readonly InstantSnapshot[]): string {
  const out: string[] = [];
  for (const s of snaps) {
    const names: string[] = [];
    for (const n of s.nodes) for (const k of Object.keys(n.fields)) if (!names.includes(k)) names.push(k);
    const shown = names.filter((k) => s.nodes.some((n) => !blank(n.fields[k])));
    const hidden = names.filter((k) => !shown.includes(k));
    const rows = [["node", ...shown], ...s.nodes.map((n) => [String(n.node), ...shown.map((k) => cell(n.fields[k]))])];
    const width = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    out.push(
      s.reached
        ? `at ${instant(s.atUs)} (state after every event at or before ${s.atUs}us):`
        : `at ${instant(s.atUs)}: the run stopped at ${s.stoppedAtUs}us, before this instant; the nodes as they were then:`,
    );
    for (const r of rows) out.push("  " + r.map((x, c) => x.padEnd(width[c])).join("  ").trimEnd());
    if (hidden.length > 0) out.push(`  (0, no or none on every node: ${hidden.join(", ")})`);
    out.push("");
  }
  return out.join("\n").trimEnd();
}

/** The `at` field of `replay --json`. */
export function snapshotsJson(snaps: readonly InstantSnapshot[]): object[] {
  return snaps.map((s) => ({
    atMs: s.atUs / 1000,
    reached: s.reached,
    ...(s.stoppedAtUs !== undefined ? { stoppedAtMs: s.stoppedAtUs / 1000 } : {}),
    nodes: s.nodes.map((n) => ({ node: n.node, ...n.fields })),
  }));
}
