// `--detector lease`: the failover system's lease design (FAILURE-DETECTION.md §e D4, variant
// V2; src/impl/failover/lease). Same shards, slots, clients and workload as the Valkey designs;
// each shard's primaryship lives in a Raft group over the shard's own nodes. Checked online
// (observer.ts): P-L1, P-FO4, P-FD3, P-FD1 and P-FO6; after the final heal the cluster must
// converge (settled.ts: one lease holder per shard, P-FO3). Lost acknowledged writes are a
// violation here (endCheck over the final state), and the client history is checked for
// linearizability on every run (src/check/append-list.ts; porcupine-kv too with checkHistory):
// stale reads and lost or reordered writes fail the seed.
import { checkAppendHistory } from "../../../../check/append-list.js";
import { porcupineKv } from "../../../../check/models/index.js";
import { LeaseNode } from "../../../../impl/failover/lease/node.js";
import { DEFAULT_LEASE_OPTIONS, shardOfNode, type LeaseBugs, type LeaseMsg, type LeaseOptions, type LeaseTopology } from "../../../../impl/failover/lease/types.js";
import { keySlot } from "../../../../impl/failover/valkey/types.js";
import type { FaultAction } from "../../../faults/index.js";
import { livenessWindowUs } from "../../../runner/liveness-window.js";
import { type AnyWorld, type RunRequest, type SystemRun } from "../../../runner/system.js";
import { S } from "../../../../util/time.js";
import { leaseBugs } from "../bugs.js";
import { FailoverClient, KvRecorder } from "../client.js";
import { Disturbances } from "../disturbance.js";
import { executeFailoverFault } from "../faults.js";
import { unwrapLeaseOnly } from "../lease-families.js";
import { percentile } from "../observer.js";
import { dist as distribution } from "../metrics.js";
import { DEFAULT_WORKLOAD, shapeFor, type FailoverOptions } from "../options.js";
import { inspectLease } from "./inspect.js";
import { LeaseObserver, type LeaseBounds } from "./observer.js";
import { leaseSettled } from "./settled.js";
import { runToConvergence } from "../settled.js";
import type { LeaseTuning } from "./tuning.js";

const MS = 1_000;
/** Past this many characters read in all, the history check is skipped (see finish). */
const MAX_READ_CHARS = 100_000_000;


export function leaseOptions(t: LeaseTuning | undefined, asserts: boolean, bugs: LeaseBugs): LeaseOptions {
  return { ...DEFAULT_LEASE_OPTIONS, ...t, raft: { ...DEFAULT_LEASE_OPTIONS.raft, ...t?.raft }, asserts, bugs };
}

/** B_D and B_F of a lease configuration (see observer.ts). */
export function leaseBounds(o: LeaseOptions): LeaseBounds & { formula: string } {
  const L = o.leaseUs;
  const wait = Math.max(o.failAfterMult, o.refuseMult) * L;
  const election = o.raft.electionMaxUs;
  const detectUs = o.failAfterMult * L + election;
  const failoverUs = wait + election + o.candidateJitterUs + o.roundTimeoutUs + 2 * o.raft.heartbeatUs + 2 * o.tickUs;
  return {
    detectUs,
    failoverUs,
    lookbackUs: wait + election,
    maxDriftPpm: Math.max(0, Math.floor(((o.refuseMult - 1) / (o.refuseMult + 1)) * 1e6)),
    formula: `B_D = failAfterMult·L + election timeout = ${detectUs / MS} ms; B_F = max(failAfterMult, refuseMult)·L + election timeout + candidate delay + grant round + one commit (2 heartbeats + 2 ticks) = ${failoverUs / MS} ms`,
  };
}

function traceKey(m: unknown): number {
  const t = (m as { type: string }).type;
  switch (t) {
    case "repl": return 7;
    case "psync": return 8;
    case "fullsync": return 9;
    case "get": return 10;
    case "append": return 11;
    case "ok": return 12;
    case "moved": return 13;
    case "down": return 14;
    case "replAck": return 16;
    case "grantReq": return 17;
    case "grant": return 18;
    case "announce": return 19;
    case "grp": return 20 + 16 * ((m as { m: { type: string } }).m.type.length % 16);
    default: return 0;
  }
}

export function setupLease(req: RunRequest, o: FailoverOptions): SystemRun {
  const shape = shapeFor(req.servers, o);
  const topo: LeaseTopology = { servers: req.servers, slots: shape.topo.slots, size: shape.replicas + 1, shardOfSlot: shape.shardOfSlot };
  // `fd` carries the lease detector's parameters by its spec's names (raftsim detectors; the
  // compare calibration sets fd.leaseUs); `lease` any of the design's options, over those.
  const tuning: LeaseTuning = { ...fromFd(o.fd), ...o.lease };
  const lo = leaseOptions(tuning, req.sutAsserts !== false, leaseBugs(req.bugs));
  const cw = leaseOptions({ ...tuning, ...o.checkLease }, req.sutAsserts !== false, {});
  const bounds = leaseBounds(cw);
  const workload = { ...DEFAULT_WORKLOAD, ...o.workload };
  const actions: FaultAction[] = unwrapLeaseOnly(req.generated?.actions ?? req.explicitFaults ?? []);
  if (req.generated === null && !actions.some((a) => a.kind === "heal-all")) actions.push({ at: req.healAtUs, kind: "heal-all" });
  // Settling after the last heal: a holder stalled by a clock step, a takeover's 2L wait and a
  // shard-log election; runs stop as soon as they settle.
  const settleUs = Math.max(livenessWindowUs(req.timeUs), 10 * lo.leaseUs + 10 * S);
  const dist = new Disturbances(actions, req.timeUs + settleUs);
  const obs = new LeaseObserver(topo, bounds, dist);
  const rec = new KvRecorder();
  let world!: AnyWorld;
  let settledAfterHealUs: number | null = null;
  let lost: { lostAckedWrites: number; ackedWrites: number } | null = null;
  let historyCheck: string | null = null;
  let historySkipped: number | null = null;
  const node = (w: AnyWorld, i: number): LeaseNode | null => w.nodes[i] as LeaseNode | null;

  return {
    world: {
      factory: (id, env, recovered) => new LeaseNode(env as never, topo, lo, recovered as never, world.localNow(id), () => world.clocks[id].monotonic(world.now)),
      actorFactory: (id, env) => new FailoverClient(env, req.servers, shape.topo.initialOwner, workload, rec),
      traceKey,
      budget: 3_000_000 + Math.ceil((req.timeUs + settleUs) / S) * 200_000,
      onNote: (id, code, a, b) => obs.onNote(id, code, a, b),
      onSend: (from, _to, _msg: LeaseMsg) => obs.onSend(from),
      onCrash: (id) => obs.onCrash(id),
      afterEachEvent: (w) => obs.afterEvent(w),
    },
    faults: {
      // The failover system's own kinds: "slow-node" acts on any node; "primary-fault" aims at
      // a lease holder (up, holding its shard's lease now), its replicas the shard's others.
      system: (w, f) => executeFailoverFault(w, f, {
        primaries: (x) => {
          const hs: number[] = [];
          for (let i = 0; i < req.servers; i++) {
            const n = node(x, i);
            if (n !== null && x.isUp(i) && n.holdsLease(x.localNow(i))) hs.push(i);
          }
          return hs;
        },
        replicasOf: (_x, p) => {
          const s = shardOfNode(topo, p);
          const out: number[] = [];
          for (let j = s * topo.size; j < (s + 1) * topo.size; j++) if (j !== p) out.push(j);
          return out;
        },
      }),
      // "leader": a node that holds its shard's lease now, chosen at random among them.
      target: (name) => {
        if (name !== "leader") return -1;
        const hs: number[] = [];
        for (let i = 0; i < req.servers; i++) {
          const x = node(world, i);
          if (x !== null && world.isUp(i) && x.holdsLease(world.localNow(i))) hs.push(i);
        }
        return hs.length === 0 ? -1 : world.faultRng.pick(hs);
      },
    },
    attach(w) {
      world = w;
      obs.attach(w);
    },
    adjustSchedule: (a) => unwrapLeaseOnly(a),
    inspectNode: (w, id) => inspectLease(w, id),
    endAt: (lastHeal, timeUs) => Math.max(timeUs, lastHeal + settleUs),
    liveness(w, lastHeal, endUs) {
      const r = runToConvergence(w, lastHeal, endUs, S, () => leaseSettled(w, topo));
      if ("why" in r) return r.why;
      settledAfterHealUs = r.settledAt - lastHeal;
      return null;
    },
    finish(w) {
      obs.finish(w.now);
      rec.abandonAll();
      const settledNow = leaseSettled(w, topo) === null;
      const finals = new Map<string, string>();
      const tokens = new Map<string, Set<string>>();
      for (const key of settledNow ? workload.keys : []) {
        const s = shape.shardOfSlot[keySlot(key, topo.slots)];
        let v = "";
        for (let j = s * topo.size; j < (s + 1) * topo.size; j++) {
          const n = node(w, j)!;
          if (n.holdsLease(w.localNow(j))) v = n.kv.get(key);
        }
        finals.set(key, v);
        tokens.set(key, new Set(v.split(",")));
      }
      // Values only grow (six keys, APPENDs all run long): reading every GET's value means a
      // copy of each (V8 flattens the shared strings in place), too much past ~10^8 characters
      // (an hour-long run). Beyond that only the final-state count below judges P-FO5.
      let readChars = 0;
      for (const op of rec.ops) if (op.input.f === "get" && op.status === "ok") readChars += (op.output ?? "").length;
      historySkipped = readChars > MAX_READ_CHARS ? readChars : null;
      if (historySkipped === null) {
        const h = checkAppendHistory(rec.ops, settledNow ? finals : null);
        historyCheck = h.ok ? null : `history is not linearizable: ${h.reason}`;
      }
      if (!settledNow) return;
      let acked = 0;
      let missing = 0;
      for (const op of rec.ops) {
        if (op.input.f !== "append" || op.status !== "ok") continue;
        acked++;
        if (!tokens.get(op.input.key)?.has(op.input.value!.slice(0, -1))) missing++;
      }
      lost = { lostAckedWrites: missing, ackedWrites: acked };
    },
    endCheck: () => {
      // Past the drift bound the design promises nothing: lost writes are then measured only.
      if (!obs.withinDriftBound) return null;
      const l = lost as { lostAckedWrites: number } | null;
      if (l !== null && l.lostAckedWrites > 0) return `P-FO5: ${l.lostAckedWrites} acknowledged write(s) missing from the final state`;
      return historyCheck === null ? null : `P-FO5: ${historyCheck as string}`;
    },
    // The general checker as well on request (it searches: slow on long histories).
    ...(o.checkHistory === true ? { history: { operations: () => rec.ops, model: porcupineKv, ...(o.checkTimeoutMs !== undefined ? { timeoutMs: o.checkTimeoutMs } : {}) } } : {}),
    details: (w) => {
      const l = lost as { lostAckedWrites: number; ackedWrites: number } | null;
      return {
        detector: {
          name: "lease",
          tdP50Ms: ms(percentile(obs.tdUs, 50)),
          tdP99Ms: ms(percentile(obs.tdUs, 99)),
          detections: obs.tdUs.length,
          falseSuspicions: obs.falseFails,
          falseFails: obs.falseFails,
          boundMs: bounds.detectUs / MS,
          bdFormula: bounds.formula,
          checked: { crashes: obs.checked.fd1 },
        },
        failover: {
          p50Ms: ms(percentile(obs.failoverUs, 50)),
          p99Ms: ms(percentile(obs.failoverUs, 99)),
          maxMs: ms(obs.failoverUs.length === 0 ? null : Math.max(...obs.failoverUs)),
          failovers: obs.failoverUs.length,
          primaryCrashes: obs.holderCrashes,
          takeovers: obs.takeovers,
          dualWritableMs: 0,
          lostAckedWrites: l === null ? null : l.lostAckedWrites,
          ackedWrites: l === null ? null : l.ackedWrites,
          serves: obs.serves,
          boundMs: bounds.failoverUs / MS,
          checked: obs.checked.fo6,
          settledAfterHealMs: settledAfterHealUs === null ? null : ms(settledAfterHealUs),
          failoversOfLivePrimary: obs.takeoversOfLiveHolder,
          driftSeenPpm: Math.round(obs.driftSeenPpm),
          driftBoundPpm: bounds.maxDriftPpm,
          violationsBeyondDriftBound: obs.violationsBeyondDriftBound,
          ...(obs.beyondDriftBound === null ? {} : { firstBeyondDriftBound: obs.beyondDriftBound }),
          // Holders are decided by CAS on the shard log: two winners of one revision cannot
          // exist, so the design has no epoch collisions to resolve (H4).
          epochCollisions: 0,
        },
        unavailability: obs.availability.result(),
        traffic: { msgsPerNodeS: distribution([...obs.sends].map((x) => x / Math.max(1e-9, w.now / 1e6))) },
        lease: { leaseMs: lo.leaseUs / MS, renewMs: lo.renewUs / MS, failAfterMult: lo.failAfterMult, refuseMult: lo.refuseMult, shards: shape.shards, replicas: shape.replicas, slots: topo.slots },
        history: { ops: rec.ops.length, ok: rec.ops.filter((x) => x.status === "ok").length, checked: historySkipped === null, ...(historySkipped === null ? {} : { skippedReadChars: historySkipped }) },
      };
    },
  };
}

/** The lease detector spec's parameter names (detectors/lease.ts) as the design's options. */
function fromFd(fd: FailoverOptions["fd"]): LeaseTuning {
  if (fd === undefined) return {};
  const out: Record<string, number> = {};
  const names: Record<string, string> = { leaseUs: "leaseUs", renewIntervalUs: "renewUs", failAfterMult: "failAfterMult", refuseMult: "refuseMult" };
  for (const [k, v] of Object.entries(fd)) {
    const to = names[k];
    if (to === undefined) throw new Error(`failover: fd.${k} is not a lease parameter (known: ${Object.keys(names).join(", ")})`);
    if (typeof v !== "number" || !(v > 0)) throw new Error(`failover: fd.${k} must be a positive number, got ${JSON.stringify(v)}`);
    out[to] = v;
  }
  return out as LeaseTuning;
}

function ms(us: number | null): number | null {
  return us === null ? null : Math.round(us / 100) / 10;
}
