// raft-metadata: N metadata servers (Raft + the revisioned store, src/impl) and C closed-loop
// clients. Raft invariants are checked after every event; after the final heal a leader must
// emerge and clients must get answers; at the end no acknowledged write may be lost and the
// client history must be linearizable (metadata-kv model, key by key).
import { InvariantChecker, type Violation } from "../../../check/raft/invariants.js";
import { metadataKv } from "../../models/metadata-kv.js";
import { metadataKvRanges } from "./model-ranges.js";
import { RAFT_NOTE_NAMES, RaftNote, type RaftOptions } from "../../../impl/raft/api.js";
import { NOTE_SNAPSHOT_INSTALLED, NOTE_SNAPSHOT_TAKEN } from "../../../impl/raft/state.js";
import type { AppendRequest, InstallSnapshot } from "../../../impl/raft/messages.js";
import { MetaServer, type JoinResponse } from "../../../impl/metadata/server.js";
import { GENERIC_FAMILIES, diskStallFamily, type FaultAction } from "../../faults/index.js";
import { Rng } from "../../kernel/rng.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";
import { fail } from "../../kernel/assert.js";
import { CheckFailure, type AnyWorld, type RunRequest, type System, type SystemRun } from "../../runner/system.js";
import { BUGS, type BugName } from "./bugs.js";
import { WorkloadActor, workloadActorFactory } from "./clients/actor.js";
import { defaultWorkloadConfig } from "./clients/config.js";
import { HistoryRecorder } from "./clients/recorder.js";
import { AppliedCommands } from "./applied-commands.js";
import { lostAcknowledgedWrite } from "./end-checks.js";
import { deposedFamily, leaderChurnFamily, membershipFamily, membershipRaceFamily, RAFT_FAULT_KINDS, RaftFaultDriver, timedFamily, type MembershipSetup } from "./faults.js";
import { crashWindowFamily, restoreRaceFamily, snapshotRaceFamily } from "./window-faults.js";
import { inspectServer } from "./inspect.js";
import { LeaseCheck } from "./lease-check.js";
import { WakeCheck } from "./wake-check.js";
import { DurableIndexCheck } from "./durable-index-check.js";
import { PreVoteOrderCheck } from "./prevote-order-check.js";
import { LeaseRenewalCheck } from "./lease-renewal-check.js";
import { VoteLostCheck } from "./vote-lost-check.js";
import { TimerRestartCheck } from "./timer-restart-check.js";
import { LeaseReadCheck } from "./lease-read-check.js";
import { ReadRoundFlowCheck } from "./read-round-flow-check.js";
import { TransferAbortCheck } from "./transfer-abort-check.js";
import { StoreStateCheck } from "./state-check.js";
import { SessionCheck } from "./session-check.js";
import { ProgressCheck } from "./progress-check.js";
import { InflightCheck } from "./inflight-check.js";
import { PromptSendCheck } from "./prompt-send-check.js";
import { RecoveryCheck } from "./recovery-check.js";
import { ProbeBoundCheck } from "./probe-bound-check.js";
import { HeartbeatCheck } from "./heartbeat-check.js";
import { leaderOnlySend } from "./sender-role-check.js";
import { ReadRoundCheck } from "./read-round-check.js";
import { ReadLatencyCheck } from "./read-latency-check.js";
import { CommitTermCheck } from "./commit-term-check.js";
import { CommitPromptCheck } from "./commit-prompt-check.js";
import { CommitPushCheck } from "./commit-push-check.js";
import { HeartbeatCommitCheck } from "./heartbeat-commit-check.js";
import { LeaderAnswersCheck } from "./leader-answers-check.js";
import { LeadershipChecks } from "./leadership-checks.js";
import { BoundChecks } from "./bound-checks.js";
import { StaleAnswerCheck } from "./stale-answer-check.js";
import { ResendBoundCheck } from "./resend-bound-check.js";
import { AppendBudgetCheck } from "./append-budget-check.js";
import { MembershipChecks } from "./membership-checks.js";
import { FollowerChecks } from "./follower-checks.js";
import { PersistenceChecks } from "./persistence-checks.js";
import { ElectionStepChecks } from "./election-step-checks.js";
import { AnswerFencedCheck } from "./answer-fenced-check.js";
import { knownLeader, runLivenessPhase } from "./liveness.js";
import { LivelockGuard } from "../../runner/livelock.js";
import { membershipPlan, noOtherRestoreFenced, operator, restoreKeepsQuorum, restoreMarker } from "./operator.js";
import { defaultRaftTiming, livenessWindowUs, RAFT_METADATA_OPTION_KEYS, raftOptions, S, type RaftMetadataOptions } from "./options.js";
import { raftRecorder } from "./recorder.js";
import { raftScenarioBlock } from "./scenario-block.js";
import { leaseSafeSchedule, swarmRaftTiming, swarmWorkload, WORKLOAD_SWARM } from "./swarm.js";
import { messageTraceKey } from "./trace-key.js";

/** Far above what correct runs reach (measured over the swarm, every-fault seeds and the
 * scenarios: see reports/mutation/summary.md), far below what a spinning node reaches. */
const LIVELOCK_LIMITS = { maxSendsPerEvent: 5_000, maxEventsPerInstant: 20_000 } as const;

/** startingChecks' answer after a client's event: nothing more to judge (not a server index,
 * nor TOUCHED_NONE or TOUCHED_ALL). */
const NOTHING_MORE = -1_000;

function setup(req: RunRequest): SystemRun {
  const o = (req.options ?? {}) as RaftMetadataOptions;
  const N = req.servers;
  const bugs = new Set(req.bugs);
  // Generated runs also draw Raft's configuration from the seed (swarm); a given fault
  // schedule (a scenario) runs the default configuration unless it sets its own.
  const swarm = req.generated !== null && o.swarmConfig !== false;
  let setup: MembershipSetup | undefined = o.membership;
  if (req.generated !== null && setup === undefined) setup = req.generated.extras.membership as MembershipSetup | undefined;
  // An explicit schedule with membership actions: every server starts as a voter.
  if (setup === undefined && req.explicitFaults?.some((f) => f.kind.startsWith("member-"))) setup = { initialVoters: N, bootstrap: false };
  const members = setup === undefined ? null : membershipPlan(N, setup);
  let raft = raftOptions(N, { seed: req.seed, timeUs: req.timeUs, raft: o.raft, bugs: req.bugs as BugName[] }, swarm ? swarmRaftTiming(Rng.root(req.seed).fork("swarm-config")) : defaultRaftTiming);
  // The workload too (swarm.ts): an op mix, follower reads, sticky clients, CheckQuorum off.
  const sw = swarm && WORKLOAD_SWARM && o.workload === undefined ? swarmWorkload(Rng.root(req.seed).fork("workload-mix")) : null;
  if (sw !== null && sw.checkQuorumOff && o.raft?.checkQuorum === undefined && raft.readMode !== "lease") raft = { ...raft, checkQuorum: false };
  const followerReads = o.followerReads ?? sw?.followerReads ?? false;
  const applyDelayUs = o.applyDelayUs ?? sw?.applyDelayUs;
  const sessionTtl = o.sessionTtl ?? sw?.sessionTtl;
  // A removed server that never hears of its removal must not disrupt the cluster: that rests
  // on PreVote and CheckQuorum's follower-side check (dissertation §4.2.3), so a membership run
  // has both on. (Without PreVote, a removed server whose log is behind bumps the term every
  // election timeout; each bump resets the others' timers, and nobody is ever elected.)
  if (members !== null && (!raft.preVote || !raft.checkQuorum)) raft = { ...raft, preVote: true, checkQuorum: true };
  if (req.sutAsserts === false) raft = { ...raft, asserts: false };
  // Fewer events per simulated second (options.ts, `fast`): on unless switched off; an explicit
  // raft.coalesceHeartbeats or livenessStopWhenHealthy still wins.
  const fast = o.fast !== false;
  if (fast && o.raft?.coalesceHeartbeats === undefined) raft = { ...raft, coalesceHeartbeats: true };
  const stopWhenHealthy = o.livenessStopWhenHealthy ?? fast;
  const raftOf: RaftOptions[] = [];
  for (let i = 0; i < N; i++) raftOf.push(members === null ? raft : { ...raft, voters: members.initial[i] });
  const servers: number[] = [];
  for (let i = 0; i < N; i++) servers.push(i);
  const workload = defaultWorkloadConfig(servers, req.clients, { retryForUs: Math.max(2 * S, 3 * raft.electionMaxUs), ...sw?.workload, ...(followerReads ? { readsAnywhere: true } : {}), ...(sessionTtl !== undefined ? { sessionStarts: true } : {}), ...o.workload });
  const recorder = new HistoryRecorder();
  const applied = new AppliedCommands();
  /** A server noted its commit index: the account of committed commands reads what it passed. */
  const commitNoted = (id: number, commit: number): void => {
    const n = world.nodes[id] as MetaServer | null;
    if (n !== null) applied.committed(n, commit);
  };
  const actors: WorkloadActor[] = [];
  const inv = new InvariantChecker(N);
  const leaseMode = raft.readMode === "lease" && o.leaseCheck !== false;
  const leases = leaseMode ? new LeaseCheck(N) : null;
  const renewals = leaseMode ? new LeaseRenewalCheck(N) : null;
  const leaseReads = leaseMode ? new LeaseReadCheck(N) : null;
  const progress = new ProgressCheck(N);
  const inflight = new InflightCheck(N);
  const prompt = new PromptSendCheck(N);
  const probes = new ProbeBoundCheck(N);
  const heartbeats = new HeartbeatCheck(N);
  const readRounds = new ReadRoundCheck(N);
  const readLatency = new ReadLatencyCheck(N, raft.heartbeatUs);
  const commitTerm = new CommitTermCheck(N);
  const commitPrompt = new CommitPromptCheck(N);
  const leaderAnswers = new LeaderAnswersCheck(N);
  const commitPush = new CommitPushCheck(N);
  const heartbeatCommit = new HeartbeatCommitCheck(N);
  const stores = new StoreStateCheck(N);
  const recovery = new RecoveryCheck();
  const leadership = new LeadershipChecks(N, raftOf[0].voters); // server 0 is always a member (membershipPlan)
  const bounds = new BoundChecks(N, raft);
  const staleAnswers = new StaleAnswerCheck(N);
  const resends = new ResendBoundCheck(N);
  const budget = new AppendBudgetCheck(N);
  // Only a run with membership has requests, learners and removals to judge.
  const membership = members === null ? null : new MembershipChecks(N, raft.promoteLag ?? 16);
  const wakes = new WakeCheck(N);
  const durables = new DurableIndexCheck(N, raft.checkQuorum || raft.preVote);
  const campaigns = new PreVoteOrderCheck(N, raft.preVote);
  const losses = new VoteLostCheck(N);
  const timers = new TimerRestartCheck(N, raft.electionMinUs);
  const roundFlow = new ReadRoundFlowCheck(N);
  const transferAborts = new TransferAbortCheck(N, raft.electionMinUs);
  const followers = new FollowerChecks(N);
  const persistence = new PersistenceChecks(N);
  const electionSteps = new ElectionStepChecks(N);
  const fencedAnswers = new AnswerFencedCheck();
  const sessions = new SessionCheck(sessionTtl ?? 0);
  const livelock = new LivelockGuard(LIVELOCK_LIMITS);
  const seen: (MetaServer | null)[] = new Array(N).fill(null);
  /** The servers an event touched since checkLogTerms last scanned them (only their logs can
   * have changed since). */
  const logDirty = new Uint8Array(N);
  // The checks of a leader's appends and snapshot chunks, in their order (onSend below).
  const sentEntries = (from: number, to: number, msg: AppendRequest<unknown> | InstallSnapshot): void => {
    heartbeatCommit.sentEntries(from, to);
    prompt.onSend(from, to, msg);
    heartbeats.onSend(from, to, msg);
    judged(leaderOnlySend(world, from, msg), world);
    judged(inflight.onSend(world, from, to, msg), world);
    judged(staleAnswers.onSend(world, from, to, msg), world);
    judged(resends.onSend(world, from, to, msg), world);
    judged(budget.onSend(world, from, to, msg), world);
  };
  /** A join answer sent (every check mode: it counts redirects and carries the operator's requests). */
  const sentJoinResp = (from: number, to: number, msg: JoinResponse): void => {
    if (msg.status === "redirect" && msg.leader >= 0) joinRedirects++;
    if (membership !== null) membership.sentJoinResp(world, from, to, msg);
  };
  let sinceLogMatch = 0;
  /** The checker has seen every node object once (the first event; afterwards only faults change them). */
  let viewsSynced = false;
  const restoresSeen = new Int32Array(N);
  let joinRedirects = 0;
  const driver = new RaftFaultDriver(members === null ? null : (w, op) => operator(w, op, driver.leader, membership!.requests));
  driver.onWindowTransfer = (w, l, to) => {
    bounds.windowTransfer(w, l, to, driver.transferBefore);
    transferAborts.asked(w, l);
  };
  let world!: AnyWorld;
  const checkSet = o.onlineChecks ?? "all";
  if (checkSet !== "all" && checkSet !== "starting" && checkSet !== "none") throw new Error(`raft-metadata: onlineChecks must be "all", "starting" or "none" (got ${JSON.stringify(checkSet)})`);
  /** What every mode judges after an event (the starting main's checks: the Raft invariants
   * on the touched node, the log scans, the store-state check), with the view sync the other
   * checks read through and the livelock guard. Returns the server the event touched
   * (World.touched), or NOTHING_MORE after a client's event, which leaves every other check
   * the verdict and memory it had (see the comment inside). `all`: the recovery check too. */
  const startingChecks = (w: AnyWorld, all: boolean): number => {
    livelock.afterEvent(w.now);
    if (viewsSynced && w.touched === TOUCHED_NONE) {
      // A client's event (a reply delivered to it, its timer) runs no server: no
      // server-to-server message was sent or delivered, no note taken, no server's state
      // moved, so every check below would give the verdict it gave after the previous
      // event (null: the run goes on) and its memory stays as it is. Only the log checks'
      // cadence counts it (the scans find what they found: no log changed).
      let v: Violation | null = null;
      if ((++sinceLogMatch & 15) === 0) v = inv.checkLogTerms(logDirty);
      if (v === null && sinceLogMatch >= 5_000) {
        sinceLogMatch = 0;
        v = inv.checkLogMatching();
      }
      if (v !== null) throw invariantFailure(v, w.now);
      return NOTHING_MORE;
    }
    // Only a fault can crash, restart or restore a node, or change more than one; any other
    // event changes at most the one server it was for (World.touched).
    const only = viewsSynced ? w.touched : TOUCHED_ALL;
    viewsSynced = true;
    if (only === TOUCHED_ALL) {
      // A restart (the only way a node is rebuilt from its disk) is a fault event.
      if (all) judged(recovery.take(), w);
      for (let i = 0; i < N; i++) {
        const n = w.nodes[i] as MetaServer | null;
        if (n === seen[i]) continue;
        seen[i] = n;
        if (w.restores[i] !== restoresSeen[i]) {
          restoresSeen[i] = w.restores[i];
          inv.forgetAcks(i);
        }
        inv.setView(i, n === null ? null : n.raft);
      }
    } else if (only >= 0 && w.nodes[only] !== seen[only]) fail(`raft-metadata: node ${only} was replaced outside a fault event (the invariant checker would miss it)`);
    // checkLogTerms rescans only the logs that may have changed since it last scanned them:
    // those of the servers an event touched (a log scanned clean and untouched is clean still).
    if (only >= 0) logDirty[only] = 1;
    else if (only === TOUCHED_ALL) logDirty.fill(1);
    let v = inv.check(w.now, only === TOUCHED_ALL ? -1 : only);
    if (v === null && (++sinceLogMatch & 15) === 0) v = inv.checkLogTerms(logDirty);
    if (v === null && sinceLogMatch >= 5_000) {
      sinceLogMatch = 0;
      v = inv.checkLogMatching();
    }
    if (v !== null) throw invariantFailure(v, w.now);
    if (only !== TOUCHED_NONE) {
      judged(only === TOUCHED_ALL ? stores.checkAll(w, N) : stores.check(w, only), w);
    }
    return only;
  };

  const run: SystemRun = {
    world: {
      factory: (id, env, recovered) => {
        const s = new MetaServer(id, { raft: raftOf[id], dedupSessions: !bugs.has("no-session-dedup"), maxPending: 64, asserts: req.sutAsserts, ...(followerReads ? { followerReads } : {}), ...(applyDelayUs !== undefined ? { applyDelayUs } : {}), ...(sessionTtl !== undefined ? { sessionTtl } : {}) }, env, recovered, world.localNow(id));
        if (leases !== null) leases.booted(id, s, world.clocks[id].monotonic(world.now));
        recovery.booted(id, recovered, s.raft);
        return s;
      },
      actorFactory: workloadActorFactory(workload, recorder, N, actors, (from, reply, now) => sessions.received(from, reply, now)),
      traceKey: messageTraceKey,
      net: o.net,
      budget: 2_000_000 + Math.ceil(req.timeUs / S) * 400_000,
      restoreMarker: (w) => restoreMarker(w),
      restoreAllowed: members === null
        ? (w, node) => noOtherRestoreFenced(w, node)
        : (w, node) => restoreKeepsQuorum(w, node, driver.leader) && noOtherRestoreFenced(w, node),
      onNote: (id, kind, a, b) => {
        driver.onNote(id, kind, a, b);
        if (membership !== null) membership.noted(world, id, kind, a);
        if (kind === RaftNote.role) {
          bounds.roleNoted(world, id, a);
          losses.roleNoted(id, a);
          timers.roleNoted(world, id, a);
          readLatency.roleNoted(id, a);
          commitTerm.roleNoted(id, a);
          electionSteps.roleNoted(world, id, a, b);
          commitPrompt.roleNoted(id, a);
          commitPush.roleNoted(id, a);
        } else followers.noted(id, kind, a);
        if (kind === RaftNote.commit) {
          commitPush.commitNoted(id, a, b);
          commitNoted(id, a);
        }
        if (kind === RaftNote.custom && (a === NOTE_SNAPSHOT_TAKEN || a === NOTE_SNAPSHOT_INSTALLED)) {
          leadership.snapshotNoted(world, id, b, a === NOTE_SNAPSHOT_INSTALLED);
          const n = world.nodes[id] as MetaServer | null;
          judged(n === null ? null : recovery.snapshotNoted(id, b, n.raft), world);
        }
        if (kind === RaftNote.custom) persistence.noted(id, a);
      },
      onCrash: (id) => driver.onCrash(id),
      // Every server-to-server message passes here, so each hook reads msg.type once and calls
      // only the checks that judge that type (in the order they had when each tested the type
      // itself: a window fault's firing on a send may send, and an earlier check may throw).
      // Every check's own method still ignores the types it does not judge (its unit tests call
      // it with any message).
      onSend: (from, to, msg) => {
        livelock.onSend(from, world.now);
        if (from === to) judged(durables.sent(world, from, to, msg.type), world);
        switch (msg.type) {
          case "app":
            sentEntries(from, to, msg);
            commitPush.sentAppend(world, from, to, msg);
            if (membership !== null) membership.sentReplication(world, from, to, false);
            return;
          case "hb": {
            if (leases !== null) leases.onSend(world, from, msg);
            heartbeats.onSend(from, to, msg);
            judged(leaderOnlySend(world, from, msg), world);
            leadership.sentRead(world, from, to, msg);
            if (membership !== null) membership.sentReplication(world, from, to, true);
            readLatency.sentHeartbeat(from, msg);
            judged(heartbeatCommit.sentHeartbeat(world, from, to, msg), world);
            roundFlow.sentHeartbeat(world, from, msg);
            return;
          }
          case "appResp":
            durables.answered(from);
            bounds.sentAppResp(from, to, msg);
            if (msg.success) inv.recordAck(from, msg.term, msg.index);
            driver.windows.onSend(from, msg);
            progress.onSend(from, msg);
            leadership.sentAck(from, to, msg);
            followers.sentAnswer(world, from, to, msg);
            fencedAnswers.onSend(world, from, msg);
            return;
          case "hbResp":
            fencedAnswers.onSend(world, from, msg);
            return;
          case "snap":
            driver.windows.onSend(from, msg);
            sentEntries(from, to, msg);
            leaderAnswers.sentChunk(from, to, msg);
            if (membership !== null) membership.sentReplication(world, from, to, false);
            return;
          case "snapResp":
            if (msg.next < 0) inv.recordAck(from, msg.term, msg.index);
            driver.windows.onSend(from, msg);
            progress.onSend(from, msg);
            leadership.sentAck(from, to, msg);
            followers.sentSnapshotAnswer(world, from, msg);
            persistence.sentSnapshotAnswer(world, from, msg);
            fencedAnswers.onSend(world, from, msg);
            return;
          case "vote":
            if (leases !== null) leases.onSend(world, from, msg);
            leadership.sentVoteOrTimeout(world, from, to, msg);
            campaigns.sentVote(world, from, to, msg);
            persistence.sentVote(from, msg);
            electionSteps.sentVote(world, from, msg);
            fencedAnswers.onVote(world, from, msg);
            return;
          case "voteResp":
            if (msg.granted && !msg.pre) inv.recordVote(from, msg.term, to);
            if (leases !== null) leases.onSend(world, from, msg);
            leadership.sentVoteResp(world, from, to, msg);
            bounds.sentVoteResp(world, from, to, msg);
            campaigns.sentVoteResp(world, from, to, msg);
            persistence.sentVoteResp(from, to, msg);
            electionSteps.sentVoteResp(world, from, to, msg);
            fencedAnswers.onVote(world, from, msg);
            fencedAnswers.onSend(world, from, msg);
            leaderAnswers.sentVoteResp(from, to, msg);
            return;
          case "timeoutNow": {
            judged(leaderOnlySend(world, from, msg), world);
            leadership.sentVoteOrTimeout(world, from, to, msg);
            if (membership !== null) membership.sentTimeoutNow(from);
            leaderAnswers.sentTimeoutNow(from, to);
            return;
          }
          case "readResp":
            leadership.sentRead(world, from, to, msg);
            return;
          case "joinResp":
            return sentJoinResp(from, to, msg);
        }
      },
      onDeliver: (from, to, msg) => {
        bounds.delivered(world, from, to, msg);
        durables.delivered(world, to, msg);
        switch (msg.type) {
          case "app":
            driver.windows.onDeliver(to, msg);
            leadership.deliveredAppend(from, to, msg);
            followers.delivered(from, to, msg);
            return;
          case "snap":
            leadership.deliveredAppend(from, to, msg);
            return;
          case "hb":
            leadership.deliveredHeartbeat(from, to, msg);
            followers.delivered(from, to, msg);
            fencedAnswers.deliveredHeartbeat(world, to);
            return;
          case "appResp": {
            if (membership !== null) membership.deliveredAck(world, from, to, msg);
            inflight.onDeliver(world, from, to, msg);
            prompt.onDeliver(world, from, to, msg);
            judged(probes.onDeliver(world, from, to, msg), world);
            readRounds.onDeliver(world, from, to, msg);
            commitTerm.answerDelivered(world, from, to, msg);
            commitPrompt.answerDelivered(world, from, to, msg);
            leaderAnswers.deliveredAppendAnswer(world, from, to, msg);
            heartbeatCommit.answerDelivered(from, to, msg);
            staleAnswers.onDeliver(world, from, to, msg);
            resends.onDeliver(world, from, to, msg);
            budget.onDeliver(world, from, to, msg);
            leadership.deliveredOther();
            return;
          }
          case "snapResp": {
            if (membership !== null) membership.deliveredAck(world, from, to, msg);
            inflight.onDeliver(world, from, to, msg);
            judged(probes.onDeliver(world, from, to, msg), world);
            readRounds.onDeliver(world, from, to, msg);
            commitTerm.answerDelivered(world, from, to, msg);
            commitPrompt.answerDelivered(world, from, to, msg);
            commitPush.deliveredSnapshotAnswer(from, to);
            leaderAnswers.deliveredSnapshotAnswer(world, from, to, msg);
            heartbeatCommit.answerDelivered(from, to, msg);
            staleAnswers.onDeliver(world, from, to, msg);
            budget.onDeliver(world, from, to, msg);
            leadership.deliveredOther();
            return;
          }
          case "hbResp":
            heartbeatCommit.deliveredHeartbeatAnswer(world, from, to, msg);
            if (membership !== null) membership.deliveredAck(world, from, to, msg);
            inflight.onDeliver(world, from, to, msg);
            budget.onDeliver(world, from, to, msg);
            readRounds.onDeliver(world, from, to, msg);
            leadership.deliveredToLeader(world, from, to, msg);
            roundFlow.answered(to);
            return;
          case "readReq":
            leadership.deliveredToLeader(world, from, to, msg);
            return;
          case "vote":
            leadership.deliveredVote(world, from, to, msg);
            campaigns.deliveredVote(world, from, to, msg);
            leaderAnswers.deliveredVote(world, from, to, msg);
            timers.deliveredVote(world, from, to, msg);
            return;
          case "timeoutNow":
            leadership.deliveredTimeoutNow(from, to, msg);
            campaigns.deliveredTimeoutNow(to);
            electionSteps.deliveredTimeoutNow(world, to, msg);
            timers.deliveredForcing(to);
            return;
          case "voteResp":
            losses.delivered(world, from, to, msg);
            timers.deliveredForcing(to);
            leadership.deliveredOther();
            return;
          case "join":
            if (membership !== null) membership.deliveredJoin(world, from, to);
            leadership.deliveredOther();
            return;
          default:
            leadership.deliveredOther();
        }
      },
      afterEachEvent: (w) => {
        const only = startingChecks(w, true);
        if (only === NOTHING_MORE) return;
        // Whether the server the event touched leads (read once: several checks judge leaders only).
        const leads = only >= 0 && (w.nodes[only] as MetaServer | null)?.raft.curRole === "leader";
        // (progress.check judges leaders only: nothing for another server's event.)
        if (leads || only === TOUCHED_ALL) {
          judged(progress.check(w, only === TOUCHED_ALL ? -1 : only), w);
        }
        // Each check's idle() (where it has one) is the test its afterEvent starts with, here to
        // spare the call: most events leave most checks nothing to judge or reset.
        if (!prompt.idle(only, leads)) judged(prompt.afterEvent(w, only), w);
        if (!heartbeats.idle(only)) judged(heartbeats.afterEvent(w, only), w);
        if (!readRounds.idle()) judged(readRounds.afterEvent(w, only), w);
        if (!readLatency.idle(w.now, only)) judged(readLatency.afterEvent(w, only), w);
        if (!commitTerm.idle()) judged(commitTerm.afterEvent(w, only), w);
        // The leader checks of step-leader.ts: most events leave them nothing to judge.
        if (commitPrompt.pending()) {
          judged(commitPrompt.afterEvent(w, only), w);
        }
        if (leaderAnswers.pending()) {
          judged(leaderAnswers.afterEvent(w, only), w);
        }
        if (heartbeatCommit.pending()) {
          judged(heartbeatCommit.afterEvent(w, only), w);
        }
        if (commitPush.pending()) {
          judged(commitPush.afterEvent(w, only), w);
        }
        judged(leadership.afterEvent(w, only, leads), w);
        if (!bounds.idle(w.now, only)) judged(bounds.afterEvent(w, only), w);
        if (membership !== null) {
          judged(membership.afterEvent(w), w);
        }
        judged(wakes.afterEvent(w, only), w);
        judged(durables.afterEvent(w, only), w);
        if (!campaigns.idle()) judged(campaigns.afterEvent(), w);
        if (!losses.idle()) judged(losses.afterEvent(w), w);
        if (!timers.idle()) judged(timers.afterEvent(w, only), w);
        if (!roundFlow.idle()) judged(roundFlow.afterEvent(), w);
        if (!transferAborts.idle(only)) judged(transferAborts.afterEvent(w, only), w);
        if (!followers.idle(only)) judged(followers.afterEvent(w, only), w);
        if (only === TOUCHED_ALL || persistence.due) {
          judged(persistence.afterEvent(w, only), w);
        }
        if (!electionSteps.idle()) judged(electionSteps.afterEvent(w), w);
        if (!fencedAnswers.idle()) judged(fencedAnswers.afterEvent(w), w);
        if (leaseMode && only !== TOUCHED_NONE) {
          judged(leases!.afterEvent(w, only === TOUCHED_ALL ? -1 : only), w);
          judged(renewals!.afterEvent(w, only), w);
          judged(leaseReads!.afterEvent(w, only), w);
        }
      },
    },
    faults: {
      target: (name) => (name === "leader" ? driver.leader : -1),
      system: (w, f) => {
        const args = driver.execute(w, f);
        bounds.faultRan(w, f.kind, args, driver.transferBefore);
        return args;
      },
      onHealAll: () => driver.disarm(),
    },
    attach(w) {
      world = w;
      driver.attach(w);
    },
    adjustSchedule: (actions: readonly FaultAction[]) => leaseSafeSchedule(actions, raft),
    initialActions: members?.joins,
    endAt: (lastHeal, timeUs) => Math.max(timeUs, lastHeal + livenessWindowUs(timeUs)),
    liveness: (w, lastHeal, endUs) => runLivenessPhase(w, actors, lastHeal, endUs, stopWhenHealthy),
    finalCheck(w) {
      const v = inv.checkLogMatching();
      if (v !== null) throw invariantFailure(v, w.now);
    },
    finish(w) {
      for (const a of actors) a.client.abandon(w.now);
    },
    endCheck: () => lostAcknowledgedWrite(recorder.operations(), inv) ?? sessions.check(inv, world, N),
    history: {
      operations: () => recorder.operations(),
      // Which info ops no server ever committed (applied-commands.ts): a hint the check tries first.
      neverApplied: (ops) => applied.neverApplied(ops, recorder),
      // Lists are checked against every key they cover and txns against all their keys at once
      // (model-ranges.ts); without either, key by key.
      model: (workload.mix.list ?? 0) > 0 || (workload.txnP ?? 0) > 0 ? metadataKvRanges((workload.mix.list ?? 0) > 0 ? [workload.listPrefix ?? ""] : []) : metadataKv,
      // No wall-clock budget unless asked for: the runner's step budget keeps verdicts load-free.
      ...(o.checkTimeoutMs !== undefined ? { timeoutMs: o.checkTimeoutMs } : {}),
    },
    inspectNode: inspectServer,
    details: (w) => ({
      raft: { electionMinUs: raft.electionMinUs, electionMaxUs: raft.electionMaxUs, heartbeatUs: raft.heartbeatUs, preVote: raft.preVote, checkQuorum: raft.checkQuorum, maxInflight: raft.maxInflight, maxBatch: raft.maxBatch, readMode: raft.readMode, maxDriftPpm: raft.maxDriftPpm, snapshotEvery: raft.snapshotEvery, snapshotChunk: raft.snapshotChunk, ...(raft.coalesceHeartbeats === true ? { coalesceHeartbeats: true } : {}) },
      members: finalMembers(w),
      joinRedirects,
      // What the workload draw chose (undefined: the default workload or the run's own).
      ...(sw !== null ? { profile: sw.profile, workload: sw.workload, followerReads, ...(applyDelayUs !== undefined ? { applyDelayUs } : {}), ...(sessionTtl !== undefined ? { sessionTtl } : {}) } : {}),
    }),
  };
  if (checkSet === "all") return run;
  // Fewer checks (RaftMetadataOptions.onlineChecks; bench:check-share measures what the checks
  // cost with them). What is not a check stays: the window faults fire on what the nodes send,
  // deliver and note, the operator's membership requests go through their check, the livelock
  // guard ends a spinning run. The checks only read, so every mode runs the same events (the
  // same trace hash); only the verdicts may differ.
  const starting = checkSet === "starting";
  return {
    ...run,
    world: {
      ...run.world,
      onNote: (id, kind, a, b) => {
        driver.onNote(id, kind, a, b);
        if (membership !== null) membership.noted(world, id, kind, a);
        if (kind === RaftNote.commit) commitNoted(id, a);
      },
      onSend: (from, to, msg) => {
        livelock.onSend(from, world.now);
        switch (msg.type) {
          case "appResp":
            if (starting && msg.success) inv.recordAck(from, msg.term, msg.index);
            driver.windows.onSend(from, msg);
            return;
          case "snapResp":
            if (starting && msg.next < 0) inv.recordAck(from, msg.term, msg.index);
            driver.windows.onSend(from, msg);
            return;
          case "snap":
            driver.windows.onSend(from, msg);
            return;
          case "voteResp":
            if (starting && msg.granted && !msg.pre) inv.recordVote(from, msg.term, to);
            if (starting && leases !== null) leases.onSend(world, from, msg);
            return;
          case "vote":
          case "hb":
            if (starting && leases !== null) leases.onSend(world, from, msg);
            return;
          case "joinResp":
            return sentJoinResp(from, to, msg);
        }
      },
      onDeliver: (from, to, msg) => {
        if (msg.type === "app") driver.windows.onDeliver(to, msg);
        else if (msg.type === "join" && membership !== null) membership.deliveredJoin(world, from, to);
      },
      afterEachEvent: starting
        ? (w) => {
            const only = startingChecks(w, false);
            if (only === NOTHING_MORE) return;
            if (leaseMode && only !== TOUCHED_NONE) judged(leases!.afterEvent(w, only === TOUCHED_ALL ? -1 : only), w);
          }
        : (w) => livelock.afterEvent(w.now),
    },
    finalCheck: starting ? run.finalCheck : undefined,
    endCheck: starting ? () => lostAcknowledgedWrite(recorder.operations(), inv) : undefined,
  };
}

/** Membership at the end, as the leader lists it (the admin query); null: no leader. */
function finalMembers(w: AnyWorld): { readonly leader: number; readonly voters: readonly number[]; readonly learners: readonly number[] } | null {
  const l = knownLeader(w);
  if (l < 0) return null;
  const r = (w.nodes[l] as MetaServer).listMembers();
  if (r.kind !== "members") return null;
  return { leader: r.leader, voters: r.members.filter((m) => m.role === "voter").map((m) => m.node), learners: r.members.filter((m) => m.role === "learner").map((m) => m.node) };
}

// The deposed-leader and leader-churn families join the swarm with the workload draw; the
// window families (issue 12 part 3: restores, membership races, crash windows, snapshot races)
// each from a stream of its own, in a fifth of the seeds.
const FAMILIES = [...GENERIC_FAMILIES, timedFamily, membershipRaceFamily, membershipFamily, ...(WORKLOAD_SWARM ? [deposedFamily, leaderChurnFamily] : []), restoreRaceFamily, crashWindowFamily, snapshotRaceFamily, diskStallFamily];

/** An invariant checker's violation as the run's failure at `atUs`. */
/** The run's verdict when a check names a violation (`why`), at the world's time; nothing when
 * it names none (the time is read only then: this runs some 25 times an event). */
function judged(why: string | null, w: { readonly now: number }): void {
  if (why !== null) throw new CheckFailure(why, w.now);
}

function invariantFailure(v: Violation, atUs: number): CheckFailure {
  return new CheckFailure(`${v.invariant} at node ${v.node}, t=${(atUs / 1000).toFixed(3)}ms: ${v.detail}`, atUs);
}

export const raftMetadata: System = {
  name: "raft-metadata",
  description: "5 metadata servers (Raft + a revisioned key-value store with CAS) and 5 closed-loop clients; Raft invariants online, no acknowledged write lost, linearizable history",
  defaults: { servers: 5, clients: 5 },
  bugs: BUGS,
  families: FAMILIES,
  faultKinds: RAFT_FAULT_KINDS,
  targets: ["leader"],
  noteNames: RAFT_NOTE_NAMES,
  recorder: raftRecorder,
  model: metadataKv,
  optionKeys: RAFT_METADATA_OPTION_KEYS,
  scenario: raftScenarioBlock(FAMILIES.map((f) => f.name)),
  setup,
  // A generated run drew Raft's configuration from the seed (details.raft) and its membership
  // setup from the schedule's extras: an explicit replay of its schedule pins both.
  materialise({ options, extras, details }): RaftMetadataOptions {
    const o = (options ?? {}) as RaftMetadataOptions;
    const membership = o.membership ?? (extras.membership as MembershipSetup | undefined);
    // ...and the workload it drew (profile, sticky clients, follower reads), if any.
    const workload = details.workload === undefined ? o.workload : { ...(details.workload as RaftMetadataOptions["workload"]), ...o.workload };
    const followerReads = o.followerReads ?? (details.followerReads as boolean | undefined);
    const applyDelayUs = o.applyDelayUs ?? (details.applyDelayUs as number | undefined);
    const sessionTtl = o.sessionTtl ?? (details.sessionTtl as number | undefined);
    // Coalesced heartbeats that came with `fast` (the default) are not pinned: the replay runs
    // fast too, and a scenario file has no form for the option on its own.
    const { coalesceHeartbeats, ...drawn } = details.raft as NonNullable<RaftMetadataOptions["raft"]>;
    return {
      ...o,
      raft: { ...drawn, ...(coalesceHeartbeats === true && o.fast === false ? { coalesceHeartbeats } : {}) },
      swarmConfig: false,
      ...(membership !== undefined ? { membership } : {}),
      ...(workload !== undefined ? { workload } : {}),
      ...(followerReads !== undefined ? { followerReads } : {}),
      ...(applyDelayUs !== undefined ? { applyDelayUs } : {}),
      ...(sessionTtl !== undefined ? { sessionTtl } : {}),
    };
  },
  // Fewer operations: clients that think longer between them (the default is 0-20 ms), and one
  // key instead of three.
  lighter(options): RaftMetadataOptions[] {
    const o = (options ?? {}) as RaftMetadataOptions;
    const w = o.workload ?? {};
    const out: RaftMetadataOptions[] = [];
    const think = (w.thinkMaxUs ?? 20_000);
    for (const max of [400_000, 100_000, 50_000]) if (max > think) out.push({ ...o, workload: { ...w, thinkMinUs: max / 2, thinkMaxUs: max } });
    if ((w.keys ?? ["a", "b", "c"]).length > 1) out.push({ ...o, workload: { ...w, keys: ["a"] } });
    return out;
  },
};
