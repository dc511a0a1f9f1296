// failover — failure detection and replica failover on a sharded data plane (issue 11, parts 2
// and 3). Shards of one primary and R replicas serve a tiny key-value store with asynchronous
// replication; clients route by the slot table they last saw and follow MOVED redirects. The
// detector family is chosen by the `detector` option: `gossip`, Valkey's cluster bus and replica
// election (src/impl/failover/valkey); or `timeout`, `phi`, `swim`, `oracle`: the same node with
// a point-to-point detector as its PFAIL input (hosted.ts, valkey/fd-host.ts). FAIL still needs
// failure reports from a majority of voting primaries, so P-FD4 holds as for gossip; the bounded
// checks (P-FD1, P-FO6) use the detector's B_D (its spec's bound) in place of T + P, armed only
// after a calm stretch as long as the detector remembers (phi: its whole history, so the run).
//
// Checked online (observer.ts): bounded completeness, no suspicion in calm runs, justified FAIL,
// one vote per voter and epoch, one winner per shard and epoch, bounded failover; after the
// final heal the cluster must converge (settled.ts: eventual accuracy, one primary per shard)
// with no two primaries on one configEpoch. Measured, not judged (Valkey documents both): the
// dual-writable window and lost acknowledged writes (final state and the linearizability
// checker over the client history, porcupine-kv model).
import * as z from "zod";
import { checkOperations } from "../../../check/linearizability.js";
import { porcupineKv } from "../../../check/models/index.js";
import { ValkeyNode } from "../../../impl/failover/valkey/node.js";
import { keySlot, VALKEY_NOTE_NAMES, type ValkeyMsg } from "../../../impl/failover/valkey/types.js";
import { LEASE_NOTE_NAMES } from "../../../impl/failover/lease/types.js";
import { GENERIC_FAMILIES, type FaultAction } from "../../faults/index.js";
import { act, duration, nodeId, posInt, want, type ScenarioBlock } from "../../scenario/schema.js";
import { livenessWindowUs } from "../../runner/liveness-window.js";
import { CheckFailure, type AnyWorld, type RunRequest, type System, type SystemRun } from "../../runner/system.js";
import { S } from "../../../util/time.js";
import { BUGS, LEASE_FLAGS, valkeyBugs } from "./bugs.js";
import { FailoverClient, KvRecorder } from "./client.js";
import { Disturbances } from "./disturbance.js";
import { dropLeaseOnly, leaseStressFamily } from "./lease-families.js";
import { setupLease } from "./lease/setup.js";
import { FAILOVER_FAMILIES } from "./families.js";
import { executeFailoverFault, FAILOVER_FAULT_KINDS } from "./faults.js";
import { hostedDetector, type HostedName } from "./hosted.js";
import { inspectValkey } from "./inspect.js";
import { FailoverObserver, percentile } from "./observer.js";
import { failoverCompareMetrics, runMetrics } from "./run-metrics.js";
import { failoverCalibration, failoverVariants } from "./variants.js";
import { checkDetector, DEFAULT_WORKLOAD, FAILOVER_OPTION_KEYS, KNOWN_DETECTORS, shapeFor, valkeyOptions, type FailoverOptions } from "./options.js";
import { MinorityWriterCheck } from "./minority.js";
import { failoverRecorder } from "./recorder.js";
import { epochClash, runToConvergence, settled, SettledWatch } from "./settled.js";
import { RUN_CHECK_STEPS } from "../../runner/run.js";

const MS = 1_000;

function traceKey(m: unknown): number {
  const t = (m as { type: string }).type;
  switch (t) {
    case "ping": return 1;
    case "pong": return 2;
    case "fail": return 3 + 16 * (m as { node: number }).node;
    case "authReq": return 4;
    case "authAck": return 5;
    case "update": return 6;
    case "repl": return 7;
    case "psync": return 8;
    case "fullsync": return 9;
    case "get": return 10;
    case "append": return 11;
    case "ok": return 12;
    case "moved": return 13;
    case "down": return 14;
    case "fd": return 15 + 16 * (m as { m: { k: number } }).m.k;
    default: return 0;
  }
}

function setup(req: RunRequest): SystemRun {
  const o = (req.options ?? {}) as FailoverOptions;
  // A lease bug names its design: with no detector given, it runs the lease design.
  const leaseBug = req.bugs.find((b) => LEASE_FLAGS[b] !== undefined);
  const detector = checkDetector(o.detector ?? (leaseBug !== undefined ? "lease" : "gossip"));
  if (leaseBug !== undefined && detector !== "lease") throw new Error(`failover: bug "${leaseBug}" is a lease-design bug; it needs --detector lease (got ${detector})`);
  if (detector === "lease") return setupLease(req, o);
  const shape = shapeFor(req.servers, o);
  const vo = valkeyOptions(o, valkeyBugs(req.bugs));
  const workload = { ...DEFAULT_WORKLOAD, ...o.workload };
  const T = vo.nodeTimeoutMs * MS;
  const P = (vo.pingIntervalMs > 0 ? vo.pingIntervalMs : vo.nodeTimeoutMs / 2) * MS;
  const C = vo.cronMs * MS;
  const cw = { ...vo, ...o.checkWith };
  // A hosted detector (not gossip): its B_D replaces the bus's T + P in the bounded checks.
  const hosted = detector === "gossip" ? null : hostedDetector(detector as HostedName, o.fd, req.servers, 2 * 25 * MS, req.timeUs);
  // Tests only: the checkers' B_D from other detector parameters (as checkWith for the bus).
  const checkBd = hosted === null || o.checkFd === undefined ? hosted : hostedDetector(detector as HostedName, { ...o.fd, ...o.checkFd }, req.servers, 2 * 25 * MS, req.timeUs);
  // The lease family's actions are for the lease design only (lease-families.ts).
  const actions: FaultAction[] = dropLeaseOnly(req.generated?.actions ?? req.explicitFaults ?? []);
  if (req.generated === null && !actions.some((a) => a.kind === "heal-all")) actions.push({ at: req.healAtUs, kind: "heal-all" });
  // Settling after the last heal: a slot-owning primary's FAIL is cleared after 2T, an expired
  // election retries after 4 x max(2T, 2 s); then a failover. Runs stop as soon as it settles.
  const settleUs = Math.max(livenessWindowUs(req.timeUs), 10 * T + 10 * S);
  const dist = new Disturbances(actions, req.timeUs + settleUs);
  const obs = new FailoverObserver(shape, {
    T: cw.nodeTimeoutMs * MS,
    P: (cw.pingIntervalMs > 0 ? cw.pingIntervalMs : cw.nodeTimeoutMs / 2) * MS,
    C: cw.cronMs * MS,
    electionFixedUs: cw.electionFixedMs * MS,
    electionRandomUs: cw.electionRandomMs * MS,
    electionRankUs: cw.electionRankMs * MS,
    ...(checkBd === null ? {} : { detectUs: checkBd.boundUs, lookbackUs: checkBd.lookbackUs, warmupUs: checkBd.warmupUs ?? 0, ...(checkBd.restartBoundUs === undefined ? {} : { restartDetectUs: checkBd.restartBoundUs }) }),
  }, dist);
  // P-FO4 on the minority side: direct detectors only (minority.ts says why).
  const minority = detector === "gossip" || detector === "timeout" || detector === "phi"
    ? new MinorityWriterCheck(req.servers, obs.fd1BoundUs + 2 * C + 2 * 25 * MS, hosted?.lookbackUs ?? T, dist)
    : null;
  const rec = new KvRecorder();
  let world!: AnyWorld;
  let settledAfterHealUs: number | null = null;
  let lin: { verdict: string; ms: number } | null = null;
  let lost: { lostAckedWrites: number; ackedWrites: number } | null = null;

  const finalValues = (w: AnyWorld): Map<string, string> | null => {
    if (settled(w, shape) !== null) return null;
    const out = new Map<string, string>();
    for (const key of workload.keys) {
      const slot = keySlot(key, shape.topo.slots);
      const owner = (w.nodes[0] as ValkeyNode).view.owner[slot];
      out.set(key, (w.nodes[owner] as ValkeyNode).kv.get(key));
    }
    return out;
  };

  return {
    world: {
      factory: (id, env, recovered) => new ValkeyNode(env as never, shape.topo, vo, recovered as never, world.localNow(id), hosted?.factory),
      actorFactory: (id, env) => new FailoverClient(env, req.servers, shape.topo.initialOwner, workload, rec, minority === null ? undefined : (node, sentAt) => minority.onWriteAck(world, node, sentAt)),
      traceKey,
      budget: 2_000_000 + Math.ceil((req.timeUs + settleUs) / S) * 150_000,
      onNote: (id, code, a, b) => obs.onNote(id, code, a, b),
      onSend: (from, to, msg) => obs.onSend(from, to, msg as ValkeyMsg),
      onCrash: (id) => obs.onCrash(id),
      afterEachEvent: hosted?.afterEvent === undefined
        ? (minority === null ? (w) => obs.afterEvent(w) : (w) => {
            obs.afterEvent(w);
            minority.afterEvent(w);
          })
        : (w) => {
            hosted.afterEvent!(w);
            obs.afterEvent(w);
          },
    },
    faults: {
      // "leader": a primary that owns slots now, chosen at random among them.
      target: (name) => {
        if (name !== "leader") return -1;
        const ps: number[] = [];
        for (let i = 0; i < req.servers; i++) {
          const x = world.nodes[i] as ValkeyNode | null;
          if (x !== null && x.isPrimary && x.view.numSlots[i] > 0) ps.push(i);
        }
        return ps.length === 0 ? -1 : world.faultRng.pick(ps);
      },
      system: (w, f) => executeFailoverFault(w, f),
    },
    attach(w) {
      world = w;
      obs.attach(w);
    },
    adjustSchedule: (a) => dropLeaseOnly(a),
    inspectNode: (w, id) => inspectValkey(w, id),
    endAt: (lastHeal, timeUs) => Math.max(timeUs, lastHeal + settleUs),
    liveness(w, lastHeal, endUs) {
      // Settled and still settled a second later (collision handling and FAIL clearing done).
      const watch = new SettledWatch(shape, o.verifySettledWatch === true);
      const r = runToConvergence(w, lastHeal, endUs, Math.max(S, 4 * P), () => watch.check(w));
      if ("why" in r) return r.why;
      settledAfterHealUs = r.settledAt - lastHeal;
      const clash = epochClash(w, req.servers);
      if (clash !== null) throw new CheckFailure(`P-FO2: ${clash}`, w.now);
      return null;
    },
    finish(w) {
      obs.finish(w.now);
      rec.abandonAll();
      const finals = finalValues(w);
      if (finals !== null) {
        let acked = 0;
        let missing = 0;
        const tokens = new Map<string, Set<string>>();
        for (const [k, v] of finals) tokens.set(k, new Set(v.split(",")));
        for (const op of rec.ops) {
          if (op.input.f !== "append" || op.status !== "ok") continue;
          acked++;
          if (!tokens.get(op.input.key)?.has(op.input.value!.slice(0, -1))) missing++;
        }
        lost = { lostAckedWrites: missing, ackedWrites: acked };
      }
      if (o.checkHistory === true) {
        const r = checkOperations(porcupineKv, rec.ops, o.checkTimeoutMs !== undefined ? { timeoutMs: o.checkTimeoutMs } : { maxSteps: RUN_CHECK_STEPS });
        lin = { verdict: r.verdict, ms: Math.round(r.ms) };
      }
    },
    details: (w) => ({
      detector: {
        name: detector,
        tdP50Ms: ms(percentile(obs.tdUs, 50)),
        tdP99Ms: ms(percentile(obs.tdUs, 99)),
        tdMaxMs: ms(obs.tdUs.length === 0 ? null : Math.max(...obs.tdUs)),
        detections: obs.tdUs.length,
        falseSuspicions: obs.falseSuspicions,
        falseFails: obs.falseFails,
        boundMs: obs.fd1BoundUs / MS,
        ...(hosted === null ? {} : { bdMs: hosted.boundUs / MS, bdFormula: hosted.formula }),
        checked: { ...obs.fd1Checked },
        failChecked: obs.failChecked,
      },
      failover: {
        p50Ms: ms(percentile(obs.failoverUs, 50)),
        p99Ms: ms(percentile(obs.failoverUs, 99)),
        maxMs: ms(obs.failoverUs.length === 0 ? null : Math.max(...obs.failoverUs)),
        failovers: obs.failoverUs.length,
        primaryCrashes: obs.primaryCrashes,
        elections: obs.elections,
        wins: obs.wins,
        failoversOfLivePrimary: obs.failoversOfLivePrimary,
        dualWritableMs: Math.round(obs.dualWritableUs / 100) / 10,
        lostAckedWrites: lost === null ? null : (lost as { lostAckedWrites: number }).lostAckedWrites,
        ackedWrites: lost === null ? null : (lost as { ackedWrites: number }).ackedWrites,
        linearizable: lin === null ? null : (lin as { verdict: string }).verdict,
        epochCollisions: obs.epochCollisions,
        boundRank0Ms: obs.foBoundUs(0) / MS,
        checked: obs.fo6Checked,
        minorityAcksChecked: minority === null ? null : minority.checkedAcks,
        settledAfterHealMs: settledAfterHealUs === null ? null : ms(settledAfterHealUs),
      },
      valkey: { nodeTimeoutMs: vo.nodeTimeoutMs, pingIntervalMs: vo.pingIntervalMs, cronMs: vo.cronMs, shards: shape.shards, replicas: shape.replicas, slots: shape.topo.slots },
      history: { ops: rec.ops.length, ok: rec.ops.filter((x) => x.status === "ok").length },
      ...runMetrics(obs, w.now),
    }),
  };
}

function ms(us: number | null): number | null {
  return us === null ? null : Math.round(us / 100) / 10;
}

const FAMILIES = [...GENERIC_FAMILIES, ...FAILOVER_FAMILIES, leaseStressFamily];

/** Its own fault kinds in scenario files (faults.ts executes them). */
const ACTIONS = [
  act("slow-node", { node: nodeId, us: duration() }),
  act("primary-fault", {
    what: z.enum(["split", "cut-from", "pause", "clock-jump", "clock-drift", "crash"], { error: want("expected what: split, cut-from, pause, clock-jump, clock-drift or crash") }),
    durationUs: duration({ positive: true }).optional(),
    us: duration({ signed: true }).optional(),
    ppm: z.number().int().min(-500_000).max(500_000).optional(),
    observer: nodeId.optional(),
    count: posInt.optional(),
  }),
];

/** failover in scenario files (`system: failover`): the generic keys and `detector`. */
const scenarioBlock: ScenarioBlock = {
  system: "failover",
  families: FAMILIES.map((f) => f.name),
  bugs: BUGS.map((b) => b.name),
  actions: ACTIONS,
  checkAction(a, node) {
    const x = a as { kind: string; node?: number; observer?: number };
    if (x.kind === "slow-node" && x.node !== undefined) node("node", x.node);
    if (x.kind === "primary-fault" && x.observer !== undefined) node("observer", x.observer);
  },
  shape: { detector: z.enum(KNOWN_DETECTORS).optional() },
  options: (sc) => (sc.detector === undefined ? undefined : { detector: sc.detector }),
  fileKeys(options): Record<string, unknown> {
    const o = (options ?? {}) as FailoverOptions;
    const { detector, ...rest } = o;
    if (Object.keys(rest).length > 0) throw new Error(`failover: only the detector option has a scenario-file form (got ${Object.keys(rest).join(", ")})`);
    return detector === undefined ? {} : { detector };
  },
};

export const failover: System = {
  name: "failover",
  description: "3 shards x (1 primary + 2 replicas) of a key-value store with async replication; failure detection by Valkey's cluster bus (--detector gossip) or a hosted point-to-point detector as the PFAIL input (--detector timeout|phi|swim|oracle), replica failover by Valkey's election; FD and failover properties online, lost writes and dual-writable time measured",
  defaults: { servers: 9, clients: 4 },
  bugs: BUGS,
  families: FAMILIES,
  faultKinds: FAILOVER_FAULT_KINDS,
  targets: ["leader"],
  detectors: KNOWN_DETECTORS,
  optionKeys: FAILOVER_OPTION_KEYS,
  noteNames: { ...VALKEY_NOTE_NAMES, ...LEASE_NOTE_NAMES },
  model: porcupineKv,
  scenario: scenarioBlock,
  recorder: failoverRecorder,
  variants: failoverVariants,
  compareMetrics: failoverCompareMetrics,
  calibration: failoverCalibration,
  setup,
};
