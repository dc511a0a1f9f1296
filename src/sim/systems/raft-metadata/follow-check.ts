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
// Cost: O(1) per delivery of an append/heartbeat/snapshot and per touched server. Read-only
// (messages and views), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";

type WireMsg = { readonly type: string; readonly term: number };

export class FollowCheck {
  /** Deliveries that oblige the receiver in the current event: to, from, term (flat). */
  private readonly owed: number[] = [];
  /** leaderOf[term]: the server seen leading that term; -1: none seen yet. */
  private leaderOf = new Int32Array(64).fill(-1);

  constructor(private readonly n: number) {}

  /** The world's onDeliver, before the receiver handles the message. */
  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if ((msg.type !== "app" && msg.type !== "hb" && msg.type !== "snap") || to >= this.n || from >= this.n) return;
    const node = w.nodes[to] as MetaServer | null;
    if (node === null || msg.term < node.raft.term()) return;
    this.owed.push(to, from, msg.term);
  }

  /** After every event: the deliveries' obligations, then the leaders named by the servers it
   * touched (World.touched). */
  afterEvent(w: AnyWorld, touched: number): string | null {
    let why: string | null = null;
    for (let k = 0; k < this.owed.length && why === null; k += 3) why = this.followed(w, this.owed[k], this.owed[k + 1], this.owed[k + 2]);
    if (this.owed.length > 0) this.owed.length = 0;
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
    if (r.role() === "follower" && r.term() === term && r.leader() === from) return null;
    return `follow-on-append at node ${to}, t=${(w.now / 1000).toFixed(3)}ms: it received a term-${term} AppendEntries/heartbeat/snapshot from node ${from} (term ${term} >= its own), but ended that step as ${r.role()} of term ${r.term()} following ${r.leader() < 0 ? "nobody" : `node ${r.leader()}`}`;
  }

  private record(w: AnyWorld, id: number): void {
    const node = w.nodes[id] as MetaServer | null;
    if (node === null || node.raft.role() !== "leader") return;
    const t = node.raft.term();
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
    this.record(w, id);
    const r = node.raft;
    const l = r.leader();
    const leading = r.role() === "leader";
    if (leading ? l === id : l !== id && (l < 0 || (r.term() < this.leaderOf.length && this.leaderOf[r.term()] === l))) return null;
    const at = `leader-known-elected at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${r.term()}`;
    if (leading) return `${at}: it leads, but names ${l < 0 ? "no leader" : `node ${l}`} as leader`;
    if (l === id) return `${at}: it is ${r.role()}, but names itself as leader`;
    const who = r.term() < this.leaderOf.length ? this.leaderOf[r.term()] : -1;
    return `${at}: it names node ${l} as leader, but ${who < 0 ? "no node was seen leading that term" : `node ${who} led that term`}`;
  }
}
