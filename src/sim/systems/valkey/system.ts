// valkey — a Valkey-like Core on the modular-clustering contract (issue 15 parts 3 and 5): every
// node is a Core (src/impl/valkey-contract/core) over a Clustering module (modules.ts; default
// raft-module) on the simulator's network, disks and clocks; 3 shards x 3 nodes by default, the
// cluster's slots split evenly over the shards, clients routing by slot (MOVED), some writes
// WAIT-style, now and then a CLUSTER FAILOVER [FORCE]. The harness's own checks, with or without
// the system's assertions:
// (a) the shard-log operations the Cores issue are linearizable against the contract's revision
//     CAS (shard-log-history.ts; revisions compared by payload);
// (b) one writer per shard at every instant (observer.ts; the dual-writable window is reported);
// (c) no WAIT-acknowledged write lost: every such token is in every GET of its key that began
//     after the acknowledgement, and in the key's final value;
// (d) after the final heal, within the liveness window: one writable primary per shard, and every
//     node routes every slot to it.
import * as z from "zod";
import { checkOperations, type CheckResult } from "../../../check/linearizability.js";
import { keySlot } from "../../../impl/failover/valkey/types.js";
import type { ClusterPlan } from "../../../impl/valkey-contract/contract.js";
import { ValkeyHost, type HostMsg } from "../../../impl/valkey-contract/core/host.js";
import { CORE_NOTE_NAMES, DEFAULT_CORE_OPTIONS, type CoreOptions } from "../../../impl/valkey-contract/core/types.js";
import { GENERIC_FAMILIES, type FaultAction } from "../../faults/index.js";
import { livenessWindowUs } from "../../runner/liveness-window.js";
import { metricColumns, type AnyWorld, type NodeField, type RunRequest, type System, type SystemRun } from "../../runner/system.js";
import { act, duration, want, type ScenarioBlock } from "../../scenario/schema.js";
import { S } from "../../../util/time.js";
import { BUGS, coreBugs } from "./bugs.js";
import { KvHistory, ValkeyClient } from "./client.js";
import { VALKEY_FAMILIES, VALKEY_FAULT_KINDS, executeValkeyFault } from "./faults.js";
import { MODULES } from "./modules.js";
import { ValkeyObserver } from "./observer.js";
import { VALKEY_OPTION_KEYS, VARIANTS, resolve } from "./options.js";
import { ShardLogHistory, recordShardLog, shardLogModel } from "./shard-log-history.js";
import { lostWaitAcked } from "./lost-writes.js";
import { RUN_CHECK_STEPS } from "../../runner/run.js";

const PER_SHARD = 3;

function setup(req: RunRequest): SystemRun {
  const o = resolve(req.options);
  if (req.servers % PER_SHARD !== 0) throw new Error(`valkey: --servers must be a multiple of ${PER_SHARD} (shards of 3 nodes), got ${req.servers}`);
  const nShards = req.servers / PER_SHARD;
  const plan: ClusterPlan = {
    shards: Array.from({ length: nShards }, (_, s) => ({
      shardId: `s${s}`,
      members: Array.from({ length: PER_SHARD }, (_, j) => ({ nodeId: s * PER_SHARD + j, address: `10.0.${s}.${j}:6379` })),
    })),
  };
  const shardNodes = plan.shards.map((s) => s.members.map((m) => m.nodeId));
  const shardOfNode = (n: number): number => Math.floor(n / PER_SHARD);
  // The slots of shard s: [s*per, (s+1)*per) as the Core splits them; clients start at shard s's
  // first node (the bootstrap primary).
  const per = o.slots / nShards;
  const initialOwner = Array.from({ length: o.slots }, (_, slot) => Math.min(nShards - 1, Math.floor(slot / per)) * PER_SHARD);
  const core: CoreOptions = { ...DEFAULT_CORE_OPTIONS, leaseUs: o.leaseUs, leaseWait: o.leaseWait, leaseWaitMult: o.leaseWaitMult, readMode: o.readMode, bugs: coreBugs(req.bugs) };
  const asserts = req.sutAsserts !== false;
  const moduleFactory = MODULES[o.module]!({ leaseUs: o.leaseUs, revision: o.revision, blindWrites: o.blindWrites, asserts });
  const logHist = new ShardLogHistory();
  const kv = new KvHistory();
  const obs = new ValkeyObserver({ shards: shardNodes }, 0);
  let world!: AnyWorld;
  const settleUs = livenessWindowUs(req.timeUs) + 5 * S;
  let settledAfterHealUs: number | null = null;
  let metaVerdict: string = "unchecked";
  let metaReason: string | null = null;
  let lost: ReturnType<typeof lostWaitAcked> | null = null;
  const finder = {
    primaries: (w: AnyWorld) => {
      const out: number[] = [];
      for (let s = 0; s < nShards; s++) out.push(...obs.writersOf(w, s));
      return out;
    },
    peersOf: (p: number) => shardNodes[shardOfNode(p)]!.filter((x) => x !== p),
  };

  const settled = (w: AnyWorld): string | null => {
    for (let s = 0; s < nShards; s++) {
      const ws = obs.writersOf(w, s);
      if (ws.length !== 1) return ws.length === 0 ? `shard ${s} has no writable primary` : `shard ${s} has ${ws.length} writable nodes (${ws.join(", ")})`;
      const p = ws[0]!;
      const slot = Math.floor(s * per);
      for (let i = 0; i < req.servers; i++) {
        const n = w.nodes[i] as ValkeyHost | null;
        if (n === null || !w.isUp(i)) return `node ${i} is down`;
        const r = n.core.routeOf(slot);
        if (r !== p) return `node ${i} routes slot ${slot} to ${r}, shard ${s}'s primary is ${p}`;
      }
    }
    return null;
  };

  return {
    world: {
      factory: (id, env, recovered) => {
        const shard = plan.shards[shardOfNode(id)]!.shardId;
        const mono = () => world.clocks[id]!.monotonic(world.now);
        return new ValkeyHost(env as never, { plan, slots: o.slots, core, module: (ctx) => recordShardLog(moduleFactory(ctx), id, shard, logHist, () => world.now) }, recovered, world.localNow(id), mono);
      },
      actorFactory: (id, env) => new ValkeyClient(env, req.servers, initialOwner, o.workload, kv, req.healAtUs),
      traceKey: (m) => traceKey(m as HostMsg),
      noteNames: CORE_NOTE_NAMES,
      budget: 3_000_000 + Math.ceil((req.timeUs + settleUs) / S) * 200_000,
      onNote: (id, code, a) => obs.onNote(id, code, a),
      afterEachEvent: (w) => obs.afterEvent(w),
    },
    faults: {
      target: (name) => {
        if (name !== "leader") return -1;
        const ps = finder.primaries(world);
        return ps.length === 0 ? -1 : world.faultRng.pick(ps);
      },
      system: (w, f) => executeValkeyFault(w, f, finder),
    },
    attach(w) {
      world = w;
      obs.attach(w);
    },
    inspectNode(w, id): Readonly<Record<string, NodeField>> | null {
      const n = w.nodes[id] as ValkeyHost | null;
      if (n === null) return null;
      const c = n.core;
      const mono = w.clocks[id]!.monotonic(w.now);
      return { shard: c.shard.shardId, primary: c.primary(), epoch: c.epoch(), owned: c.ownedEpoch, phase: c.phase, writable: c.writable(mono, w.localNow(id)), ok: c.okValid(mono, w.localNow(id)), fenced: c.log.get("fenced")?.value ?? null, dataEpoch: c.de, offset: c.kv.offset };
    },
    endAt: (lastHeal, timeUs) => Math.max(timeUs, lastHeal + settleUs),
    liveness(w, lastHeal, endUs) {
      let why: string | null = "not run";
      w.runUntil(endUs, () => {
        why = settled(w);
        return why === null;
      });
      if (why === null) settledAfterHealUs = w.now - lastHeal;
      return why === null ? null : `not settled ${((endUs - lastHeal) / S).toFixed(1)} s after the final heal: ${why}`;
    },
    finish(w) {
      logHist.abandonAll();
      kv.abandonAll();
      const finals = settled(w) === null ? finalValues(w) : null;
      lost = lostWaitAcked(kv.ops, finals);
      const r = checkOperations(shardLogModel, logHist.ops, { maxSteps: RUN_CHECK_STEPS });
      metaVerdict = r.verdict;
      metaReason = r.verdict === "illegal" ? describeIllegal(r) : null;
    },
    endCheck: () => {
      if (obs.firstDual !== null) {
        const d = obs.firstDual;
        return `single-writer: shard ${d.shard}'s nodes ${d.nodes.join(" and ")} accept writes at once at ${(d.atUs / 1000).toFixed(1)} ms (dual-writable ${(obs.dualWritableUs / 1000).toFixed(1)} ms in all)`;
      }
      if (lost !== null && lost.lost > 0) return `lost-wait-ack: a WAIT-acknowledged write is lost: ${lost.first}`;
      if (metaVerdict === "illegal") return `shard-log-cas: the shard-log history is not linearizable against the revision-CAS contract: ${metaReason}`;
      return null;
    },
    details: () => {
      const fo = [...obs.failoverUs].sort((a, b) => a - b);
      const l = lost as ReturnType<typeof lostWaitAcked> | null;
      return {
        valkey: {
          module: o.module,
          revision: o.revision,
          blindWrites: o.blindWrites,
          leaseWait: o.leaseWait,
          readMode: o.readMode,
          metadataOps: logHist.ops.length,
          metadataViolations: metaVerdict === "illegal" ? 1 : metaVerdict === "ok" ? 0 : null,
          singleWriterViolations: obs.firstDual === null ? 0 : 1,
          dualWritableMs: Math.round(obs.dualWritableUs / 100) / 10,
          lostAckedWrites: l === null ? null : l.lost,
          waitAckedWrites: l === null ? null : l.acked,
          failovers: fo.length,
          failoverP50Ms: fo.length === 0 ? null : Math.round(fo[Math.floor((fo.length - 1) / 2)]! / 1000),
          failoverMaxMs: fo.length === 0 ? null : Math.round(fo[fo.length - 1]! / 1000),
          unavailabilityMs: Math.round(obs.unavailableUs / 1000),
          casConflicts: obs.casConflicts,
          casRetries: obs.casRetries,
          takeovers: obs.takeovers,
          manualTakeovers: obs.manualTakeovers,
          fences: obs.fences,
          fenceReverts: obs.reverts,
          settledAfterHealMs: settledAfterHealUs === null ? null : Math.round(settledAfterHealUs / 1000),
          clientOps: kv.ops.length,
        },
      };
    },
  };

  /** Each key's value on its shard's (single) writable primary. */
  function finalValues(w: AnyWorld): Map<string, string> {
    const out = new Map<string, string>();
    for (const key of o.workload.keys) {
      const s = Math.min(nShards - 1, Math.floor(keySlot(key, o.slots) / per));
      const p = obs.writersOf(w, s)[0]!;
      out.set(key, (w.nodes[p] as ValkeyHost).core.kv.get(key));
    }
    return out;
  }
}

/** The first failing shard's op that cannot follow the longest legal prefix, and the state there. */
function describeIllegal(r: CheckResult): string {
  const part = r.counterexample?.parts[0];
  if (part === undefined) return "no linearization";
  const op = part.cannotFollow[0];
  return `shard ${part.partition ?? "?"}: ${op === undefined ? "no op can follow" : `${op.description} cannot follow`} ${part.prefix.length} legal ops (state ${part.stateAfterPrefix.slice(0, 300)})`;
}

function traceKey(m: HostMsg): number {
  switch (m.type) {
    case "mod": return 1 + (((m.m as { type?: string }).type ?? "").length % 7);
    case "repl": return 10;
    case "psync": return 11;
    case "fullsync": return 12;
    case "ack": return 13;
    case "probe": return 14;
    case "probeRep": return 15;
    case "fetch": return 16;
    default: return 0;
  }
}

const FAMILIES = [...GENERIC_FAMILIES, ...VALKEY_FAMILIES];

const scenarioBlock: ScenarioBlock = {
  system: "valkey",
  families: FAMILIES.map((f) => f.name),
  bugs: BUGS.map((b) => b.name),
  // Its own fault kind in scenario files (faults.ts executes it; shrunk runs are written with it).
  actions: [
    act("vk-primary-fault", {
      what: z.enum(["pause", "split", "clock-jump"], { error: want("expected what: pause, split or clock-jump") }),
      durationUs: duration({ positive: true }).optional(),
      withReplica: z.boolean().optional(),
      us: duration({ signed: true }).optional(),
      isolateUs: duration().optional(),
    }),
  ],
  shape: {
    module: z.string().optional(),
    revision: z.enum(["index", "term-index", "version", "value"]).optional(),
    blindWrites: z.boolean().optional(),
    leaseWait: z.boolean().optional(),
    readMode: z.enum(["local", "consistent"]).optional(),
  },
  options: (sc) => {
    const out: Record<string, unknown> = {};
    for (const k of ["module", "revision", "blindWrites", "leaseWait", "readMode"]) if ((sc as Record<string, unknown>)[k] !== undefined) out[k] = (sc as Record<string, unknown>)[k];
    return Object.keys(out).length === 0 ? undefined : out;
  },
  fileKeys(options): Record<string, unknown> {
    const o = (options ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (!["module", "revision", "blindWrites", "leaseWait", "readMode"].includes(k)) throw new Error(`valkey: only module, revision, blindWrites, leaseWait and readMode have a scenario-file form (got ${k}; options: ${VALKEY_OPTION_KEYS.join(", ")})`);
      out[k] = v;
    }
    return out;
  },
};

export const valkey: System = {
  name: "valkey",
  description: "A Valkey-like Core on the modular-clustering contract over raft-module (or gossip-module: option module): 3 shards x 3 nodes, primaryship by CAS on each shard's log with the 2L lease wait, FENCED manual failovers, MOVED routing from GLOBAL gossip, WAIT writes; checks: shard-log history linearizable against revision CAS, one writer per shard, no lost WAIT-acknowledged write, a primary per shard after heal",
  defaults: { servers: 9, clients: 3 },
  bugs: BUGS,
  families: FAMILIES,
  faultKinds: VALKEY_FAULT_KINDS,
  targets: ["leader"],
  noteNames: CORE_NOTE_NAMES,
  scenario: scenarioBlock,
  model: shardLogModel,
  optionKeys: VALKEY_OPTION_KEYS,
  setup,
  variants: VARIANTS,
  compareMetrics: (details) => metricColumns(details.valkey, ["metadataViolations", "singleWriterViolations", "dualWritableMs", "lostAckedWrites", "failoverP50Ms", "unavailabilityMs", "casConflicts", "casRetries"]),
};

export type { FaultAction };
