// raft-metadata's part of the scenario format: its keys (raft: Raft settings, workload: the
// clients' operation mix and pacing, experiment: a measurement such as Figure 16), its own fault
// kinds (isolate-leader-on, member-*), families and bugs, and how a parsed scenario becomes its
// run options. The generic part is src/sim/scenario/schema.ts.
import * as z from "zod";
import { act, duration, driftPpm, nodeId, positiveMs, posInt, probability, want, weight, type Scenario, type ScenarioBlock } from "../../scenario/schema.js";
import { BUGS } from "./bugs.js";
import { usToDuration } from "../../../util/duration.js";
import { DEFAULT_MIX, type OpMix } from "./clients/config.js";
import { FIGURE16_DEFAULTS } from "./experiments/figure16.js";
import type { MembershipSetup, RaftFault } from "./faults.js";
import type { RaftMetadataOptions } from "./options.js";
import { CRASH_WINDOWS, SNAPSHOT_CUTS } from "./window-faults.js";

export { DEFAULT_MIX };
import { READ_MODES, type ReadMode } from "../../../impl/raft/api.js";

export { READ_MODES, type ReadMode };

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
  /** Followers serve reads with a read index from the leader (RaftMetadataOptions.followerReads;
   * a server option, written here beside the read mode). */
  readonly followerReads?: boolean;
  /** Asynchronous apply, this long after commit (RaftMetadataOptions.applyDelayUs). */
  readonly applyDelayUs?: number;
  /** Client sessions expire after this many log entries (RaftMetadataOptions.sessionTtl). */
  readonly sessionTtl?: number;
  /** false: the original event model (RaftMetadataOptions.fast; default true). */
  readonly fast?: boolean;
}

export interface ScenarioWorkload {
  readonly keys: readonly string[];
  readonly mix: OpMix;
  readonly thinkMinUs: number;
  readonly thinkMaxUs: number;
  readonly requestTimeoutUs: number;
  readonly staleCasP: number;
  readonly listPrefix?: string;
  readonly stickyUs?: number;
  readonly readsAnywhere?: boolean;
  /** Share of ops that are multi-key txns, and the keys they pick from (WorkloadConfig). */
  readonly txnP?: number;
  readonly txnKeys?: readonly string[];
}


/** A measurement instead of a checked run: `raftsim run --scenario NAME` prints its table. */
export interface ScenarioExperiment {
  readonly kind: "figure16";
  readonly trials: number;
  readonly seed: number;
  readonly latencyUs: number;
  readonly jitter: number;
  readonly fsyncUs: number;
}

/** A raft-metadata scenario: the generic fields and this system's keys. */
export interface RaftScenario extends Scenario {
  readonly raft: ScenarioRaft;
  readonly membership?: MembershipSetup;
  readonly workload: ScenarioWorkload;
  readonly experiment?: ScenarioExperiment;
}

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
    followerReads: z.boolean({ error: "expected true or false" }).optional(),
    applyDelay: duration().optional(),
    sessionTtl: posInt.optional(),
    fast: z.boolean({ error: "expected true or false" }).optional(),
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
    set("followerReads", r.followerReads);
    set("applyDelayUs", r.applyDelay);
    set("sessionTtl", r.sessionTtl);
    set("fast", r.fast);
    return out as ScenarioRaft;
  });

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
    // The prefix list ops read (default ""), and how long a client retries on one server.
    listPrefix: z.string({ error: "expected a key prefix" }).optional(),
    sticky: duration().optional(),
    // Reads go to a random server (with raft.followerReads always).
    readsAnywhere: z.boolean({ error: "expected true or false" }).optional(),
    // Multi-key transactions: the share of ops, and the keys they pick from (default: all).
    txn: probability.optional(),
    txnKeys: z.array(z.string({ error: "expected a key" }), { error: "expected a list of keys" }).min(2, { error: "expected at least 2 keys" }).optional(),
  }, { error: "expected an object of workload settings" })
  .transform((w): ScenarioWorkload => ({
    keys: w.keys,
    mix: w.mix,
    thinkMinUs: w.think.min,
    thinkMaxUs: w.think.max,
    requestTimeoutUs: w.requestTimeout,
    staleCasP: w.staleCas,
    ...(w.listPrefix !== undefined ? { listPrefix: w.listPrefix } : {}),
    ...(w.sticky !== undefined ? { stickyUs: w.sticky } : {}),
    ...(w.readsAnywhere !== undefined ? { readsAnywhere: w.readsAnywhere } : {}),
    ...(w.txn !== undefined ? { txnP: w.txn } : {}),
    ...(w.txnKeys !== undefined ? { txnKeys: w.txnKeys } : {}),
  }));


// ---- experiments (measurements, not verdicts) ---------------------------------------------

const experiment = z
  .strictObject({
    kind: z.literal("figure16", { error: `expected "figure16" (the Raft paper's election-time experiment)` }),
    trials: z.number({ error: "expected an integer 1..100000" }).int({ error: "expected an integer 1..100000" }).min(1, { error: "expected an integer 1..100000" }).max(100_000, { error: "expected an integer 1..100000" }).default(1000),
    seed: z.number({ error: "expected a non-negative integer" }).int({ error: "expected a non-negative integer" }).min(0, { error: "expected a non-negative integer" }).default(1),
    latency: duration({ positive: true }).default(FIGURE16_DEFAULTS.latencyMedianUs),
    jitter: z.number({ error: "expected a lognormal sigma, e.g. 0.1" }).min(0, { error: "expected a sigma >= 0" }).max(3, { error: "expected a sigma <= 3" }).default(FIGURE16_DEFAULTS.latencySigma),
    fsync: duration({ positive: true }).default(FIGURE16_DEFAULTS.fsyncMedianUs),
  }, { error: "expected {kind: figure16, trials, seed, latency, jitter, fsync}" })
  .transform((e): ScenarioExperiment => ({ kind: e.kind, trials: e.trials, seed: e.seed, latencyUs: e.latency, jitter: e.jitter, fsyncUs: e.fsync }));

// ---- its own fault kinds ------------------------------------------------------------------

const EVENT = z.enum(["elected", "first-commit"], { error: want(`expected "elected" or "first-commit"`) });

const ACTIONS = [
  act("isolate-leader-on", { event: EVENT, durationUs: duration({ positive: true }), times: posInt }),
  // Membership (operator actions through the current leader; see faults.ts).
  act("member-add", { node: nodeId, via: nodeId, tries: posInt.default(40) }),
  act("member-remove", { node: nodeId, readdUs: duration().default(0) }),
  act("member-remove-leader", { readdUs: duration().default(0) }),
  // Deposed leaders and leader churn (faults.ts).
  act("depose-leader", { durationUs: duration({ positive: true }) }),
  act("leader-churn-on", { event: EVENT, times: posInt }),
  act("transfer-leader", {}),
  act("member-churn-on", { event: EVENT, durationUs: duration({ positive: true }), times: posInt }),
  act("member-churn", { durationUs: duration({ positive: true }) }),
  // Membership and protocol windows (faults.ts, window-faults.ts).
  act("member-change-transfer", { readdUs: duration().default(0) }),
  act("crash-on", { on: z.enum(CRASH_WINDOWS, { error: want(`expected one of ${CRASH_WINDOWS.map((w) => `"${w}"`).join(", ")}`) }), downUs: duration({ positive: true }), times: posInt.default(1) }),
  act("restore-race", { back: posInt.default(1), delayUs: duration().default(300_000), cutUs: duration({ positive: true }) }),
  act("snapshot-cut-on", { how: z.enum(SNAPSHOT_CUTS, { error: want(`expected "transfer" or "isolate"`) }), cutUs: duration({ positive: true }), times: posInt.default(1) }),
];

export function raftScenarioBlock(families: readonly string[]): ScenarioBlock {
  return {
    system: "raft-metadata",
    families,
    bugs: BUGS.map((b) => b.name),
    actions: ACTIONS,
    shape: {
      experiment: experiment.optional(),
      // How the servers start (RaftMetadataOptions.membership): what a generated run with the
      // membership family drew, written down by `raftsim shrink`.
      membership: z.strictObject({ initialVoters: posInt, bootstrap: z.boolean({ error: "expected true or false" }).default(false) }, { error: "expected {initialVoters, bootstrap}" }).optional(),
      raft: raft.default({}),
      workload: workload.prefault({ keys: 3, mix: DEFAULT_MIX, think: { min: 0, max: 20_000 }, requestTimeout: 100_000, staleCas: 0.1 }),
    },
    checkAction(sa, node, add) {
      const a = sa as RaftFault;
      switch (a.kind) {
        case "member-remove":
          node("node", a.node);
          break;
        case "member-add":
          node("node", a.node);
          node("via", a.via);
          if (a.via === a.node) add("via", "must differ from node (join through another server)");
          break;
        default:
          break;
      }
    },
    fileKeys(opts): Record<string, unknown> {
      const o = (opts ?? {}) as RaftMetadataOptions;
      const { raft: r, workload: w, membership, swarmConfig: _swarm, net, checkTimeoutMs, followerReads, applyDelayUs, sessionTtl, leaseCheck, onlineChecks, fast, ...rest } = o;
      const unknown = Object.keys(rest);
      if (unknown.length > 0) throw new Error(`raft-metadata options ${unknown.join(", ")} have no scenario form`);
      if (net !== undefined) throw new Error("raft-metadata's own net option has no scenario form (the scenario's net block is the run's)");
      if (checkTimeoutMs !== undefined) throw new Error("checkTimeoutMs has no scenario form");
      if (leaseCheck !== undefined) throw new Error("leaseCheck has no scenario form");
      if (onlineChecks !== undefined) throw new Error("onlineChecks has no scenario form");
      const out: Record<string, unknown> = {};
      if (r !== undefined) {
        const ms = (us: number | undefined) => (us === undefined ? undefined : us / 1000);
        const raftKeys: Record<string, unknown> = {
          electionMinMs: ms(r.electionMinUs), electionMaxMs: ms(r.electionMaxUs), heartbeatMs: ms(r.heartbeatUs),
          preVote: r.preVote, checkQuorum: r.checkQuorum, maxBatch: r.maxBatch, maxInflight: r.maxInflight,
          readMode: r.readMode, maxDriftPpm: r.maxDriftPpm, snapshotEvery: r.snapshotEvery, snapshotChunk: r.snapshotChunk,
        };
        const known = new Set(["electionMinUs", "electionMaxUs", "heartbeatUs", "preVote", "checkQuorum", "maxBatch", "maxInflight", "readMode", "maxDriftPpm", "snapshotEvery", "snapshotChunk"]);
        const other = Object.keys(r).filter((k) => !known.has(k) && (r as Record<string, unknown>)[k] !== undefined);
        if (other.length > 0) throw new Error(`Raft options ${other.join(", ")} have no scenario form`);
        out.raft = Object.fromEntries(Object.entries(raftKeys).filter(([, v]) => v !== undefined));
      }
      if (followerReads !== undefined) out.raft = { ...(out.raft as object | undefined), followerReads };
      if (applyDelayUs !== undefined) out.raft = { ...(out.raft as object | undefined), applyDelay: usToDuration(applyDelayUs) };
      if (sessionTtl !== undefined) out.raft = { ...(out.raft as object | undefined), sessionTtl };
      if (fast === false) out.raft = { ...(out.raft as object | undefined), fast };
      if (membership !== undefined) out.membership = { initialVoters: membership.initialVoters, bootstrap: membership.bootstrap };
      if (w !== undefined) {
        const other = Object.keys(w).filter((k) => !["keys", "mix", "thinkMinUs", "thinkMaxUs", "timeoutUs", "staleCasP", "listPrefix", "stickyUs", "readsAnywhere", "txnP", "txnKeys"].includes(k));
        if (other.length > 0) throw new Error(`workload options ${other.join(", ")} have no scenario form`);
        out.workload = {
          ...(w.keys !== undefined ? { keys: [...w.keys] } : {}),
          ...(w.mix !== undefined ? { mix: { ...w.mix } } : {}),
          ...(w.thinkMinUs !== undefined || w.thinkMaxUs !== undefined ? { think: { min: usToDuration(w.thinkMinUs ?? 0), max: usToDuration(w.thinkMaxUs ?? 20_000) } } : {}),
          ...(w.timeoutUs !== undefined ? { requestTimeout: usToDuration(w.timeoutUs) } : {}),
          ...(w.staleCasP !== undefined ? { staleCas: w.staleCasP } : {}),
          ...(w.listPrefix !== undefined ? { listPrefix: w.listPrefix } : {}),
          ...(w.stickyUs !== undefined ? { sticky: usToDuration(w.stickyUs) } : {}),
          ...(w.readsAnywhere !== undefined ? { readsAnywhere: w.readsAnywhere } : {}),
          ...(w.txnP !== undefined ? { txn: w.txnP } : {}),
          ...(w.txnKeys !== undefined ? { txnKeys: [...w.txnKeys] } : {}),
        };
      }
      return out;
    },
    options(sc): RaftMetadataOptions {
      const s = sc as RaftScenario;
      const { followerReads, applyDelayUs, sessionTtl, fast, ...raftFields } = s.raft;
      return {
        ...(fast !== undefined ? { fast } : {}),
        ...(s.membership !== undefined ? { membership: s.membership } : {}),
        ...(followerReads !== undefined ? { followerReads } : {}),
        ...(applyDelayUs !== undefined ? { applyDelayUs } : {}),
        ...(sessionTtl !== undefined ? { sessionTtl } : {}),
        // Only the fields the scenario sets: the rest stay the harness defaults (timed schedule)
        // or are drawn from the seed (swarm). readMode / leaseDriftBoundPpm / maxDriftPpm are
        // passed through to RaftOptions untouched.
        raft: raftFields,
        workload: {
          keys: s.workload.keys,
          mix: s.workload.mix,
          thinkMinUs: s.workload.thinkMinUs,
          thinkMaxUs: s.workload.thinkMaxUs,
          timeoutUs: s.workload.requestTimeoutUs,
          staleCasP: s.workload.staleCasP,
          ...(s.workload.listPrefix !== undefined ? { listPrefix: s.workload.listPrefix } : {}),
          ...(s.workload.stickyUs !== undefined ? { stickyUs: s.workload.stickyUs } : {}),
          ...(s.workload.readsAnywhere !== undefined ? { readsAnywhere: s.workload.readsAnywhere } : {}),
          ...(s.workload.txnP !== undefined ? { txnP: s.workload.txnP } : {}),
          ...(s.workload.txnKeys !== undefined ? { txnKeys: s.workload.txnKeys } : {}),
        },
      };
    },
  };
}
