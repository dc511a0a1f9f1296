// One checked run of the real system: N metadata servers (Raft + store) and C closed-loop
// clients in the simulated world, under a fault schedule. Two phases, as in TigerBeetle's VOPR:
// faults until the final heal, then a liveness phase that requires a leader and answers.
// Raft invariants are checked after every event; the client history is checked for
// linearizability at the end, key by key.
import { InvariantChecker, type Violation } from "../../check/invariants.js";
import { checkOperations, type CheckResult } from "../../check/linearizability.js";
import { metadataKv } from "../../check/models/index.js";
import type { ClientRequest, ServerReply } from "../../impl/metadata/protocol.js";
import type { MetaOp, MetaResult } from "../../impl/metadata/ops.js";
import type { MetaCommand } from "../../impl/metadata/commands.js";
import { MetaServer, type ServerMessage, type ServerRecord } from "../../impl/server.js";
import { AssertionError } from "../assert.js";
import { generateSchedule, type FaultAction, type FaultFamily } from "../nemesis.js";
import { BudgetExhaustedError } from "../scheduler.js";
import type { Trace } from "../trace.js";
import { defaultWorkloadConfig } from "../workload/config.js";
import { HistoryRecorder, type MetaOperation } from "../workload/recorder.js";
import { WorkloadActor, workloadActorFactory } from "../workload/actor.js";
import { World, type WorldStats } from "../world.js";
import { defaultRaftTiming, livenessWindowUs, raftOptions, S, type ClusterRunOptions } from "./config.js";
import { leaseSafeSchedule, swarmRaftTiming } from "./swarm.js";
import { Rng } from "../rng.js";
import type { RaftOptions } from "../../impl/raft/api.js";
import { messageTraceKey } from "./trace-key.js";
import { RESTORED_FILE, SNAPSHOT_FILE, type RaftSnapshot, type RestoreMarker } from "../../impl/raft/snapshot.js";

export type ClusterVerdict = "ok" | "violation" | "liveness" | "unknown";

export interface ClusterResult {
  readonly seed: number;
  readonly scenario: string | null;
  readonly verdict: ClusterVerdict;
  /** Why the verdict is not ok: the invariant, check or liveness condition that failed. */
  readonly message: string | null;
  /** Virtual time of the failure, µs (end of run when the history check failed). */
  readonly atUs: number;
  readonly traceHash: string;
  readonly stats: WorldStats;
  readonly families: readonly FaultFamily[];
  readonly faults: readonly FaultAction[];
  readonly history: { ops: number; ok: number; fail: number; info: number };
  /** The Raft configuration this run used (drawn from the seed in swarm mode). */
  readonly raft: Omit<RaftOptions, "voters" | "bugs">;
  readonly lin: Pick<CheckResult, "verdict" | "partitions" | "ms" | "reason" | "counterexample"> | null;
  readonly trace: Trace;
  readonly operations: readonly MetaOperation[];
}

class InvariantViolation extends Error {
  constructor(readonly v: Violation, readonly atUs: number) {
    super(`${v.invariant} at node ${v.node}, t=${(atUs / 1000).toFixed(3)}ms: ${v.detail}`);
    this.name = "InvariantViolation";
  }
}

type W = World<ServerMessage, ClientRequest, ServerRecord, ServerReply>;

export function runCluster(o: ClusterRunOptions): ClusterResult {
  const N = o.servers ?? 5;
  const C = o.clients ?? 5;
  const healAt = o.timeUs - livenessWindowUs(o.timeUs);
  const bugs = new Set(o.bugs ?? []);
  // Generated runs also draw Raft's configuration from the seed (swarm); a given fault
  // schedule (a scenario) runs the default configuration unless it sets its own.
  const swarm = o.faults === undefined && o.swarmConfig !== false;
  const raft = raftOptions(N, o, swarm ? swarmRaftTiming(Rng.root(o.seed).fork("swarm-config")) : defaultRaftTiming);
  const servers: number[] = [];
  for (let i = 0; i < N; i++) servers.push(i);
  const workload = defaultWorkloadConfig(servers, C, { retryForUs: Math.max(2 * S, 3 * raft.electionMaxUs), ...o.workload });
  const recorder = new HistoryRecorder();
  const actors: WorkloadActor[] = [];
  const inv = new InvariantChecker(N);
  const seen: (MetaServer | null)[] = new Array(N).fill(null);
  let sinceLogMatch = 0;
  const restoresSeen = new Int32Array(N);

  const world: W = new World<ServerMessage, ClientRequest, ServerRecord, ServerReply>({
    seed: o.seed,
    servers: N,
    clients: C,
    factory: (id, env, recovered) =>
      new MetaServer(id, { raft, dedupSessions: !bugs.has("no-session-dedup"), maxPending: 64 }, env, recovered, world.localNow(id)),
    actorFactory: workloadActorFactory(workload, recorder, N, actors),
    keepTrace: o.keepTrace ?? false,
    traceKey: messageTraceKey,
    net: o.net,
    budget: 2_000_000 + Math.ceil(o.timeUs / S) * 400_000,
    restoreMarker: (w) => ({ name: RESTORED_FILE, data: { kind: "restored", fenceTerm: highestDurableTerm(w) } satisfies RestoreMarker }),
    onSend: (from, to, msg) => {
      if (msg.type === "voteResp" && msg.granted && !msg.pre) inv.recordVote(from, msg.term, to);
      else if (msg.type === "appResp" && msg.success) inv.recordAck(from, msg.term, msg.index);
      else if (msg.type === "snapResp" && msg.next < 0) inv.recordAck(from, msg.term, msg.index);
    },
    afterEachEvent: (w) => {
      for (let i = 0; i < N; i++) {
        const n = w.nodes[i] as MetaServer | null;
        if (n !== seen[i]) {
          seen[i] = n;
          if (w.restores[i] !== restoresSeen[i]) {
            restoresSeen[i] = w.restores[i];
            inv.forgetAcks(i);
          }
          inv.setView(i, n === null ? null : n.raft);
        }
      }
      let v = inv.check(w.now);
      if (v === null && (++sinceLogMatch & 15) === 0) v = inv.checkLogTerms();
      if (v === null && sinceLogMatch >= 5_000) {
        sinceLogMatch = 0;
        v = inv.checkLogMatching();
      }
      if (v !== null) throw new InvariantViolation(v, w.now);
    },
  });

  let families: readonly FaultFamily[] = [];
  let faults: readonly FaultAction[];
  let lastHeal = healAt;
  if (o.faults !== undefined) {
    faults = o.faults;
    const heals = faults.filter((f) => f.kind === "heal-all");
    if (heals.length === 0) faults = [...faults, { at: healAt, kind: "heal-all" }];
    else lastHeal = Math.max(...heals.map((f) => f.at));
  } else {
    const g = generateSchedule(world.rng.fork("nemesis"), { servers: N, healAtUs: healAt, families: o.families, everyFamily: o.everyFamily });
    families = g.families;
    faults = leaseSafeSchedule(g.actions, raft);
  }
  world.scheduleFaults(faults);

  let verdict: ClusterVerdict = "ok";
  let message: string | null = null;
  let atUs = 0;
  let lin: ClusterResult["lin"] = null;
  try {
    world.runUntil(lastHeal);
    const liveness = runLivenessPhase(world, actors, lastHeal, Math.max(o.timeUs, lastHeal + livenessWindowUs(o.timeUs)));
    if (liveness !== null) {
      verdict = "liveness";
      message = liveness;
      atUs = world.now;
    }
    const v = inv.checkLogMatching();
    if (v !== null) throw new InvariantViolation(v, world.now);
  } catch (e) {
    atUs = world.now;
    if (e instanceof InvariantViolation) {
      verdict = "violation";
      message = e.message;
      atUs = e.atUs;
    } else if (e instanceof BudgetExhaustedError) {
      verdict = "liveness";
      message = e.message;
    } else if (e instanceof AssertionError || e instanceof Error) {
      // An assertion inside the system under test or the simulator: a bug found.
      verdict = "violation";
      message = `${e.name}: ${e.message}`;
    } else throw e;
  }
  for (const a of actors) a.client.abandon(world.now);
  const operations = recorder.operations();

  if (verdict !== "violation") {
    const lost = lostAcknowledgedWrite(operations, inv);
    if (lost !== null) {
      verdict = "violation";
      message = lost;
      atUs = world.now;
    }
  }
  if (verdict !== "violation") {
    const r = checkOperations(metadataKv, operations, { timeoutMs: o.checkTimeoutMs ?? 10_000 });
    lin = { verdict: r.verdict, partitions: r.partitions, ms: r.ms, reason: r.reason, counterexample: r.counterexample };
    if (r.verdict === "illegal") {
      verdict = "violation";
      message = `history is not linearizable (${r.counterexample?.parts.length ?? 0} key(s) fail)`;
      atUs = world.now;
    } else if (r.verdict === "unknown" && verdict === "ok") {
      verdict = "unknown";
      message = `linearizability check gave up (${r.reason})`;
    }
  }

  let ok = 0;
  let fail = 0;
  let info = 0;
  for (const op of operations) {
    if (op.status === "ok") ok++;
    else if (op.status === "fail") fail++;
    else info++;
  }
  return {
    seed: o.seed,
    scenario: o.scenarioName ?? null,
    verdict,
    message,
    atUs,
    traceHash: world.trace.hash(),
    stats: world.stats(),
    families,
    faults,
    history: { ops: operations.length, ok, fail, info },
    raft: { electionMinUs: raft.electionMinUs, electionMaxUs: raft.electionMaxUs, heartbeatUs: raft.heartbeatUs, preVote: raft.preVote, checkQuorum: raft.checkQuorum, maxInflight: raft.maxInflight, maxBatch: raft.maxBatch, readMode: raft.readMode, maxDriftPpm: raft.maxDriftPpm, snapshotEvery: raft.snapshotEvery, snapshotChunk: raft.snapshotChunk },
    lin,
    trace: world.trace,
    operations,
  };
}

/** After the final heal: a leader must emerge and the clients must get answers again. The
 * clients stop issuing new operations for the last 40% of the window, and every one they had
 * in flight must be answered by the end. Returns a description of the failure, or null. */
function runLivenessPhase(world: W, actors: WorkloadActor[], healAt: number, endUs: number): string | null {
  const okAtHeal = actors.map((a) => a.client.counters().ok);
  const drainAt = healAt + Math.floor((endUs - healAt) * 0.6);
  world.runUntil(drainAt);
  for (const a of actors) a.client.stop(world.now);
  world.runUntil(endUs);
  const leader = currentLeader(world);
  if (leader < 0) return `no leader ${((endUs - healAt) / S).toFixed(1)}s after the final heal`;
  const progressed = actors.some((a, i) => a.client.counters().ok > okAtHeal[i]);
  if (!progressed) return `no client operation succeeded in the ${((endUs - healAt) / S).toFixed(1)}s after the final heal`;
  const stuck = actors.filter((a) => a.client.pending()).map((a) => a.client.process());
  if (stuck.length > 0) return `operations of client process(es) ${stuck.join(", ")} still unanswered at the end of the liveness phase`;
  return null;
}

/** A leader that a majority of the live servers follow in its term, or -1. */
function currentLeader(world: W): number {
  const N = world.servers;
  for (let i = 0; i < N; i++) {
    const n = world.nodes[i] as MetaServer | null;
    if (n === null || n.raft.role() !== "leader") continue;
    let followers = 0;
    for (let j = 0; j < N; j++) {
      const m = world.nodes[j] as MetaServer | null;
      if (m !== null && m.raft.term() === n.raft.term() && m.raft.leader() === i) followers++;
    }
    if (followers > N / 2) return i;
  }
  return -1;
}

/** No acknowledged write is lost: every write a client saw succeed sits, committed, at the
 * revision (Raft index) it was acknowledged with. */
function lostAcknowledgedWrite(ops: readonly MetaOperation[], inv: InvariantChecker): string | null {
  for (const op of ops) {
    if (op.status !== "ok" || op.output === undefined) continue;
    const rev = writtenRevision(op.output);
    if (rev === 0) continue;
    const e = inv.committedEntry(rev);
    const cmd = e?.data as MetaCommand | null | undefined;
    if (cmd === undefined || cmd === null || !sameWrite(cmd.op, op.input)) {
      return `acknowledged ${describe(op.input)} at revision ${rev} is not the committed entry there (${cmd ? describe(cmd.op) : "none"})`;
    }
  }
  return null;
}

function writtenRevision(r: MetaResult): number {
  if (r.f === "put") return r.revision;
  if (r.f === "cas" && r.ok) return r.revision;
  if (r.f === "delete" && r.deleted) return r.revision;
  return 0;
}

function sameWrite(a: MetaOp, b: MetaOp): boolean {
  if (a.f !== b.f) return false;
  if (a.f === "put" && b.f === "put") return a.key === b.key && a.value === b.value;
  if (a.f === "cas" && b.f === "cas") return a.key === b.key && a.value === b.value && a.expected === b.expected;
  if (a.f === "delete" && b.f === "delete") return a.key === b.key;
  return false;
}

function describe(op: MetaOp): string {
  switch (op.f) {
    case "put":
      return `put(${op.key}, ${op.value})`;
    case "cas":
      return `cas(${op.key}, ${op.expected}, ${op.value})`;
    case "delete":
      return `delete(${op.key})`;
    case "list":
      return `list(${op.prefix})`;
    default:
      return `${op.f}(${op.key})`;
  }
}

/** The restore procedure's fenceTerm: the highest term in any node's durable state (the
 * operator asks every node). Over-approximated safely — a higher fenceTerm only fences longer:
 * the in-memory term of live nodes (never below their durable one) and every term in every
 * disk's WAL records and snapshot file, synced or not. O(WAL since the last snapshot). */
function highestDurableTerm(w: W): number {
  let t = 0;
  for (let i = 0; i < w.servers; i++) {
    const n = w.nodes[i] as MetaServer | null;
    if (n !== null && n.raft.term() > t) t = n.raft.term();
    const d = w.disks[i];
    for (const r of d.contents()) {
      if (r.kind === "hs") {
        if (r.term > t) t = r.term;
      } else if (r.kind === "entries") {
        for (const e of r.entries) if (e.term > t) t = e.term;
      }
    }
    const snap = (d.readFile(SNAPSHOT_FILE) ?? d.durableFile(SNAPSHOT_FILE)) as RaftSnapshot | undefined;
    if (snap !== undefined && snap.term > t) t = snap.term;
  }
  return t;
}
