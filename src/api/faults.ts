// Fault schedules as fast-check arbitraries: what simProperty draws, and what a user's own
// fc.property can draw. A schedule is a list of *episodes* (a fault and, for the faults that
// last, its end), flattened into timed FaultActions of the generic kinds. fast-check shrinks
// the episode list, so a failing schedule shrinks to fewer episodes, shorter ones, earlier
// ones and lower node ids; each action is self-contained (its nodes are drawn with it), so
// removing one episode never changes what another one does.
import fc from "fast-check";
import type { FaultAction } from "../sim/faults/kinds.js";

/** The families a drawn schedule may use (generic kinds only: every system understands them). */
export const SCHEDULE_FAMILIES = ["crash", "partition", "pause", "clock", "clog", "disk", "disk-stall"] as const;
export type ScheduleFamily = (typeof SCHEDULE_FAMILIES)[number];

export interface ScheduleOptions {
  /** Number of servers of the system (node ids 0..servers-1). */
  readonly servers: number;
  /** Families to draw from (default all of SCHEDULE_FAMILIES). */
  readonly families?: readonly ScheduleFamily[];
  /** At most this many episodes (default 5). */
  readonly maxFaults?: number;
  /** The fault window, ms: every action falls in [0, durationMs) (a run's final heal comes at
   * its end: see simProperty). */
  readonly durationMs: number;
  /** The longest episode, ms (default: a third of the window). */
  readonly maxEpisodeMs?: number;
}

/** One fault and how long it lasts: what the arbitrary draws (and shrinks). */
export type Episode =
  | { readonly kind: "crash" | "pause" | "isolate"; readonly at: number; readonly durMs: number; readonly node: number }
  | { readonly kind: "partition-halves"; readonly at: number; readonly durMs: number; readonly side: readonly number[] }
  | { readonly kind: "cut-one-way" | "clog"; readonly at: number; readonly durMs: number; readonly from: number; readonly to: number }
  | { readonly kind: "disk-stall"; readonly at: number; readonly durMs: number; readonly node: number }
  | { readonly kind: "clock-jump"; readonly at: number; readonly node: number; readonly us: number }
  | { readonly kind: "disk-lose-unsynced"; readonly at: number; readonly node: number; readonly mode: "all" | "prefix" | "torn" };

const MS = 1000;

function episodeArbitraries(o: ScheduleOptions): fc.Arbitrary<Episode>[] {
  const N = o.servers;
  const windowUs = Math.max(1, Math.floor(o.durationMs * MS));
  const at = fc.integer({ min: 0, max: windowUs - 1 });
  const durMs = fc.integer({ min: 1, max: Math.max(1, Math.floor(o.maxEpisodeMs ?? o.durationMs / 3)) });
  const node = fc.integer({ min: 0, max: N - 1 });
  const pair = fc.tuple(node, fc.integer({ min: 1, max: Math.max(1, N - 1) })).map(([from, d]) => ({ from, to: (from + d) % N }));
  const fams = new Set<ScheduleFamily>(o.families ?? SCHEDULE_FAMILIES);
  const out: fc.Arbitrary<Episode>[] = [];
  if (fams.has("crash")) out.push(fc.record({ kind: fc.constant("crash" as const), at, durMs, node }));
  if (fams.has("partition")) {
    out.push(fc.record({ kind: fc.constant("isolate" as const), at, durMs, node }));
    if (N >= 2) {
      out.push(fc.record({ kind: fc.constant("partition-halves" as const), at, durMs, side: fc.uniqueArray(node, { minLength: 1, maxLength: Math.floor(N / 2) }) }));
      out.push(fc.record({ kind: fc.constant("cut-one-way" as const), at, durMs }).chain((e) => pair.map((p) => ({ ...e, ...p }))));
    }
  }
  if (fams.has("pause")) out.push(fc.record({ kind: fc.constant("pause" as const), at, durMs, node }));
  if (fams.has("clock")) out.push(fc.record({ kind: fc.constant("clock-jump" as const), at, node, us: fc.integer({ min: -2_000_000, max: 2_000_000 }) }));
  if (fams.has("clog") && N >= 2) out.push(fc.record({ kind: fc.constant("clog" as const), at, durMs }).chain((e) => pair.map((p) => ({ ...e, ...p }))));
  if (fams.has("disk")) out.push(fc.record({ kind: fc.constant("disk-lose-unsynced" as const), at, node, mode: fc.constantFrom("all" as const, "prefix" as const, "torn" as const) }));
  if (fams.has("disk-stall")) out.push(fc.record({ kind: fc.constant("disk-stall" as const), at, durMs, node }));
  if (out.length === 0) throw new Error(`faults.schedule: no family to draw from (families: ${[...fams].join(", ") || "none"})`);
  return out;
}

/** The timed actions of some episodes, sorted by time (stable), every one inside the window. */
export function episodesToActions(episodes: readonly Episode[], durationMs: number): FaultAction[] {
  const last = Math.max(0, Math.floor(durationMs * MS) - 1);
  const end = (e: { at: number; durMs: number }) => Math.min(last, e.at + e.durMs * MS);
  const out: FaultAction[] = [];
  for (const e of episodes) {
    switch (e.kind) {
      case "crash":
        out.push({ at: e.at, kind: "crash", node: e.node }, { at: end(e), kind: "restart", node: e.node });
        break;
      case "pause":
        out.push({ at: e.at, kind: "pause", node: e.node }, { at: end(e), kind: "resume", node: e.node });
        break;
      case "isolate":
        out.push({ at: e.at, kind: "isolate", node: e.node }, { at: end(e), kind: "heal" });
        break;
      case "partition-halves":
        out.push({ at: e.at, kind: "partition-halves", side: [...e.side] }, { at: end(e), kind: "heal" });
        break;
      case "cut-one-way":
        out.push({ at: e.at, kind: "cut-one-way", from: e.from, to: e.to }, { at: end(e), kind: "heal" });
        break;
      case "clog":
        out.push({ at: e.at, kind: "clog", from: e.from, to: e.to, durationUs: end(e) - e.at + 1 });
        break;
      case "clock-jump":
        out.push({ at: e.at, kind: "clock-jump", node: e.node, us: e.us });
        break;
      case "disk-lose-unsynced":
        out.push({ at: e.at, kind: "disk-lose-unsynced", node: e.node, mode: e.mode });
        break;
      case "disk-stall":
        out.push({ at: e.at, kind: "disk-stall", node: e.node, durationUs: end(e) - e.at + 1 });
        break;
    }
  }
  return out.map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).map((x) => x.a);
}

/** Episodes (what shrinks), for tests and tools that want them before flattening. */
export function episodes(o: ScheduleOptions): fc.Arbitrary<Episode[]> {
  return fc.array(fc.oneof(...episodeArbitraries(o)), { maxLength: o.maxFaults ?? 5 });
}

/** A fault schedule of generic kinds: `fc.property(faults.schedule({...}), (s) => ...)`. */
export function schedule(o: ScheduleOptions): fc.Arbitrary<FaultAction[]> {
  return episodes(o).map((es) => episodesToActions(es, o.durationMs));
}

/** How many faults a schedule holds: the actions that start one (not the restarts, resumes and
 * heals that end one). */
export function faultCount(actions: readonly FaultAction[]): number {
  return actions.filter((a) => !["restart", "resume", "heal", "heal-all"].includes(a.kind)).length;
}
