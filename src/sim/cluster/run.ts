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
import { AssertionError } from "../kernel/assert.js";
import { generateSchedule, type FaultAction, type FaultFamily, type MembershipOp, type MembershipOutcome, type MembershipSetup } from "../nemesis.js";
import { BudgetExhaustedError } from "../kernel/scheduler.js";
import type { Trace } from "../kernel/trace.js";
import { defaultWorkloadConfig } from "../workload/config.js";
import { HistoryRecorder, type MetaOperation } from "../workload/recorder.js";
import { WorkloadActor, workloadActorFactory } from "../workload/actor.js";
import { World, type WorldStats } from "../kernel/world.js";
import { defaultRaftTiming, livenessWindowUs, MS, raftOptions, S, type ClusterRunOptions } from "./config.js";
import { leaseSafeSchedule, swarmRaftTiming } from "./swarm.js";
import { Rng } from "../kernel/rng.js";
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
  /** Membership at the end, as the leader lists it (the admin query); null: no leader. */
  readonly members: { readonly leader: number; readonly voters: readonly number[]; readonly learners: readonly number[] } | null;
  /** Join requests a non-leader answered with a redirect to the leader. */
  readonly joinRedirects: number;
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
  // The schedule is drawn first (from the same stream the world would hand out: forks are
  // keyed by label), because the membership family decides how the servers start.
  let families: readonly FaultFamily[] = [];
  let generated: readonly FaultAction[] | null = null;
  let setup: MembershipSetup | undefined = o.membership;
  if (o.faults === undefined) {
    const g = generateSchedule(Rng.root(o.seed).fork("nemesis"), { servers: N, healAtUs: healAt, families: o.families, everyFamily: o.everyFamily });
    families = g.families;
    generated = g.actions;
    if (setup === undefined) setup = g.membership;
  }
  // An explicit schedule with membership actions: every server starts as a voter.
  if (setup === undefined && o.faults?.some((f) => f.kind.startsWith("member-"))) setup = { initialVoters: N, bootstrap: false };
  const members = setup === undefined ? null : membershipPlan(N, setup);
  let raft = raftOptions(N, o, swarm ? swarmRaftTiming(Rng.root(o.seed).fork("swarm-config")) : defaultRaftTiming);
  // A removed server that never hears of its removal must not disrupt the cluster: that rests
  // on PreVote and CheckQuorum's follower-side check (dissertation §4.2.3), so a membership run
  // has both on. (Without PreVote, a removed server whose log is behind bumps the term every
  // election timeout; each bump resets the others' timers, and nobody is ever elected.)
  if (members !== null && (!raft.preVote || !raft.checkQuorum)) raft = { ...raft, preVote: true, checkQuorum: true };
  const raftOf: RaftOptions[] = [];
  for (let i = 0; i < N; i++) raftOf.push(members === null ? raft : { ...raft, voters: members.initial[i] });
  const servers: number[] = [];
  for (let i = 0; i < N; i++) servers.push(i);
  const workload = defaultWorkloadConfig(servers, C, { retryForUs: Math.max(2 * S, 3 * raft.electionMaxUs), ...o.workload });
  const recorder = new HistoryRecorder();
  const actors: WorkloadActor[] = [];
  const inv = new InvariantChecker(N);
  const seen: (MetaServer | null)[] = new Array(N).fill(null);
  let sinceLogMatch = 0;
  const restoresSeen = new Int32Array(N);
  let joinRedirects = 0;

  const world: W = new World<ServerMessage, ClientRequest, ServerRecord, ServerReply>({
    seed: o.seed,
    servers: N,
    clients: C,
    factory: (id, env, recovered) =>
      new MetaServer(id, { raft: raftOf[id], dedupSessions: !bugs.has("no-session-dedup"), maxPending: 64 }, env, recovered, world.localNow(id)),
    actorFactory: workloadActorFactory(workload, recorder, N, actors),
    keepTrace: o.keepTrace ?? false,
    traceKey: messageTraceKey,
    net: o.net,
    budget: 2_000_000 + Math.ceil(o.timeUs / S) * 400_000,
    restoreMarker: (w) => ({ name: RESTORED_FILE, data: { kind: "restored", fenceTerm: highestDurableTerm(w) } satisfies RestoreMarker }),
    ...(members === null ? {} : { membership: operator, restoreAllowed: restoreKeepsQuorum }),
    onSend: (from, to, msg) => {
      if (msg.type === "voteResp" && msg.granted && !msg.pre) inv.recordVote(from, msg.term, to);
      else if (msg.type === "appResp" && msg.success) inv.recordAck(from, msg.term, msg.index);
      else if (msg.type === "snapResp" && msg.next < 0) inv.recordAck(from, msg.term, msg.index);
      else if (msg.type === "joinResp" && msg.status === "redirect" && msg.leader >= 0) joinRedirects++;
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

  let faults: readonly FaultAction[];
  let lastHeal = healAt;
  if (o.faults !== undefined) {
    faults = o.faults;
    const heals = faults.filter((f) => f.kind === "heal-all");
    if (heals.length === 0) faults = [...faults, { at: healAt, kind: "heal-all" }];
    else lastHeal = Math.max(...heals.map((f) => f.at));
  } else {
    faults = leaseSafeSchedule(generated!, raft);
  }
  if (members !== null && members.joins.length > 0) world.scheduleFaults(members.joins);
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
  o.inspect?.(world);
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
    members: finalMembers(world),
    joinRedirects,
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

/** A leader that a majority of the voters of its configuration follow in its term, or -1. */
function currentLeader(world: W): number {
  const N = world.servers;
  for (let i = 0; i < N; i++) {
    const n = world.nodes[i] as MetaServer | null;
    if (n === null || n.raft.role() !== "leader") continue;
    const voters = n.raft.voters();
    let followers = 0;
    for (const j of voters) {
      const m = world.nodes[j] as MetaServer | null;
      if (m !== null && m.raft.term() === n.raft.term() && m.raft.leader() === i) followers++;
    }
    if (followers > voters.length / 2) return i;
  }
  return -1;
}

// ---- membership: how servers start, and the operator ----------------------------------------

function finalMembers(w: W): ClusterResult["members"] {
  const l = currentLeader(w);
  if (l < 0) return null;
  const r = (w.nodes[l] as MetaServer).listMembers();
  if (r.kind !== "members") return null;
  return { leader: r.leader, voters: r.members.filter((m) => m.role === "voter").map((m) => m.node), learners: r.members.filter((m) => m.role === "learner").map((m) => m.node) };
}

interface MembershipPlan {
  /** Initial voters per server ([] for a server waiting to join). */
  readonly initial: readonly (readonly number[])[];
  /** The joins of a bootstrapped universe's first members (member-add through earlier ones). */
  readonly joins: readonly FaultAction[];
}

export function membershipPlan(N: number, m: MembershipSetup): MembershipPlan {
  const k = Math.max(1, Math.min(N, m.initialVoters));
  const voters: number[] = [];
  for (let i = 0; i < (m.bootstrap ? 1 : k); i++) voters.push(i);
  const initial: number[][] = [];
  for (let i = 0; i < N; i++) initial.push(i < voters.length ? voters : []);
  const joins: FaultAction[] = [];
  // Bootstrap: server 0 starts the universe alone; 1..k-1 join it one after the other,
  // each through a member that joined before it (which redirects to the leader).
  if (m.bootstrap) for (let i = 1; i < k; i++) joins.push({ at: i * 20 * MS, kind: "member-add", node: i, via: i - 1, tries: 60 });
  return { initial, joins };
}

const NO_NODES: readonly number[] = Object.freeze([]);

function leaderServer(w: W): MetaServer | null {
  const l = w.leader;
  if (l < 0) return null;
  const n = w.nodes[l] as MetaServer | null;
  return n !== null && n.raft.role() === "leader" && w.isUp(l) ? n : null;
}

function hasMarker(w: W, node: number): boolean {
  const n = w.nodes[node] as MetaServer | null;
  return n !== null ? n.raft.fenced() : w.disks[node].durableFile(RESTORED_FILE) !== undefined;
}

/** The operator's policy for removals: keep at least three voters (or all there are), and
 * never leave more fenced voters than the smaller configuration tolerates (a fenced server
 * neither votes nor counts until it caught up: see "Fencing" in raft.ts). */
function removalAllowed(w: W, L: MetaServer, node: number): boolean {
  const voters = L.raft.voters();
  if (!voters.includes(node)) return L.raft.learners().includes(node);
  const left = voters.length - 1;
  if (left < Math.min(3, w.servers)) return false;
  let fenced = 0;
  for (const v of voters) if (v !== node && hasMarker(w, v)) fenced++;
  return fenced <= left - (Math.floor(left / 2) + 1);
}

/** Operator membership actions (member-* faults), always through the current leader. */
function operator(w: W, op: MembershipOp): MembershipOutcome {
  const L = leaderServer(w);
  const lid = L === null ? -1 : L.id;
  const none: MembershipOutcome = { done: false, leader: lid, removed: NO_NODES, cut: NO_NODES };
  switch (op.kind) {
    case "add": {
      if (L !== null && (L.raft.voters().includes(op.node) || L.raft.learners().includes(op.node))) return { ...none, done: true };
      const n = w.nodes[op.node] as MetaServer | null;
      if (n !== null && w.isUp(op.node)) n.join(op.via, w.localNow(op.node));
      return none;
    }
    case "remove":
    case "remove-leader": {
      if (L === null) return none;
      const node = op.kind === "remove" ? op.node : lid;
      if (!removalAllowed(w, L, node)) return none;
      const r = L.changeMembership({ kind: "remove", node }, w.localNow(lid));
      return typeof r === "string" ? none : { ...none, done: true, removed: [node] };
    }
    case "churn": {
      if (L === null) return none;
      const rng = w.faultRng;
      const removed: number[] = [];
      const now = w.localNow(lid);
      const removeOne = (self: boolean): void => {
        const cands = L.raft.voters().filter((v) => (self ? v === lid : v !== lid) && !removed.includes(v));
        if (cands.length === 0) return;
        const node = cands[rng.int(0, cands.length - 1)];
        if (!removalAllowed(w, L, node)) return;
        if (typeof L.changeMembership({ kind: "remove", node }, now) !== "string") removed.push(node);
      };
      const learners = L.raft.learners().filter((l) => !hasMarker(w, l)); // never promote a fenced learner
      const what = rng.int(0, 9);
      if (learners.length > 0 && what < 4) L.changeMembership({ kind: "promote", node: learners[rng.int(0, learners.length - 1)] }, now);
      else if (what < 9) removeOne(false);
      else removeOne(true);
      // A second change right away: refused while the first is uncommitted (one at a time).
      if (rng.chance(0.5)) removeOne(false);
      // Then the leader is cut off, alone or with one voter of its (new) configuration: its
      // change stays uncommitted or commits on its side only, and the others elect anew.
      let cut: readonly number[] = [lid];
      if (rng.chance(0.5)) {
        const others = L.raft.voters().filter((v) => v !== lid);
        cut = others.length === 0 ? [lid] : [lid, others[rng.int(0, others.length - 1)]];
      }
      return { done: removed.length > 0, leader: lid, removed, cut };
    }
  }
}

/** Backup restores with membership: only while no configuration change is pending and a
 * leader is known, and fenced members (voters and learners) must stay within what *every*
 * configuration a live node holds tolerates (its voters minus their quorum) — a node may
 * still hold an uncommitted configuration from an earlier leader, and elections run in it.
 * (Found by a 10,000-seed sweep: checking the leader's configuration alone let two empty-disk
 * restores leave such a configuration without an unfenced quorum.) */
function restoreKeepsQuorum(w: W, node: number): boolean {
  const L = leaderServer(w);
  if (L === null || L.raft.confChangePending()) return false;
  for (const n of w.nodes) {
    const s = n as MetaServer | null;
    if (s === null) continue;
    // Fenced learners count against the voters' tolerance too: one may be promoted before the
    // leader has seen it answer as fenced.
    const voters = s.raft.voters();
    const members = [...voters, ...s.raft.learners()];
    let marked = members.includes(node) ? 1 : 0;
    for (const v of members) if (v !== node && hasMarker(w, v)) marked++;
    if (marked > voters.length - (Math.floor(voters.length / 2) + 1)) return false;
  }
  return true;
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
