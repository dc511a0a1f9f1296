// kvrocks-controller — the Kvrocks controller on a pluggable storage engine (issue 16 part 1):
// controllers (the embedded Raft engine of PR #183, or an external etcd-like store node) elect a
// leader that probes the data nodes, fails masters over and pushes the topology; data nodes
// serve a small replicated KV to clients. Node ids: src/impl/kvrocks/types.ts. Checks:
// observer.ts (online) and the controllers' engine operations as a linearizable history
// (src/sim/models/metadata-kv.ts, shared with raft-metadata); lost acknowledged client writes and W2 are measured.
import * as z from "zod";
import { Controller, type OpSink } from "../../../impl/kvrocks/controller.js";
import { DataNode } from "../../../impl/kvrocks/data-node.js";
import { StoreNode } from "../../../impl/kvrocks/store-node.js";
import { KVROCKS_NOTE_NAMES, initialTopology, isController, serversOf, shardOfSlot, storeNode, type Layout } from "../../../impl/kvrocks/types.js";
import type { MetaOp, MetaResult, StoreResult } from "../../../impl/metadata/ops.js";
import { keySlot } from "../../../impl/failover/valkey/types.js";
import type { Operation } from "../../../check/history.js";
import { checkOperations } from "../../../check/linearizability.js";
import { GENERIC_FAMILIES, type FaultAction } from "../../faults/index.js";
import { act, duration, type ScenarioBlock } from "../../scenario/schema.js";
import { metricColumns, type AnyWorld, type NodeField, type RunRequest, type System, type SystemRun } from "../../runner/system.js";
import { S } from "../../../util/time.js";
import { BUGS, kvrocksBugs } from "./bugs.js";
import { KvClient, KvHistory } from "./client.js";
import { kvrocksFamilies } from "./families.js";
import { KVROCKS_FAULT_KINDS, KvFaultDriver } from "./faults.js";
import { metadataKv } from "../../models/metadata-kv.js";
import { kvrocksRecorder } from "./recorder.js";
import { KvObserver } from "./observer.js";
import { ENGINES, FIX_NAMES, KVROCKS_OPTION_KEYS, engineOf, fixesOf, layoutFor, timingOf, workloadOf, type KvrocksSystemOptions } from "./options.js";
import { RUN_CHECK_STEPS } from "../../runner/run.js";

const DEFAULT_LAYOUT: Layout = { controllers: 3, shards: 2, replicas: 2, slots: 16 };

class MetaHistory implements OpSink {
  readonly ops: Operation<MetaOp, MetaResult>[] = [];
  private readonly open = new Map<number, { client: number; op: MetaOp; call: number }>();
  private next = 0;
  constructor(private readonly now: () => number) {}
  invoke(controller: number, op: MetaOp): number {
    const h = this.next++;
    this.open.set(h, { client: controller * 1_000_000 + h, op, call: this.now() });
    return h;
  }
  complete(h: number, reply: { kind: string; result?: StoreResult }): void {
    const o = this.open.get(h);
    if (o === undefined) return;
    this.open.delete(h);
    const t = this.now();
    // The controllers issue single MetaOps only, so an ok result is never a txn's.
    if (reply.kind === "ok") this.ops.push({ client: o.client, input: o.op, call: o.call, ret: t, status: "ok", output: reply.result as MetaResult });
    else if (reply.kind === "not-leader") this.ops.push({ client: o.client, input: o.op, call: o.call, ret: t, status: "fail", output: undefined });
    else this.ops.push({ client: o.client, input: o.op, call: o.call, ret: Infinity, status: "info", output: undefined });
  }
  abandonAll(): void {
    for (const [, o] of this.open) this.ops.push({ client: o.client, input: o.op, call: o.call, ret: Infinity, status: "info", output: undefined });
    this.open.clear();
  }
}

function setup(req: RunRequest): SystemRun {
  const o = (req.options ?? {}) as KvrocksSystemOptions;
  const engine = engineOf(o);
  const fixes = fixesOf(o);
  const layout = layoutFor(req.servers, o);
  const timing = timingOf(o);
  const workload = workloadOf(o);
  const bugs = kvrocksBugs(req.bugs);
  const asserts = req.sutAsserts !== false;
  const actions: FaultAction[] = [...(req.generated?.actions ?? req.explicitFaults ?? [])];
  const obs = new KvObserver(layout, engine, fixes, timing, actions);
  const driver = new KvFaultDriver(layout);
  let world!: AnyWorld;
  const meta = new MetaHistory(() => world.now);
  const kv = new KvHistory();
  const controllers = Array.from({ length: layout.controllers }, (_, i) => i);
  const raft = { voters: controllers, electionMinUs: 1 * S, electionMaxUs: 2 * S, heartbeatUs: 100_000, preVote: true, checkQuorum: fixes.quorumCheck, maxInflight: 8, maxBatch: 64, bugs: new Set<never>(), asserts };
  const initial = initialTopology(layout);
  const initialOwner: number[] = [];
  for (let s = 0; s < layout.slots; s++) initialOwner.push(initial.shards[shardOfSlot(layout, s)]!.master);
  const settleUs = 40 * S;
  let metaVerdict = "unchecked";
  let lost: { lost: number; acked: number } | null = null;
  return {
    world: {
      factory: (id, env, recovered) => {
        const now = world.localNow(id);
        if (isController(layout, id)) return new Controller(env as never, { layout, engine, readIndex: o.readIndex ?? true, fixes, bugs, timing, asserts }, raft, recovered as never, now, meta);
        if (id === storeNode(layout)) return new StoreNode(env as never, recovered as never, now);
        return new DataNode(env as never, { layout, lease: fixes.lease, leaseUs: o.dataLeaseUs ?? timing.leaseUs, resyncUs: 500_000 }, recovered as never, now);
      },
      actorFactory: (id, env) => new KvClient(env, layout.controllers, storeNode(layout) - layout.controllers, initialOwner, workload, kv),
      budget: 3_000_000 + Math.ceil((req.timeUs + settleUs) / S) * 60_000,
      onNote: (id, code, a, b) => {
        obs.onNote(id, code, a, b);
        driver.onNote(id, code);
      },
      onSend: (from, to, msg) => obs.onSend(from, to, msg),
      onCrash: (id) => obs.onCrash(id),
      afterEachEvent: (w) => obs.afterEvent(w),
    },
    faults: {
      target: (name) => (name === "leader" ? driver.leader() : -1),
      system: (w, f) => driver.execute(w, f),
      onHealAll: () => driver.disarm(),
    },
    attach(w) {
      world = w;
      obs.attach(w);
      driver.attach(w);
    },
    inspectNode(w, id): Readonly<Record<string, NodeField>> | null {
      const n = w.nodes[id];
      if (n === null || n === undefined) return null;
      if (isController(layout, id)) {
        const c = n as Controller;
        return { kind: "controller", engine, leading: c.leading, epoch: c.epoch, topologyVersion: c.topo?.version ?? null, queued: c.tasks.join(" ") };
      }
      if (id === storeNode(layout)) return { kind: "store", topology: (n as StoreNode).topologyValue() };
      const d = n as DataNode;
      return { kind: "data", shard: d.shard, version: d.topo.version, master: d.isMaster, offset: d.kv.offset, writable: d.writable(w.localNow(id)) };
    },
    endAt: (lastHeal, timeUs) => Math.max(timeUs, lastHeal + settleUs),
    liveness(w, lastHeal, endUs) {
      // Settled: a controller acts, every data node up at the latest committed version.
      let why: string | null = "not run";
      w.runUntil(endUs, () => {
        why = settled(w);
        return why === null;
      });
      return why === null ? null : `not settled ${((endUs - lastHeal) / S).toFixed(0)} s after the final heal: ${why}`;
    },
    finish(w) {
      meta.abandonAll();
      kv.abandonAll();
      lost = lostAckedWrites(w);
      // The same check the runner makes, kept as a number for compare's columns.
      metaVerdict = checkOperations(metadataKv, meta.ops, { maxSteps: RUN_CHECK_STEPS }).verdict;
    },
    history: { operations: () => meta.ops, model: metadataKv },
    details: () => {
      const fo = [...obs.failoverUs].sort((a, b) => a - b);
      return {
        kvrocks: {
          engine,
          readIndex: o.readIndex ?? true,
          fixes: FIX_NAMES.filter((f) => fixes[f]),
          splitBrainEvents: obs.splitBrain,
          stalePushes: obs.stalePushes,
          failovers: obs.failovers,
          failoverP50Ms: fo.length === 0 ? null : Math.round(fo[Math.floor((fo.length - 1) / 2)]! / 1000),
          dualWritableMs: Math.round(obs.dualWritableUs / 1000),
          dualWrites: obs.dualWrites,
          falseFailovers: obs.falseFailovers,
          unavailabilityMs: unavailability(kv, layout),
          lostAckedWrites: lost === null ? null : (lost as { lost: number }).lost,
          ackedWrites: lost === null ? null : (lost as { acked: number }).acked,
          checked: { fo6: obs.fo6Checked, fo7: obs.fo7Checked },
          clientOps: kv.ops.length,
          metadataOps: meta.ops.length,
          metadataViolations: metaVerdict === "illegal" ? 1 : metaVerdict === "ok" ? 0 : null,
        },
      };
    },
  };

  /** Acknowledged APPENDs whose token is not in the final value of its key on the master of
   * the last committed topology (null: that master is down at the end, nothing to compare). */
  function lostAckedWrites(w: AnyWorld): { lost: number; acked: number } | null {
    const topo = obs.latestTopology() ?? initial;
    const finals = new Map<string, Set<string>>();
    for (const key of workload.keys) {
      const m = w.nodes[topo.shards[shardOfSlot(layout, keySlot(key, layout.slots))]!.master] as DataNode | null;
      if (m === null) return null;
      finals.set(key, new Set(m.kv.get(key).split(",")));
    }
    let acked = 0;
    let missing = 0;
    for (const op of kv.ops) {
      if (op.input.f !== "append" || op.status !== "ok") continue;
      acked++;
      if (!finals.get(op.input.key)?.has(op.input.value!.slice(0, -1))) missing++;
    }
    return { lost: missing, acked };
  }

  function settled(w: AnyWorld): string | null {
    const topo = obs.latestTopology();
    if (!controllers.some((c) => (w.nodes[c] as Controller | null)?.leading === true)) return "no controller leads";
    if (topo === null) return "no topology committed";
    for (let d = layout.controllers; d < storeNode(layout); d++) {
      const n = w.nodes[d] as DataNode | null;
      if (n === null) return `data node ${d} down`;
      if (n.topo.version !== topo.version) return `data node ${d} at version ${n.topo.version}, committed ${topo.version}`;
    }
    return null;
  }
}

/** The longest stretch without an acknowledged write, per shard (max over shards), ms. */
function unavailability(kv: KvHistory, l: Layout): number | null {
  const byShard: number[][] = Array.from({ length: l.shards }, () => []);
  for (const op of kv.ops) {
    if (op.status !== "ok" || op.input.f !== "append") continue;
    let h = 0x811c9dc5;
    for (let i = 0; i < op.input.key.length; i++) h = Math.imul(h ^ op.input.key.charCodeAt(i), 0x01000193);
    byShard[shardOfSlot(l, (h >>> 0) % l.slots)]!.push(op.ret);
  }
  let worst = 0;
  for (const ts of byShard) {
    ts.sort((a, b) => a - b);
    for (let i = 1; i < ts.length; i++) worst = Math.max(worst, ts[i]! - ts[i - 1]!);
  }
  return Math.round(worst / 1000);
}

const FAMILIES = [...GENERIC_FAMILIES.filter((f) => f.name !== "clock" && f.name !== "disk"), ...kvrocksFamilies()];

const scenarioBlock: ScenarioBlock = {
  system: "kvrocks-controller",
  families: FAMILIES.map((f) => f.name),
  bugs: BUGS.map((b) => b.name),
  actions: [act("kc-depose-leader", { durationUs: duration({ positive: true }) }), act("kc-pause-on-update", { durationUs: duration({ positive: true }) })],
  shape: { engine: z.enum(ENGINES).optional(), readIndex: z.boolean().optional(), fixes: z.array(z.enum(FIX_NAMES)).optional() },
  options: (sc) => {
    const out: Record<string, unknown> = {};
    if (sc.engine !== undefined) out.engine = sc.engine;
    if (sc.readIndex !== undefined) out.readIndex = sc.readIndex;
    if (sc.fixes !== undefined) out.fixes = sc.fixes;
    return Object.keys(out).length === 0 ? undefined : out;
  },
  fileKeys(options): Record<string, unknown> {
    const { engine, readIndex, fixes, ...rest } = (options ?? {}) as KvrocksSystemOptions & Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw new Error(`kvrocks-controller: only engine, readIndex and fixes have a scenario-file form (got ${Object.keys(rest).join(", ")})`);
    const out: Record<string, unknown> = {};
    if (engine !== undefined) out.engine = engine;
    if (readIndex !== undefined) out.readIndex = readIndex;
    if (fixes !== undefined) {
      const on = fixesOf({ fixes: fixes as KvrocksSystemOptions["fixes"] });
      out.fixes = FIX_NAMES.filter((f) => on[f]);
    }
    return out;
  },
};

export const kvrocksController: System = {
  name: "kvrocks-controller",
  description: "Kvrocks controller on a pluggable storage engine (embedded Raft or an external etcd-like store): 3 controllers elect a leader that probes 2 shards x (1 master + 2 replicas) every 3 s, fails a master over after 5 misses and pushes the topology; one-active-controller, committed-versions, lease and bounded-failover checks online, the engine history checked for linearizability",
  defaults: { servers: serversOf(DEFAULT_LAYOUT), clients: 3 },
  bugs: BUGS,
  families: FAMILIES,
  faultKinds: KVROCKS_FAULT_KINDS,
  targets: ["leader"],
  noteNames: KVROCKS_NOTE_NAMES,
  recorder: kvrocksRecorder,
  scenario: scenarioBlock,
  optionKeys: KVROCKS_OPTION_KEYS,
  setup,
  variants: [
    { name: "embedded", description: "embedded Raft engine, reads from the local map (the seed), every fix on", options: { engine: "embedded", readIndex: false } },
    { name: "embedded-readindex", description: "embedded Raft engine, reads through ReadIndex, every fix on", options: { engine: "embedded", readIndex: true } },
    { name: "external", description: "external etcd-like store, every fix on", options: { engine: "external" } },
    { name: "embedded-unfixed", description: "embedded Raft engine with ReadIndex, no fix", options: { engine: "embedded", readIndex: true, fixes: [] } },
    { name: "external-unfixed", description: "external store, no fix", options: { engine: "external", fixes: [] } },
    { name: "embedded-no-lease", description: "embedded with ReadIndex, every fix but the master lease", options: { engine: "embedded", readIndex: true, fixes: ["votes", "quorumCheck", "demote", "casUpdate"] } },
  ],
  compareMetrics: (details) => metricColumns(details.kvrocks, ["splitBrainEvents", "stalePushes", "failoverP50Ms", "unavailabilityMs", "dualWritableMs", "falseFailovers", "metadataViolations", "lostAckedWrites"]),
};
