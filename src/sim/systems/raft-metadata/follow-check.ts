// Two rules about whom a server follows, judged from its view after each event:
//
//   follow-on-append: a server that receives an AppendEntries, heartbeat or InstallSnapshot
//     chunk of its own term or a newer one ends that step as a follower of the sender in the
//     message's term (Raft §5.1: a server that sees a higher term becomes a follower; §5.2: "If
//     the AppendEntries RPC is from a leader whose term is at least as large as the candidate's
//     current term, then the candidate recognizes the leader as legitimate and returns to
//     follower state"; Figure 2, Candidates: "If AppendEntries RPC received from new leader:
//     convert to follower"). Only that leader sends such messages in that term (Election
//     Safety), so the sender is the term's leader. Our Raft's exception, none: a lease-mode
//     follower ignores only higher-term responses, never these.
//   leader-known-elected: the leader a server names for its term (RaftView.leader) was elected
//     in that term: it was seen leading that term, and a leader names itself and nobody else
//     does while it leads (etcd's r.lead; a node that names a leader never elected sends its
//     clients and forwarded proposals nowhere useful, and in lease mode rests its promise on it).
//     Our own protocol obligation, shared with etcd: the paper keeps no leader field.
//
// Why (issue 12 part 3): step-candidate.ts's survivors were a candidate that ignores its term's
// leader (it campaigns again at its timeout: only timing, so liveness never saw it), and a
// candidate or removed leader that names node 1 (`-1` → `+1`) as leader.
//
// Cost: O(1) per delivery of an append/heartbeat/snapshot; per touched server, four view reads
// (judged only when they changed). Read-only
// (messages and views), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";

export class FollowCheck {
  /** The delivery that may oblige its receiver in the current event (owedTo -1: none). */
  private owedTo = -1;
  private owedFrom = -1;
  private owedTerm = 0;
  /** leaderOf[term]: the server seen leading that term; -1: none seen yet. */
  private leaderOf = new Int32Array(64).fill(-1);

  /** Per server: what named() last judged (its view, leader, term, whether it led). */
  private readonly seenRaft: (MetaServer["raft"] | null)[];
  private readonly seenLeader: Int32Array;
  private readonly seenTerm: Float64Array;
  private readonly seenLeading: boolean[];

  constructor(private readonly n: number) {
    this.seenRaft = new Array(n).fill(null);
    this.seenLeader = new Int32Array(n).fill(-2);
    this.seenTerm = new Float64Array(n).fill(-1);
    this.seenLeading = new Array(n).fill(false);
  }

  /** The world's onDeliver of an append, heartbeat or snapshot chunk of `term` (one per event).
   * Whether it obliges the receiver (its term was not above `term`) is decided after the step:
   * a receiver whose term is then above `term` was above it before (handling a message of
   * `term` never raises a term past it); one at or below it was not. */
  delivered(from: number, to: number, term: number): void {
    if (to >= this.n || from >= this.n) return;
    this.owedTo = to;
    this.owedFrom = from;
    this.owedTerm = term;
  }

  /** After every event: the deliveries' obligations, then the leaders named by the servers it
   * touched (World.touched). */
  afterEvent(w: AnyWorld, touched: number): string | null {
    let why: string | null = null;
    if (this.owedTo >= 0) {
      why = this.followed(w, this.owedTo, this.owedFrom, this.owedTerm);
      this.owedTo = -1;
    }
    if (why !== null || touched === TOUCHED_NONE) return why;
    if (touched !== TOUCHED_ALL) return this.named(w, touched);
    // A fault: record every leader before judging anyone's.
    for (let i = 0; i < this.n; i++) this.record(w, i);
    for (let i = 0; i < this.n && why === null; i++) why = this.named(w, i);
    return why;
  }

  private followed(w: AnyWorld, to: number, from: number, term: number): string | null {
    const node = w.nodes[to] as MetaServer | null;
    if (node === null) return null;
    const r = node.raft;
    if (r.term() > term || (r.role() === "follower" && r.term() === term && r.leader() === from)) return null;
    return `follow-on-append at node ${to}, t=${(w.now / 1000).toFixed(3)}ms: it received a term-${term} AppendEntries/heartbeat/snapshot from node ${from} (term ${term} >= its own), but ended that step as ${r.role()} of term ${r.term()} following ${r.leader() < 0 ? "nobody" : `node ${r.leader()}`}`;
  }

  private record(w: AnyWorld, id: number): void {
    const node = w.nodes[id] as MetaServer | null;
    if (node !== null && node.raft.role() === "leader") this.led(id, node.raft.term());
  }

  private led(id: number, t: number): void {
    if (t >= this.leaderOf.length) {
      let len = this.leaderOf.length;
      while (len <= t) len *= 2;
      const grown = new Int32Array(len).fill(-1);
      grown.set(this.leaderOf);
      this.leaderOf = grown;
    }
    if (this.leaderOf[t] < 0) this.leaderOf[t] = id; // a second leader of t is election-safety's
  }

  private named(w: AnyWorld, id: number): string | null {
    const node = w.nodes[id] as MetaServer | null;
    if (node === null) return null;
    const r = node.raft;
    const l = r.leader();
    const t = r.term();
    const leading = r.role() === "leader";
    // Judged again only when what it names, its term or whether it leads changed (most events
    // change none of them).
    if (r === this.seenRaft[id] && l === this.seenLeader[id] && t === this.seenTerm[id] && leading === this.seenLeading[id]) return null;
    this.seenRaft[id] = r;
    this.seenLeader[id] = l;
    this.seenTerm[id] = t;
    this.seenLeading[id] = leading;
    if (leading) this.led(id, t);
    if (leading ? l === id : l !== id && (l < 0 || (r.term() < this.leaderOf.length && this.leaderOf[r.term()] === l))) return null;
    const at = `leader-known-elected at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${r.term()}`;
    if (leading) return `${at}: it leads, but names ${l < 0 ? "no leader" : `node ${l}`} as leader`;
    if (l === id) return `${at}: it is ${r.role()}, but names itself as leader`;
    const who = r.term() < this.leaderOf.length ? this.leaderOf[r.term()] : -1;
    return `${at}: it names node ${l} as leader, but ${who < 0 ? "no node was seen leading that term" : `node ${who} led that term`}`;
  }
}
