// The scenario file format (YAML or JSON), as a zod schema whose output is a normalised
// Scenario: durations in µs, seeds as a list, defaults filled in. Documented in
// scenarios/README.md; the loader (load.ts) turns zod issues into "file: path: problem".
import * as z from "zod";
import { ALL_FAULT_KINDS, type GenericFault } from "../faults/index.js";
import { livenessWindowUs } from "../runner/liveness-window.js";
import { EXPECTATIONS, type Expectation } from "../runner/verdict.js";
// The file format is raft-metadata's today (its raft/workload blocks, its bugs and families);
// per-system scenario blocks are the next step (issue 10).
import { BUGS, type BugName } from "../systems/raft-metadata/bugs.js";
import type { RaftFault } from "../systems/raft-metadata/faults.js";
import { raftMetadata } from "../systems/raft-metadata/system.js";
import type { NetConfig } from "../kernel/network.js";
import type { OpMix } from "../systems/raft-metadata/clients/config.js";
import { seedRangeOrNull } from "../../util/ranges.js";
import { durationToUs, usToDuration } from "./duration.js";

export { EXPECTATIONS, type Expectation };

/** A fault action a scenario file can hold: the generic kinds and raft-metadata's own. */
export type ScenarioAction = GenericFault | RaftFault;
type FaultAction = ScenarioAction;
type FaultFamily = string;
const FAULT_FAMILIES: readonly string[] = raftMetadata.families.map((f) => f.name);
const FAULT_KINDS = ALL_FAULT_KINDS;
export const READ_MODES = ["read-index", "lease"] as const;
export type ReadMode = (typeof READ_MODES)[number];

/** Raft settings a scenario pins. Unset fields: the harness default (timed schedules) or drawn
 * from the seed (swarm). The lease fields are passed through to RaftOptions as they are. */
export interface ScenarioRaft {
  readonly electionMinUs?: number;
  readonly electionMaxUs?: number;
  readonly heartbeatUs?: number;
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly maxBatch?: number;
  readonly maxInflight?: number;
  readonly readMode?: ReadMode;
  /** The clock-drift bound lease reads rely on (RaftOptions.maxDriftPpm); the file may call it
   * leaseDriftBoundPpm. The clocks' actual drift comes from clock-drift faults. */
  readonly maxDriftPpm?: number;
  readonly snapshotEvery?: number;
  readonly snapshotChunk?: number;
}

export interface ScenarioWorkload {
  readonly keys: readonly string[];
  readonly mix: OpMix;
  readonly thinkMinUs: number;
  readonly thinkMaxUs: number;
  readonly requestTimeoutUs: number;
  readonly staleCasP: number;
}

export type ScenarioFaults = { readonly swarm: readonly FaultFamily[] } | { readonly schedule: readonly FaultAction[] };

/** A measurement instead of a checked run: `raftsim run --scenario NAME` prints its table. */
export interface ScenarioExperiment {
  readonly kind: "figure16";
  readonly trials: number;
  readonly seed: number;
  readonly latencyUs: number;
  readonly jitter: number;
  readonly fsyncUs: number;
}

export interface Scenario {
  readonly name: string;
  readonly experiment?: ScenarioExperiment;
  readonly description: string;
  readonly servers: number;
  readonly clients: number;
  readonly timeUs: number;
  readonly seeds: readonly number[];
  readonly expect: Expectation;
  readonly raft: ScenarioRaft;
  readonly workload: ScenarioWorkload;
  readonly net: NetConfig;
  readonly faults: ScenarioFaults;
  readonly bugs: readonly BugName[];
}

// ---- building blocks ---------------------------------------------------------------------

/** A type error message that says "required" when the field is missing. */
const want = (hint: string) => (iss: { input?: unknown }) => (iss.input === undefined ? `required: ${hint}` : hint);

const DURATION_HINT = `expected a duration like "2s", "150ms" or an integer of µs`;

/** A duration string or an integer of µs. */
function duration(opts: { signed?: boolean; positive?: boolean } = {}) {
  return z.union([z.string(), z.number()], { error: want(DURATION_HINT) }).transform((v, ctx) => {
    const us = typeof v === "number" ? (Number.isSafeInteger(v) ? v : null) : durationToUs(v, opts.signed);
    if (us === null) {
      ctx.addIssue({ code: "custom", message: `${DURATION_HINT}${opts.signed ? ` (may be negative: "-1s")` : ""}` });
      return z.NEVER;
    }
    if (!opts.signed && us < 0) {
      ctx.addIssue({ code: "custom", message: "must not be negative" });
      return z.NEVER;
    }
    if (opts.positive && us <= 0) {
      ctx.addIssue({ code: "custom", message: "must be positive" });
      return z.NEVER;
    }
    return us;
  });
}

const nodeId = z.number({ error: want("expected a node id (an integer)") }).int({ error: "expected a node id (an integer)" }).nonnegative({ error: "node ids start at 0" });
const nodeList = z.array(nodeId, { error: want("expected a list of node ids, e.g. [0, 1]") });
const probability = z.number({ error: "expected a probability in [0, 1]" }).min(0, { error: "expected a probability in [0, 1]" }).max(1, { error: "expected a probability in [0, 1]" });
const posInt = z.number({ error: want("expected a positive integer") }).int({ error: "expected a positive integer" }).min(1, { error: "expected a positive integer" });
const weight = z.number({ error: "expected a non-negative integer weight" }).int({ error: "expected a non-negative integer weight" }).min(0, { error: "expected a non-negative integer weight" });
const driftPpm = z.number({ error: "expected a drift bound in ppm, 0 <= ppm < 1000000" }).min(0, { error: "expected a drift bound in ppm, 0 <= ppm < 1000000" }).lt(1_000_000, { error: "expected a drift bound in ppm, 0 <= ppm < 1000000" });
const positiveMs = z.number({ error: "expected a number of milliseconds" }).positive({ error: "must be positive" }).transform((ms) => Math.round(ms * 1000));

// ---- fault actions: the FaultAction kinds of nemesis.ts, `at` as a duration --------------

const at = duration();
const act = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) => z.strictObject({ at, kind: z.literal(kind), ...shape });

export const faultActionSchema = z.discriminatedUnion(
  "kind",
  [
    act("partition-halves", { side: nodeList }),
    act("partition-ring", { order: nodeList }),
    act("partition-bridge", { side: nodeList, bridge: nodeId }),
    act("isolate", { node: nodeId }),
    act("cut-one-way", { from: nodeId, to: nodeId }),
    act("heal", {}),
    act("crash", { node: nodeId }),
    act("restart", { node: nodeId }),
    act("pause", { node: nodeId }),
    act("resume", { node: nodeId }),
    act("clock-offset", { node: nodeId, us: duration({ signed: true }) }),
    act("clock-jump", { node: nodeId, us: duration({ signed: true }) }),
    act("clock-strobe", { node: nodeId, us: duration({ positive: true }), periodUs: duration({ positive: true }), durationUs: duration({ positive: true }) }),
    // The simulated clocks accept drift within ±100000 ppm (10%; src/sim/clock.ts).
    act("clock-drift", {
      node: nodeId,
      ppm: z.number({ error: want("expected a drift in ppm (an integer)") }).int({ error: "expected an integer ppm" })
        .min(-100_000, { error: "expected a drift within ±100000 ppm (the simulated clocks' range)" })
        .max(100_000, { error: "expected a drift within ±100000 ppm (the simulated clocks' range)" }),
    }),
    act("disk-lose-unsynced", { node: nodeId, mode: z.enum(["all", "prefix", "torn"], { error: want(`expected "all", "prefix" or "torn"`) }) }),
    act("clog", { from: nodeId, to: nodeId, durationUs: duration({ positive: true }) }),
    act("net", {
      latencyMedianUs: duration().optional(),
      latencySigma: z.number({ error: "expected a number >= 0" }).min(0, { error: "expected a number >= 0" }).optional(),
      lossP: probability.optional(),
      dupP: probability.optional(),
    }),
    act("heal-all", {}),
    act("isolate-leader", {}),
    act("crash-leader", { downUs: duration({ positive: true }) }),
    act("isolate-leader-on", {
      event: z.enum(["elected", "first-commit"], { error: want(`expected "elected" or "first-commit"`) }),
      durationUs: duration({ positive: true }),
      times: posInt,
    }),
    act("reconnect", { node: nodeId }),
    act("snapshot-restore", { node: nodeId, back: posInt }),
    // Membership (operator actions through the current leader; see nemesis.ts).
    act("member-add", { node: nodeId, via: nodeId, tries: posInt.default(40) }),
    act("member-remove", { node: nodeId, readdUs: duration().default(0) }),
    act("member-remove-leader", { readdUs: duration().default(0) }),
    act("member-churn-on", {
      event: z.enum(["elected", "first-commit"], { error: want(`expected "elected" or "first-commit"`) }),
      durationUs: duration({ positive: true }),
      times: posInt,
    }),
    act("member-churn", { durationUs: duration({ positive: true }) }),
  ],
  { error: (iss) => (iss.code === "invalid_union" ? `unknown fault kind; expected one of ${FAULT_KIND_LIST}` : iss.input === undefined ? "required" : "expected a fault action {at, kind, ...}") },
);
const FAULT_KIND_LIST = FAULT_KINDS.join(", ");

const family = z.enum(["all", ...FAULT_FAMILIES] as [string, ...string[]], { error: `expected a fault family: all, ${FAULT_FAMILIES.join(", ")}` });
const swarm = z
  .preprocess((v) => (typeof v === "string" ? [v] : v), z.array(family, { error: want(`expected "all" or a list of fault families (${FAULT_FAMILIES.join(", ")})`) }).min(1, { error: "list at least one fault family (or: all)" }))
  .transform((v): FaultFamily[] => {
    const list: string[] = v;
    if (list.includes("all")) return [...FAULT_FAMILIES];
    return FAULT_FAMILIES.filter((f) => list.includes(f)); // canonical order, no duplicates
  });

const faults = z
  .strictObject({ swarm: swarm.optional(), schedule: z.array(faultActionSchema, { error: "expected a list of fault actions" }).optional() }, { error: "expected {swarm: [...]} or {schedule: [...]}" })
  .check((ctx) => {
    const v = ctx.value;
    if (v.swarm !== undefined && v.schedule !== undefined)
      ctx.issues.push({ code: "custom", input: v, message: "give either swarm or schedule, not both" });
    if (v.swarm === undefined && v.schedule === undefined)
      ctx.issues.push({ code: "custom", input: v, message: "give swarm: [families] or schedule: [actions]" });
  })
  .transform((v): ScenarioFaults => (v.swarm !== undefined ? { swarm: v.swarm } : { schedule: (v.schedule ?? []) as FaultAction[] }));

// ---- seeds --------------------------------------------------------------------------------

const SEEDS_HINT = `expected seeds like 1..20, 7, or a list [1, 5, "10..12"]`;
const MAX_SEEDS = 100_000;

function seedItems(v: unknown): number[] | null {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? [v] : null;
  if (typeof v !== "string") return null;
  const r = seedRangeOrNull(v);
  if (r === null || r.to - r.from >= MAX_SEEDS) return null;
  const { from, to } = r;
  const out: number[] = [];
  for (let s = from; s <= to; s++) out.push(s);
  return out;
}

const seeds = z.unknown().transform((v, ctx) => {
  const items = Array.isArray(v) ? v : [v];
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const s = seedItems(items[i]);
    if (s === null) {
      ctx.addIssue({ code: "custom", message: SEEDS_HINT, path: Array.isArray(v) ? [i] : [] });
      return z.NEVER;
    }
    for (const x of s) if (!out.includes(x)) out.push(x);
  }
  if (out.length === 0 || out.length > MAX_SEEDS) {
    ctx.addIssue({ code: "custom", message: `${SEEDS_HINT} (1 to ${MAX_SEEDS} seeds)` });
    return z.NEVER;
  }
  return out;
});

// ---- the sections -------------------------------------------------------------------------

const raft = z
  .strictObject({
    electionMinMs: positiveMs.optional(),
    electionMaxMs: positiveMs.optional(),
    heartbeatMs: positiveMs.optional(),
    preVote: z.boolean({ error: "expected true or false" }).optional(),
    checkQuorum: z.boolean({ error: "expected true or false" }).optional(),
    maxBatch: posInt.optional(),
    maxInflight: posInt.optional(),
    readMode: z.enum(READ_MODES, { error: `expected "read-index" or "lease"` }).optional(),
    maxDriftPpm: driftPpm.optional(),
    leaseDriftBoundPpm: driftPpm.optional(),
    snapshotEvery: z.number({ error: "expected an integer >= 0 (0: never)" }).int({ error: "expected an integer >= 0 (0: never)" }).min(0, { error: "expected an integer >= 0 (0: never)" }).optional(),
    snapshotChunk: posInt.optional(),
  }, { error: "expected an object of Raft settings" })
  .check((ctx) => {
    const r = ctx.value;
    if (r.electionMinMs !== undefined && r.electionMaxMs !== undefined && r.electionMaxMs <= r.electionMinMs)
      ctx.issues.push({ code: "custom", input: r, path: ["electionMaxMs"], message: "must be greater than electionMinMs" });
    if (r.heartbeatMs !== undefined && r.electionMinMs !== undefined && r.heartbeatMs >= r.electionMinMs)
      ctx.issues.push({ code: "custom", input: r, path: ["heartbeatMs"], message: "must be less than electionMinMs" });
    if (r.maxDriftPpm !== undefined && r.leaseDriftBoundPpm !== undefined)
      ctx.issues.push({ code: "custom", input: r, path: ["leaseDriftBoundPpm"], message: "is another name for maxDriftPpm: give one of them" });
  })
  .transform((r): ScenarioRaft => {
    const out: Record<string, unknown> = {};
    const set = (k: keyof ScenarioRaft, v: unknown) => { if (v !== undefined) out[k] = v; };
    set("electionMinUs", r.electionMinMs);
    set("electionMaxUs", r.electionMaxMs);
    set("heartbeatUs", r.heartbeatMs);
    set("preVote", r.preVote);
    set("checkQuorum", r.checkQuorum);
    set("maxBatch", r.maxBatch);
    set("maxInflight", r.maxInflight);
    set("readMode", r.readMode);
    set("maxDriftPpm", r.maxDriftPpm ?? r.leaseDriftBoundPpm);
    set("snapshotEvery", r.snapshotEvery);
    set("snapshotChunk", r.snapshotChunk);
    return out as ScenarioRaft;
  });

export const DEFAULT_MIX: OpMix = { get: 3, put: 2, delete: 1, cas: 3, exists: 1 };
const KEY_NAMES = "abcdefghijklmnopqrstuvwxyz";

const keys = z
  .union([
    z.number().int({ error: "expected a number of keys (1..1000)" }).min(1, { error: "expected a number of keys (1..1000)" }).max(1000, { error: "expected a number of keys (1..1000)" }),
    z.array(z.string().min(1), { error: "expected key names" }).min(1),
  ], { error: "expected a number of keys (1..1000) or a list of key names" })
  .transform((v, ctx) => {
    if (Array.isArray(v)) {
      if (new Set(v).size !== v.length) ctx.addIssue({ code: "custom", message: "key names must be distinct" });
      return v;
    }
    return Array.from({ length: v }, (_, i) => (i < KEY_NAMES.length ? KEY_NAMES[i] : `k${i}`));
  });

const mix = z
  .strictObject({ get: weight.optional(), put: weight.optional(), delete: weight.optional(), cas: weight.optional(), exists: weight.optional(), list: weight.optional() }, { error: "expected weights {get, put, delete, cas, exists, list}" })
  .check((ctx) => {
    const m = ctx.value;
    if ((m.get ?? 0) + (m.put ?? 0) + (m.delete ?? 0) + (m.cas ?? 0) + (m.exists ?? 0) + (m.list ?? 0) <= 0)
      ctx.issues.push({ code: "custom", input: m, message: "weights sum to 0: give at least one operation a weight" });
  })
  .transform((m): OpMix => ({ get: m.get ?? 0, put: m.put ?? 0, delete: m.delete ?? 0, cas: m.cas ?? 0, exists: m.exists ?? 0, ...(m.list ? { list: m.list } : {}) }));

const think = z
  .strictObject({ min: duration().default(0), max: duration().default(20_000) }, { error: "expected {min, max} durations" })
  .check((ctx) => {
    if (ctx.value.max < ctx.value.min) ctx.issues.push({ code: "custom", input: ctx.value, path: ["max"], message: "must be >= think.min" });
  });

const workload = z
  .strictObject({
    keys: keys.prefault(3),
    mix: mix.default(DEFAULT_MIX),
    think: think.default({ min: 0, max: 20_000 }),
    requestTimeout: duration({ positive: true }).default(100_000),
    staleCas: probability.default(0.1),
  }, { error: "expected an object of workload settings" })
  .transform((w): ScenarioWorkload => ({
    keys: w.keys,
    mix: w.mix,
    thinkMinUs: w.think.min,
    thinkMaxUs: w.think.max,
    requestTimeoutUs: w.requestTimeout,
    staleCasP: w.staleCas,
  }));

const net = z
  .strictObject({
    latency: duration().default(1_000),
    sigma: z.number({ error: "expected a number >= 0" }).min(0, { error: "expected a number >= 0" }).default(0.4),
    loss: probability.default(0),
    dup: probability.default(0),
  }, { error: "expected an object of network settings" })
  .transform((n): NetConfig => ({ latencyMedianUs: n.latency, latencySigma: n.sigma, lossP: n.loss, dupP: n.dup }));

const bug = z.enum(BUGS.map((b) => b.name) as [BugName, ...BugName[]], { error: `unknown bug; expected one of ${BUGS.map((b) => b.name).join(", ")}` });

// ---- experiments (measurements, not verdicts) ---------------------------------------------

const experiment = z
  .strictObject({
    kind: z.literal("figure16", { error: `expected "figure16" (the Raft paper's election-time experiment)` }),
    trials: z.number({ error: "expected an integer 1..100000" }).int({ error: "expected an integer 1..100000" }).min(1, { error: "expected an integer 1..100000" }).max(100_000, { error: "expected an integer 1..100000" }).default(1000),
    seed: z.number({ error: "expected a non-negative integer" }).int({ error: "expected a non-negative integer" }).min(0, { error: "expected a non-negative integer" }).default(1),
    latency: duration({ positive: true }).default(7_000),
    jitter: z.number({ error: "expected a lognormal sigma, e.g. 0.1" }).min(0, { error: "expected a sigma >= 0" }).max(3, { error: "expected a sigma <= 3" }).default(0.1),
    fsync: duration({ positive: true }).default(1_000),
  }, { error: "expected {kind: figure16, trials, seed, latency, jitter, fsync}" })
  .transform((e): ScenarioExperiment => ({ kind: e.kind, trials: e.trials, seed: e.seed, latencyUs: e.latency, jitter: e.jitter, fsyncUs: e.fsync }));

// ---- the scenario -------------------------------------------------------------------------

export const scenarioSchema = z
  .strictObject({
    name: z.string({ error: "required: a name like partition-halves" }).regex(/^[a-z0-9][a-z0-9-]*$/, { error: "expected lower-case letters, digits and dashes, e.g. partition-halves" }),
    description: z.string({ error: "expected a string" }).default(""),
    experiment: experiment.optional(),
    servers: z.number({ error: "expected an integer 1..9" }).int({ error: "expected an integer 1..9" }).min(1, { error: "expected an integer 1..9" }).max(9, { error: "expected an integer 1..9" }).default(5),
    clients: z.number({ error: "expected an integer 1..50" }).int({ error: "expected an integer 1..50" }).min(1, { error: "expected an integer 1..50" }).max(50, { error: "expected an integer 1..50" }).default(5),
    time: duration({ positive: true })
      .refine((us) => us >= 1_000_000, { error: `the run must last at least 1s (a bare number is µs: write a unit, e.g. "10s")` })
      .default(10_000_000),
    seeds: seeds.default([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    expect: z.enum(EXPECTATIONS, { error: `expected "ok", "violation" or "liveness"` }).default("ok"),
    raft: raft.default({}),
    workload: workload.prefault({ keys: 3, mix: DEFAULT_MIX, think: { min: 0, max: 20_000 }, requestTimeout: 100_000, staleCas: 0.1 }),
    net: net.prefault({ latency: 1_000, sigma: 0.4, loss: 0, dup: 0 }),
    faults: faults.default({ schedule: [] }),
    bugs: z.array(bug, { error: "expected a list of bug names (see `raftsim bugs`)" }).default([]),
  }, { error: "expected a scenario object {name, description, faults, ...}" })
  .check((ctx) => checkAgainstCluster({ ...ctx.value, timeUs: ctx.value.time } as Scenario, ctx.issues))
  .transform(({ time, ...rest }): Scenario => ({ ...rest, timeUs: time }));

/** Cross-field checks: node ids exist, partitions make sense, actions happen before the heal. */
function checkAgainstCluster(s: Scenario, issues: z.core.$ZodRawIssue[]): void {
  if (!("schedule" in s.faults)) return;
  const N = s.servers;
  const add = (i: number, field: string | (string | number)[], message: string) =>
    issues.push({ code: "custom", input: undefined, path: ["faults", "schedule", i, ...(Array.isArray(field) ? field : [field])], message });
  const node = (i: number, field: string | (string | number)[], v: number) => {
    if (v >= N) add(i, field, `no node ${v}: the cluster has ${N} servers (0..${N - 1})`);
  };
  const explicitHeal = s.faults.schedule.some((a) => a.kind === "heal-all");
  const healAt = s.timeUs - livenessWindowUs(s.timeUs);
  s.faults.schedule.forEach((a, i) => {
    if (a.at >= s.timeUs) add(i, "at", `${usToDuration(a.at)} is not before the end of the run (time ${usToDuration(s.timeUs)})`);
    else if (!explicitHeal && a.at >= healAt && a.kind !== "heal" && a.kind !== "heal-all")
      add(i, "at", `${usToDuration(a.at)} is after the automatic final heal at ${usToDuration(healAt)} (time minus the liveness window); add an explicit heal-all or a longer time`);
    switch (a.kind) {
      case "partition-halves":
        a.side.forEach((x, j) => node(i, ["side", j], x));
        if (a.side.length === 0 || a.side.length >= N) add(i, "side", `must list some but not all of the ${N} servers`);
        break;
      case "partition-ring":
        if (a.order.length !== N || new Set(a.order).size !== N || a.order.some((x) => x >= N))
          add(i, "order", `must list every server 0..${N - 1} exactly once`);
        break;
      case "partition-bridge":
        a.side.forEach((x, j) => node(i, ["side", j], x));
        node(i, "bridge", a.bridge);
        if (a.side.includes(a.bridge)) add(i, "bridge", "the bridge node must not be in side");
        break;
      case "cut-one-way":
      case "clog":
        node(i, "from", a.from);
        node(i, "to", a.to);
        if (a.from === a.to) add(i, "to", "must differ from from");
        break;
      case "isolate": case "crash": case "restart": case "pause": case "resume": case "clock-offset": case "clock-jump":
      case "clock-drift": case "clock-strobe": case "disk-lose-unsynced": case "reconnect": case "snapshot-restore":
      case "member-remove":
        node(i, "node", a.node);
        break;
      case "member-add":
        node(i, "node", a.node);
        node(i, "via", a.via);
        if (a.via === a.node) add(i, "via", "must differ from node (join through another server)");
        break;
      default:
        break;
    }
  });
}

