// What a leader sends at each heartbeat tick, judged on the wire (issue 12 part 3: the
// coalesced-heartbeat bookkeeping of replication.ts — `contacted`, `sentCommit`, the tick's loop —
// survived every check: a heartbeat sent or skipped once changes no answer, only messages and
// how soon a follower learns a commit index).
//
//   heartbeat-due: at a tick, a leader sends a heartbeat to every follower that it sent no
//     AppendEntries, snapshot chunk or heartbeat since its previous tick (§5.2: "leaders send
//     periodic heartbeats … to all followers in order to maintain their authority"), and to
//     every follower that was not yet sent the commit index it can take, min(commit, match)
//     (Figure 2: a follower learns commitIndex only from leaderCommit; without it a follower
//     holding a committed entry never applies it while the leader is idle). A ReadIndex round
//     started at the tick goes to every follower (§6.4: the leader "exchanges heartbeat messages
//     with a majority"). Without coalesceHeartbeats every tick is a heartbeat to every follower.
//   heartbeat-redundant (coalesceHeartbeats only, specific to this Raft's `fast` option): and to
//     no other — a follower sent a message since the previous tick that carried the commit index
//     it can take gets no heartbeat at this tick; the message already reset its election timer and
//     told it the commit (replication.ts, heartbeatTick: "a follower hears from the leader at
//     least every two intervals, and learns a commit index within two").
//
// "Sent since the previous tick" and "the commit it was sent" are read off the wire (onSend: an
// append carries min(leaderCommit, its last index), a heartbeat its commit field); the tick is
// the event in which a leader's heartbeat deadline moved on, the commit index and match are the
// leader's views after it (a tick changes neither); a read round started at the tick moves the
// leader's read sequence. The first tick of a term counts the sends
// since the leader was elected (its announcement); a follower whose Progress object was replaced
// since the previous tick (a member added) is judged from the next tick on.
//
// Read-only (messages and views), never draws or schedules: hash-neutral. Per event: one
// comparison per touched leader; per tick: a loop over its peers.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";

type WireMsg = { readonly type: string; readonly term: number; readonly commit?: number; readonly prevIndex?: number; readonly entries?: readonly unknown[] };

export class HeartbeatCheck {
  /** Sends (app, snap, hb) counted in order: the number of the current one. */
  private sends = 0;
  /** The send count when the current event began. */
  private eventStart = 0;
  /** Per leader * n + follower: the number, term and commit-it-can-take of the last send, and of
   * the last send before the current event (the tick's own heartbeat must not count). */
  private readonly last: Float64Array;
  private readonly lastTerm: Float64Array;
  private readonly commitSent: Float64Array;
  private readonly prev: Float64Array;
  private readonly prevTerm: Float64Array;
  private readonly prevCommitSent: Float64Array;
  /** Per leader * n + follower: a heartbeat went that way in the current event. */
  private readonly hbAt: Float64Array;
  /** Per leader * n + follower: the Progress object judged at the previous tick. */
  private readonly progressSeen: unknown[];
  /** Per node: the term it was last seen leading (-1: not), its heartbeat deadline then, and
   * the send count at the end of its previous tick (or its election). */
  private readonly ledTerm: Float64Array;
  private readonly deadline: Float64Array;
  private readonly tickMark: Float64Array;
  /** Per node: its read-round seq after the last event that touched it (a round started in an
   * event moves it). */
  private readonly readSeq: Float64Array;
  /** Per node: 1 once it sent an append, heartbeat or snapshot chunk, until seen not leading. */
  private readonly leading: Uint8Array;
  /** Per node: its term and heartbeat deadline after the last event that touched it. */
  private readonly seenTerm: Float64Array;
  private readonly seenDeadline: Float64Array;

  constructor(private readonly n: number) {
    const nn = n * n;
    this.last = new Float64Array(nn);
    this.lastTerm = new Float64Array(nn).fill(-1);
    this.commitSent = new Float64Array(nn);
    this.prev = new Float64Array(nn);
    this.prevTerm = new Float64Array(nn).fill(-1);
    this.prevCommitSent = new Float64Array(nn);
    this.hbAt = new Float64Array(nn).fill(-1);
    this.progressSeen = new Array<unknown>(nn).fill(null);
    this.ledTerm = new Float64Array(n).fill(-1);
    this.deadline = new Float64Array(n);
    this.readSeq = new Float64Array(n);
    this.tickMark = new Float64Array(n);
    this.seenTerm = new Float64Array(n).fill(-1);
    this.leading = new Uint8Array(n);
    this.seenDeadline = new Float64Array(n).fill(-1);
  }

  onSend(from: number, to: number, msg: WireMsg): void {
    const t = msg.type;
    if ((t !== "app" && t !== "hb" && t !== "snap") || from >= this.n || to >= this.n) return;
    if (this.leading[from] === 0) {
      // Not looked at since it last stopped leading (or ever): its ticks went unseen, so start
      // afresh as at an election (the first tick after is judged from the sends of this step on).
      this.leading[from] = 1;
      this.ledTerm[from] = -1;
      this.seenTerm[from] = -1;
    }
    const k = from * this.n + to;
    if (this.last[k] <= this.eventStart) {
      this.prev[k] = this.last[k];
      this.prevTerm[k] = this.lastTerm[k];
      this.prevCommitSent[k] = this.commitSent[k];
    }
    this.last[k] = ++this.sends;
    if (this.lastTerm[k] !== msg.term) {
      this.lastTerm[k] = msg.term;
      this.commitSent[k] = 0;
    }
    let known = -1;
    if (t === "hb") {
      known = msg.commit!;
      this.hbAt[k] = this.eventStart;
    } else if (t === "app") {
      const hi = msg.prevIndex! + msg.entries!.length;
      known = msg.commit! < hi ? msg.commit! : hi;
    }
    if (known > this.commitSent[k]) this.commitSent[k] = known;
  }

  /** afterEvent(w, touched) for the event of server `touched` (≥ 0) would judge nothing and
   * change nothing: not seen leading, and nothing sent in the event (a caller's gate). */
  idle(touched: number): boolean {
    return touched >= 0 && this.leading[touched] === 0 && this.eventStart === this.sends;
  }

  /** After every event, with World.touched; a violation's text, or null. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    let why: string | null = null;
    // Only a node that has sent an append, heartbeat or snapshot chunk since it last stopped
    // leading can be a leader (one elected announces itself in that step): the others' events
    // cost one array read.
    if (touched >= 0) why = this.leading[touched] === 0 ? null : this.leader(w, touched);
    else if (touched === TOUCHED_ALL) for (let i = 0; i < this.n && why === null; i++) why = this.leader(w, i);
    this.eventStart = this.sends;
    return why;
  }

  private leader(w: AnyWorld, id: number): string | null {
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) {
      this.ledTerm[id] = -1;
      this.seenTerm[id] = -1;
      this.leading[id] = 0;
      return null;
    }
    const raft = node.raft;
    // Fast path for most events: neither the term, the heartbeat deadline nor the read round
    // moved, so no tick happened and no leadership began (becoming leader sets the deadline,
    // election.ts).
    if (raft.curTerm === this.seenTerm[id] && raft.heartbeatDeadline === this.seenDeadline[id] && raft.readSeq === this.readSeq[id]) return null;
    this.seenTerm[id] = raft.curTerm;
    this.seenDeadline[id] = raft.heartbeatDeadline;
    const roundSeq = this.readSeq[id];
    this.readSeq[id] = raft.readSeq;
    if (raft.role() !== "leader") {
      this.ledTerm[id] = -1;
      this.leading[id] = 0;
      return null;
    }
    const term = raft.term();
    if (this.ledTerm[id] !== term) {
      // Elected in this event: its announcement (sent in this event) counts for the first tick.
      this.ledTerm[id] = term;
      this.deadline[id] = raft.heartbeatDeadline;
      this.tickMark[id] = this.eventStart;
      for (const p of raft.peers) if (p < this.n) this.progressSeen[id * this.n + p] = raft.prs[p];
      return null;
    }
    if (raft.heartbeatDeadline === this.deadline[id]) return null;
    this.deadline[id] = raft.heartbeatDeadline;
    // A tick happened in this event.
    const coalesce = raft.opts.coalesceHeartbeats === true;
    const round = raft.readSeq !== roundSeq;
    const mark = this.tickMark[id];
    this.tickMark[id] = this.sends;
    const commit = raft.commitIndex();
    for (const p of raft.peers) {
      if (p >= this.n) continue;
      const k = id * this.n + p;
      const pr = raft.prs[p];
      if (pr === undefined) continue;
      if (this.progressSeen[k] !== pr) {
        this.progressSeen[k] = pr;
        continue;
      }
      const inEvent = this.last[k] > this.eventStart;
      const before = inEvent ? this.prev[k] : this.last[k];
      const beforeTerm = inEvent ? this.prevTerm[k] : this.lastTerm[k];
      const sentCommit = beforeTerm === term ? (inEvent ? this.prevCommitSent[k] : this.commitSent[k]) : 0;
      const contacted = beforeTerm === term && before > mark;
      const takes = commit < pr.match ? commit : pr.match;
      const owed = !coalesce || round || !contacted || sentCommit < takes;
      const got = this.hbAt[k] === this.eventStart && inEvent;
      if (owed && !got) {
        const reason = !coalesce ? "every tick is a heartbeat to every follower" : round ? "a read round started at this tick" : !contacted ? "it was sent nothing since the previous tick" : `it was sent commit ${sentCommit} only, and can take ${takes}`;
        return `heartbeat-due at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: a heartbeat tick sent follower ${p} no heartbeat, but ${reason}`;
      }
      if (!owed && got) {
        return `heartbeat-redundant at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}: a heartbeat tick sent follower ${p} a heartbeat, but since the previous tick it was sent a message carrying commit ${sentCommit}, all it can take (coalesceHeartbeats)`;
      }
    }
    return null;
  }
}
