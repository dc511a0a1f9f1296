// Lease safety, checked directly (issue 12 part 3: what the mutation sweep showed missing).
//
// A lease-mode leader answers reads from its own state while its read lease is valid on its own
// clock (src/impl/raft/lease.ts). The lease's whole claim is that meanwhile no other leader
// exists: a quorum acknowledged a round of it and promised no vote for electionMin. A stale
// lease read needs a client to read at the old leader inside the window after the new leader
// committed a write, which a swarm seed rarely arranges, so the history check alone almost never
// sees a broken lease (a mutant that makes every lease valid forever survived 26 lease-mode
// seeds). These checks see the lease's reasoning itself, from outside the node:
//
//   1. lease-safety — no two leaders: no node holds a valid read lease in term t while another
//      node is leader of a term above t (`leaseViolation`);
//   2. lease-promise — the quorum's promise still runs: while a leader holds a lease, a quorum
//      of its voters — itself, nodes that are down (they vote for nobody), and nodes whose own
//      CheckQuorum view says they would refuse a vote now, in a term no higher than the
//      leader's — is bound;
//   3. lease-bound — the lease ends in time: its end, on the leader's clock, is no later than
//      s + electionMin·(1−ρ)/(1+ρ), where s is when the leader first sent the newest heartbeat
//      round (seq) a quorum of its voters acknowledged (the acknowledgements the leader itself
//      recorded), seen on the wire. This is the bound the header of lease.ts derives, without
//      the implementation's safety margin: a longer lease can outlive a follower's promise;
//   4. lease-use — the lease is used: after a quorum acknowledged a round sent at s, the leader
//      holds a lease at least until s + half that bound (lease mode must answer reads locally
//      for most of the window, or it is ReadIndex with extra steps — a lease that never becomes
//      valid was invisible to every other check). Only for a round begun in the leader's
//      current term (its seq above the one it held when it took the term: lease.ts starts each
//      term's lease afresh, and an older seq the new term's heartbeats repeat renews nothing —
//      seed 2499). Not in a term with a configuration change
//      (the quorum the acknowledgements are counted in moved), nor for a round older than the
//      32 newest (lease.ts forgets those unconfirmed, which only loses a renewal);
//   5. lease-follower — the promise kept: a follower (of another node) inside its lease window
//      (it heard from its leader less than electionMin ago, on its clock) never moves to a
//      higher term except by a new leader's message (then it follows that leader). Taking a
//      higher term from a stale response would free its vote while the old leader still counts
//      on it; check 2 sees that only once too few voters are left bound, this sees the first
//      one. Not into a term some candidate campaigned in by a leadership transfer (its forced
//      RequestVote passes the lease on purpose, even when it arrives late);
//   6. lease-transfer — once a leadership transfer began in its term, the leader holds no lease
//      for the rest of it (the target's forced campaign passes every follower's promise);
//      checks 2–4 skip such a term;
//   7. lease-boot — a node that (re)started less than electionMin ago (its clock) grants no
//      (pre)vote for a term above its own: it has forgotten when it last heard from a leader, so
//      it keeps the promise as if it just had (lease.ts, bootBlackout). Forced (transfer)
//      campaigns exempt, as in 5.
//
// All of them only read (views, the wire) and never draw or schedule: hash-neutral.
// Only meaningful under the clock assumption the lease states (drift within maxDriftPpm; wall
// clock steps are fine, the lease runs on the monotonic clock): the swarm's lease-mode schedules
// respect it (swarm.ts, leaseSafeSchedule); a scenario that breaks it on purpose
// (lease-reads-beyond-drift-bound) expects a violation anyway.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

export function leaseViolation(w: AnyWorld, n: number): string | null {
  for (let holder = 0; holder < n; holder++) {
    const h = w.nodes[holder] as MetaServer | null;
    if (h === null || h.raft.role() !== "leader") continue;
    const lease = h.raft.readLeaseAt(w.clocks[holder].local(w.now));
    // Correct code reports a positive time left or 0; anything else non-zero (a negative time
    // left) is a lease the node believes it holds past its end.
    if (lease === null || lease === 0) continue;
    const term = h.raft.term();
    for (let other = 0; other < n; other++) {
      const o = other === holder ? null : (w.nodes[other] as MetaServer | null);
      if (o !== null && o.raft.role() === "leader" && o.raft.term() > term) {
        return `lease-safety at node ${holder}, t=${(w.now / 1000).toFixed(3)}ms: it holds a read lease in term ${term} for ${lease}µs more, but node ${other} is leader of term ${o.raft.term()}`;
      }
    }
  }
  return null;
}

/** Rounds lease.ts keeps while they await a quorum (MAX_PENDING_ROUNDS there). */
const PENDING_ROUNDS = 32;
/** Rounds remembered per node (their first send), oldest dropped first. */
const ROUNDS_KEPT = 4096;

/** What one node (one incarnation: one server object) sent: the first send of each heartbeat
 * seq, with its term and the node's time then, and the terms it must not be judged in. */
interface NodeRounds {
  readonly server: MetaServer;
  readonly rounds: Map<number, { readonly term: number; readonly at: number }>;
  /** The newest seq first sent in each term (seqs only grow within one incarnation). */
  newest: number;
  newestTerm: number;
  /** A leadership transfer began in this term (the lease is revoked for the rest of it). */
  revokedTerm: number;
  /** The term this node was last seen leading, and its newest round seq (Raft.readSeq) when
   * first seen leading it: rounds up to that seq were begun in an earlier term, even if their
   * seq first reaches the wire in this one (seed 2499: a round begun while the leader was the
   * only voter goes out with no heartbeat; the next term's heartbeats carry its seq). lease.ts
   * counts a round only in the term it was begun in, so acknowledgements of such a seq renew
   * nothing, and check 4 must not expect them to. */
  leaderTerm: number;
  baseSeq: number;
  /** Bumped whenever `rounds` gains or drops an entry (a LeaderMemo's cached lookup is good
   * while it stays). */
  version: number;
}

/** A follower's state at the last event that touched it (check 5). */
interface FollowerSeen {
  readonly server: MetaServer;
  /** The node's monotonic clock when this incarnation was built (its boot), or -Infinity if
   * unknown. */
  readonly bootAt: number;
  term: number;
  lead: number;
  /** Raft's lastLeaderContact (its wall clock) as last seen: a change is a new contact. */
  contactWall: number;
  /** That contact on the node's monotonic clock, read by this check when it saw the change (the
   * lease's promise is timed on the monotonic clock; wall clocks step). */
  contactMono: number;
}

/** What checks 1–4 need of one node's state, read after the last event that touched it (see
 * LeaseCheck.afterEvent): pure functions of the node's state and of the rounds it sent, which
 * only an event for that node changes. The time-dependent readings (the lease left, the
 * followers' promises) are read again after every event. */
interface LeaderMemo {
  server: MetaServer | null;
  leader: boolean;
  term: number;
  /** A leadership transfer began in this term (check 6). */
  revoked: boolean;
  /** Checks 2–4 apply: not revoked, the leader is a voter of two or more, no configuration
   * change in this term. The fields below are set only then. */
  applies: boolean;
  voters: readonly number[];
  quorum: number;
  /** The newest seq a quorum acknowledged, its round (term and send), and whether it is of
   * this term. */
  k: number;
  ofTerm: boolean;
  roundAt: number;
  /** electionMin·(1−ρ)/(1+ρ). */
  bound: number;
  /** Check 4's conditions other than time: a round of this term, the newest sent in it, not
   * yet forgotten by lease.ts. */
  useDue: boolean;
  /** The lease left at this event (read by check 1 for checks 2–4 and 6). */
  view: number | null;
  /** rounds.get(k) of `rounds` (NodeRounds) at its `version`, kept: the quorum's seq moves once a
   * round, refresh runs at every event of the leader. */
  cachedRounds: NodeRounds | null;
  cachedVersion: number;
  cachedK: number;
  cachedRound: { readonly term: number; readonly at: number } | undefined;
}

/** The lease checks 1–7 above, for one run in lease mode. */
export class LeaseCheck {
  private readonly nodes: (NodeRounds | null)[];
  private readonly seen: (FollowerSeen | null)[];
  /** Terms some candidate campaigned in by a leadership transfer (a forced RequestVote, which
   * bypasses the lease on purpose; it may arrive late). */
  private readonly forcedTerms = new Set<number>();
  /** When each node's current server object was built (the system's factory tells). */
  private readonly boots: ({ readonly server: MetaServer; readonly at: number } | undefined)[] = [];
  /** A violation seen in a send (check 7), reported after the event. */
  private pending: string | null = null;

  /** Checks 1–4's view of each node (afterEvent), refreshed when an event touches it. */
  private readonly memo: LeaderMemo[] = [];
  private memoSynced = false;

  constructor(private readonly n: number) {
    this.nodes = new Array<NodeRounds | null>(n).fill(null);
    this.seen = new Array<FollowerSeen | null>(n).fill(null);
    for (let i = 0; i < n; i++) this.memo.push({ server: null, leader: false, term: 0, revoked: false, applies: false, voters: [], quorum: 0, k: 0, ofTerm: false, roundAt: 0, bound: 0, useDue: false, view: null, cachedRounds: null, cachedVersion: -1, cachedK: 0, cachedRound: undefined });
  }

  /** Checks 1–5 after an event that changed at most node `only` (World.touched; −1: any node,
   * a fault event or the first), the same verdicts as leaseViolation(w, n) ?? check(w) ??
   * followers(w, only), in that order, at a fraction of the cost: what checks 1–4 read of a
   * node's state is kept from the last event that touched it (a node no event touched has the
   * state it had then; its rounds are recorded from its own sends), and only the readings that
   * move with time — the lease left, each voter's promise — are taken again. After every event
   * of a lease-mode run: nothing here allocates unless a check fails. */
  afterEvent(w: AnyWorld, only: number): string | null {
    if (only < 0 || !this.memoSynced) {
      for (let i = 0; i < this.n; i++) this.refresh(w, i);
      this.memoSynced = true;
    } else this.refresh(w, only);
    const memo = this.memo;
    // 1: lease-safety (as leaseViolation). Each leader's lease left is read once per event.
    for (let holder = 0; holder < this.n; holder++) {
      const m = memo[holder];
      if (!m.leader) continue;
      const lease = m.server!.raft.readLeaseAt(w.clocks[holder].local(w.now));
      m.view = lease;
      if (lease === null || lease === 0) continue;
      for (let other = 0; other < this.n; other++) {
        const o = memo[other];
        if (other !== holder && o.leader && o.term > m.term) {
          return `lease-safety at node ${holder}, t=${(w.now / 1000).toFixed(3)}ms: it holds a read lease in term ${m.term} for ${lease}µs more, but node ${other} is leader of term ${o.term}`;
        }
      }
    }
    // 2–4, 6 (as check).
    for (let id = 0; id < this.n; id++) {
      const m = memo[id];
      if (!m.leader) continue;
      const why = this.leaderCheck(w, id, m);
      if (why !== null) return why;
    }
    return this.followers(w, only);
  }

  /** Read node `id`'s state into its memo (after an event that touched it). */
  private refresh(w: AnyWorld, id: number): void {
    const m = this.memo[id];
    const h = w.nodes[id] as MetaServer | null;
    m.server = h;
    m.leader = h !== null && h.raft.role() === "leader";
    if (!m.leader) return;
    const raft = h!.raft;
    const term = raft.term();
    m.term = term;
    const s = this.of(id, h!);
    if (raft.transferTarget() !== -1) s.revokedTerm = term;
    if (s.leaderTerm !== term) {
      s.leaderTerm = term;
      s.baseSeq = raft.readSeq;
    }
    m.revoked = s.revokedTerm === term;
    const voters = raft.voters();
    m.applies = !m.revoked && voters.includes(id) && voters.length >= 2 && raft.configIndex() < raft.termStart;
    if (!m.applies) return;
    m.voters = voters;
    m.quorum = Math.floor(voters.length / 2) + 1;
    m.k = this.quorumSeq(raft, id, voters, m.quorum);
    let round: { readonly term: number; readonly at: number } | undefined;
    if (m.k <= 0) round = undefined;
    else if (m.cachedRounds === s && m.cachedVersion === s.version && m.cachedK === m.k) round = m.cachedRound;
    else {
      round = s.rounds.get(m.k);
      m.cachedRounds = s;
      m.cachedVersion = s.version;
      m.cachedK = m.k;
      m.cachedRound = round;
    }
    m.ofTerm = round !== undefined && round.term === term && m.k > s.baseSeq;
    m.roundAt = round === undefined ? 0 : round.at;
    const rho = (raft.opts.maxDriftPpm ?? 1000) / 1e6;
    m.bound = (raft.opts.electionMinUs * (1 - rho)) / (1 + rho);
    m.useDue = m.ofTerm && s.newestTerm === term && s.newest - m.k < PENDING_ROUNDS;
  }

  /** Checks 2–4 and 6 for leader `id`, from its memo and the time-dependent readings. */
  private leaderCheck(w: AnyWorld, id: number, m: LeaderMemo): string | null {
    const term = m.term;
    const view = m.view;
    if (view === null) return `${atNode("lease-mode", id, w.now, term)}: lease mode, but the leader has no read lease at all`;
    if (m.revoked) {
      if (view !== 0) return `${atNode("lease-transfer", id, w.now, term)}: a leadership transfer began in this term, yet the leader still holds a read lease (${view}µs left)`;
      return null;
    }
    if (!m.applies) return null;
    const now = w.clocks[id].monotonic(w.now);
    const bound = m.bound;
    if (view !== 0) {
      if (!m.ofTerm) return `${atNode("lease-bound", id, w.now, term)}: holds a read lease (${view}µs left) but no round of its term was acknowledged by a quorum (newest: seq ${m.k})`;
      const end = now + view;
      if (end > m.roundAt + bound) return `${atNode("lease-bound", id, w.now, term)}: its read lease ends at ${end}µs, past ${Math.floor(m.roundAt + bound)}µs = the send of round ${m.k} (the newest a quorum acknowledged, at ${m.roundAt}µs) + electionMin·(1−ρ)/(1+ρ)`;
      // 2: enough voters bound is all it takes (the message counts them all).
      const voters = m.voters;
      let bound2 = 0;
      for (let i = 0; i < voters.length && bound2 < m.quorum; i++) if (boundNotToVote(w, voters[i], id, term)) bound2++;
      if (bound2 < m.quorum) return promiseBroken(w, id, term, view, voters);
    } else if (m.useDue && now < m.roundAt + bound / 2) {
      return `${atNode("lease-use", id, w.now, term)}: no read lease, though a quorum acknowledged round ${m.k} sent at ${m.roundAt}µs, ${now - m.roundAt}µs ago (the lease should run ~${Math.floor(bound)}µs)`;
    }
    return null;
  }

  /** The system's node factory: node `id` (re)started as `server`, its monotonic clock reading
   * `mono` (the lease runs on the monotonic clock: wall clocks step). */
  booted(id: number, server: MetaServer, mono: number): void {
    this.boots[id] = { server, at: mono };
  }

  /** Check 7, as node `id` grants a (pre)vote for `term`; the first violation is kept for the
   * next check (a send cannot throw the run's verdict itself). */
  private bootVote(w: AnyWorld, id: number, term: number, pre: boolean): void {
    const h = w.nodes[id] as MetaServer | null;
    const f = this.seen[id];
    if (h === null || f === null || f.server !== h || this.pending !== null) return;
    if (term <= f.term || this.forcedTerms.has(term)) return;
    const now = w.clocks[id].monotonic(w.now);
    if (now - f.bootAt < h.raft.opts.electionMinUs) {
      this.pending = `lease-boot at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: it (re)started ${now - f.bootAt}µs ago (within electionMin ${h.raft.opts.electionMinUs}µs) and grants a ${pre ? "pre-" : ""}vote for term ${term}, above its term ${f.term}`;
    }
  }

  /** Check 5 for node `id`, or every node (id < 0: a fault event); null: fine. */
  followers(w: AnyWorld, id: number): string | null {
    if (this.pending !== null) return this.pending;
    if (id >= 0) return this.followerCheck(w, id);
    for (let i = 0; i < this.n; i++) {
      const why = this.followerCheck(w, i);
      if (why !== null) return why;
    }
    return null;
  }

  /** Check 5 for node `id` (after an event that touched it); null: fine. */
  followerCheck(w: AnyWorld, id: number): string | null {
    const h = w.nodes[id] as MetaServer | null;
    if (h === null) return null;
    const raft = h.raft;
    let f = this.seen[id];
    if (f === null || f.server !== h) {
      const mono = w.clocks[id].monotonic(w.now);
      const wall = raft.lastLeaderContact;
      const contactMono = wall === Number.NEGATIVE_INFINITY ? wall : mono - (raft.clock.peek(w.clocks[id].local(w.now)) - wall);
      f = { server: h, bootAt: this.boots[id]?.server === h ? this.boots[id]!.at : Number.NEGATIVE_INFINITY, term: raft.term(), lead: raft.leader(), contactWall: wall, contactMono };
      this.seen[id] = f;
      return null;
    }
    let why: string | null = null;
    if (raft.term() > f.term && raft.role() === "follower" && raft.leader() === -1 && f.lead !== -1 && f.lead !== id && !this.forcedTerms.has(raft.term())) {
      const now = w.clocks[id].monotonic(w.now);
      if (now - f.contactMono < raft.opts.electionMinUs) {
        why = `lease-follower at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: it heard from leader ${f.lead} of term ${f.term} ${now - f.contactMono}µs ago (within electionMin ${raft.opts.electionMinUs}µs), yet moved to term ${raft.term()} with no leader, freeing its vote`;
      }
    }
    f.term = raft.term();
    f.lead = raft.leader();
    if (raft.lastLeaderContact !== f.contactWall) {
      f.contactWall = raft.lastLeaderContact;
      f.contactMono = w.clocks[id].monotonic(w.now);
    }
    return why;
  }

  private of(id: number, server: MetaServer): NodeRounds {
    let s = this.nodes[id];
    if (s === null || s.server !== server) {
      s = { server, rounds: new Map(), newest: 0, newestTerm: -1, revokedTerm: -1, leaderTerm: -1, baseSeq: 0, version: 0 };
      this.nodes[id] = s;
    }
    return s;
  }

  /** The world's onSend: a leader's heartbeat carries its newest round's seq; the first send
   * of a seq is when that round went out (lease.ts counts from the same instant). */
  onSend(w: AnyWorld, from: number, msg: { readonly type: string; readonly term?: number; readonly seq?: number }): void {
    if (msg.type === "vote" && (msg as { readonly force?: boolean }).force === true) this.forcedTerms.add(msg.term!);
    if (msg.type === "voteResp" && (msg as { readonly granted?: boolean }).granted === true && from < this.n) this.bootVote(w, from, msg.term!, (msg as { readonly pre?: boolean }).pre === true);
    if (msg.type !== "hb" || from >= this.n || msg.seq === undefined || msg.seq <= 0) return;
    const server = w.nodes[from] as MetaServer | null;
    if (server === null) return;
    const s = this.of(from, server);
    if (s.rounds.has(msg.seq)) return;
    s.rounds.set(msg.seq, { term: msg.term!, at: w.clocks[from].monotonic(w.now) });
    s.version++;
    if (msg.seq > s.newest) {
      s.newest = msg.seq;
      s.newestTerm = msg.term!;
    }
    if (s.rounds.size > ROUNDS_KEPT) s.rounds.delete(s.rounds.keys().next().value!); // (version bumped above)
  }

  /** Checks 2–4 for every leader (check 1 is leaseViolation); null: fine. */
  check(w: AnyWorld): string | null {
    for (let id = 0; id < this.n; id++) {
      const h = w.nodes[id] as MetaServer | null;
      if (h === null) continue;
      const raft = h.raft;
      if (raft.role() !== "leader") continue;
      const term = raft.term();
      const s = this.of(id, h);
      if (raft.transferTarget() !== -1) s.revokedTerm = term;
      if (s.leaderTerm !== term) {
        s.leaderTerm = term;
        s.baseSeq = raft.readSeq;
      }
      const local = w.clocks[id].local(w.now);
      const view = raft.readLeaseAt(local);
      // This runs after every event of a lease-mode run: nothing below allocates unless it fails.
      if (view === null) return `${atNode("lease-mode", id, w.now, term)}: lease mode, but the leader has no read lease at all`;
      // 6: a leadership transfer ends lease reads for the rest of the term (lease.ts: TimeoutNow
      // makes the target campaign past every follower's promise).
      if (s.revokedTerm === term) {
        if (view !== 0) return `${atNode("lease-transfer", id, w.now, term)}: a leadership transfer began in this term, yet the leader still holds a read lease (${view}µs left)`;
        continue;
      }
      const voters = raft.voters();
      if (!voters.includes(id) || voters.length < 2) continue;
      // A configuration change in this term moved the quorum the acknowledgements count in.
      if (raft.configIndex() >= raft.termStart) continue;
      const now = w.clocks[id].monotonic(w.now);
      const quorum = Math.floor(voters.length / 2) + 1;
      // The newest seq a quorum acknowledged: the leader counts its own newest round.
      const k = this.quorumSeq(raft, id, voters, quorum);
      const round = k > 0 ? s.rounds.get(k) : undefined;
      const ofTerm = round !== undefined && round.term === term && k > s.baseSeq;
      const rho = (raft.opts.maxDriftPpm ?? 1000) / 1e6;
      const bound = (raft.opts.electionMinUs * (1 - rho)) / (1 + rho);
      if (view !== 0) {
        // 3: the lease ends in time.
        if (!ofTerm) return `${atNode("lease-bound", id, w.now, term)}: holds a read lease (${view}µs left) but no round of its term was acknowledged by a quorum (newest: seq ${k})`;
        const end = now + view;
        if (end > round.at + bound) return `${atNode("lease-bound", id, w.now, term)}: its read lease ends at ${end}µs, past ${Math.floor(round.at + bound)}µs = the send of round ${k} (the newest a quorum acknowledged, at ${round.at}µs) + electionMin·(1−ρ)/(1+ρ)`;
        // 2: the promise behind it still runs.
        let bound2 = 0;
        for (const v of voters) if (boundNotToVote(w, v, id, term)) bound2++;
        if (bound2 < quorum) return promiseBroken(w, id, term, view, voters);
      } else if (ofTerm && s.newestTerm === term && s.newest - k < PENDING_ROUNDS && now < round.at + bound / 2) {
        // 4: the lease is used.
        return `${atNode("lease-use", id, w.now, term)}: no read lease, though a quorum acknowledged round ${k} sent at ${round.at}µs, ${now - round.at}µs ago (the lease should run ~${Math.floor(bound)}µs)`;
      }
    }
    return null;
  }

  /** The newest round seq a quorum of the voters acknowledged (the leader counts its own newest
   * round): the quorum-th largest, found in a reused buffer (no allocation per event). */
  private quorumSeq(raft: MetaServer["raft"], id: number, voters: readonly number[], quorum: number): number {
    const buf = this.seqBuf.length >= voters.length ? this.seqBuf : (this.seqBuf = new Array<number>(voters.length).fill(0));
    for (let i = 0; i < voters.length; i++) {
      const v = voters[i];
      const x = v === id ? raft.readSeq : (raft.prs[v]?.ackedSeq ?? 0);
      // Insertion into the descending prefix buf[0..i).
      let j = i;
      while (j > 0 && buf[j - 1] < x) {
        buf[j] = buf[j - 1];
        j--;
      }
      buf[j] = x;
    }
    return buf[quorum - 1];
  }
  private seqBuf: number[] = [];
}

/** Check 2: voter v is bound not to vote for another leader of the lease holder `id`'s term:
 * the holder itself, a node that is down, or one whose CheckQuorum view holds the promise at a
 * term no higher. */
function boundNotToVote(w: AnyWorld, v: number, id: number, term: number): boolean {
  if (v === id) return true;
  const o = w.nodes[v] as MetaServer | null;
  if (o === null) return true;
  return o.raft.quorumLeaseAt(w.clocks[v].local(w.now)) === true && o.raft.term() <= term;
}

/** Check 2's failure: how many voters are bound, and which are free (built only on failure). */
function promiseBroken(w: AnyWorld, id: number, term: number, view: number, voters: readonly number[]): string {
  let bound2 = 0;
  const why: string[] = [];
  for (const v of voters) {
    const o = w.nodes[v] as MetaServer | null;
    if (boundNotToVote(w, v, id, term)) bound2++;
    else if (o !== null) why.push(`node ${v} (term ${o.raft.term()}, ${o.raft.leaseView(w.clocks[v].local(w.now)).quorumLease === true ? "in" : "out of"} its lease)`);
  }
  return `${atNode("lease-promise", id, w.now, term)}: holds a read lease (${view}µs left) but only ${bound2} of ${voters.length} voters are bound not to vote for another leader; free: ${why.join(", ")}`;
}

function atNode(check: string, id: number, nowUs: number, term: number): string {
  return `${check} at node ${id}, t=${(nowUs / 1000).toFixed(3)}ms, term ${term}`;
}
