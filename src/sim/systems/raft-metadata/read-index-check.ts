// ReadIndex, judged on the wire where it is visible: a follower read (a follower asks the leader
// for a read index, readReq → readResp; dissertation §6.4: "followers could ... request the
// current readIndex from the leader") is answered with an index only if
//
//   read-index-covers-commits: the index is at least every index any server knew committed when
//     the request reached the leader (§6.4 step 1: the leader's commit index, once it has
//     committed an entry of its term, covers every committed entry; serving state older than a
//     write acknowledged before the read began is a stale read);
//   read-index-quorum-round: in read-index mode, a quorum of the leader's voters (itself
//     included) acknowledged, in the leader's term, a heartbeat the leader first sent at or after
//     the request arrived (§6.4 step 3: "issues a new round of heartbeats and waits for their
//     acknowledgments from a majority of the cluster"; an acknowledgement of a round sent before
//     the read says nothing about a newer leader elected since). A fenced server's
//     acknowledgement does not count (fencing.ts: it confirms no round). Lease mode answers
//     without a round while its lease holds; the lease checks judge that, this rule skips it.
//   Both are the paper's; the heartbeat sequence numbers that tie an acknowledgement to its round
//   are our wire format (etcd carries the read's context in its heartbeats the same way).
//
// Client reads served at the leader take the same code path (read-only.ts: registerRead,
// processReads) but are answered outside the server-to-server wire, where the world's hooks do
// not see them; linearizability judges those. This check needs the follower-read seeds (a third
// of the swarm).
//
// Why (issue 12 part 3, run 25): read-only.ts's survivors — a read released before its round is
// confirmed, a read riding an older round, the wrong index released — were judged only through
// linearizability, which needs a newer leader's write to race the stale read.
//
// Cost: work on readReq / readResp / heartbeat sends and heartbeat answers only; O(servers) per
// readReq and readResp. Read-only (messages and views), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

type WireMsg = { readonly type: string; readonly term: number; readonly seq?: number; readonly fenced?: boolean; readonly ctx?: number; readonly index?: number };

/** What one leader's term looks like on the wire. */
interface LeaderRound {
  term: number;
  /** Heartbeat seqs in first-send order, with the event each was first sent in. */
  seqs: number[];
  sentIn: number[];
  /** Per server: the highest seq it acknowledged to this leader in `term` (-1: none). */
  acked: Float64Array;
  /** Read requests that reached this leader: follower * 2^32 + ctx → arrival event, commits then. */
  arrivals: Map<number, { readonly event: number; readonly committed: number }>;
}

export class ReadIndexCheck {
  private readonly rounds: LeaderRound[] = [];
  private event = 1;
  private pending: string | null = null;

  constructor(private readonly n: number) {
    for (let i = 0; i < n; i++) this.rounds.push({ term: -1, seqs: [], sentIn: [], acked: new Float64Array(n).fill(-1), arrivals: new Map() });
  }

  /** The round bookkeeping of server `id` for `term` (a new term starts afresh). */
  private round(id: number, term: number): LeaderRound {
    const r = this.rounds[id];
    if (r.term !== term) {
      r.term = term;
      r.seqs.length = 0;
      r.sentIn.length = 0;
      r.acked.fill(-1);
      r.arrivals.clear();
    }
    return r;
  }

  onSend(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (from >= this.n || to >= this.n) return;
    if (msg.type === "hb") {
      const r = this.round(from, msg.term);
      const k = r.seqs.length;
      if (k === 0 || msg.seq! > r.seqs[k - 1]) {
        r.seqs.push(msg.seq!);
        r.sentIn.push(this.event);
      }
    } else if (msg.type === "readResp" && msg.index! >= 0 && this.pending === null) {
      this.pending = this.answered(w, from, to, msg.ctx!, msg.index!);
    }
  }

  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (from >= this.n || to >= this.n) return;
    if (msg.type === "hbResp") {
      const node = w.nodes[to] as MetaServer | null;
      if (node === null || node.raft.term() !== msg.term || msg.fenced === true) return;
      const r = this.round(to, msg.term);
      if (msg.seq! > r.acked[from]) r.acked[from] = msg.seq!;
    } else if (msg.type === "readReq") {
      const node = w.nodes[to] as MetaServer | null;
      if (node === null || node.raft.role() !== "leader") return;
      let committed = 0;
      for (let i = 0; i < this.n; i++) {
        const v = w.nodes[i] as MetaServer | null;
        if (v !== null && v.raft.commitIndex() > committed) committed = v.raft.commitIndex();
      }
      const key = from * 2 ** 32 + msg.ctx!;
      const arr = this.round(to, node.raft.term()).arrivals;
      if (!arr.has(key)) arr.set(key, { event: this.event, committed });
    }
  }

  /** After every event: a violation seen on a send, if any. */
  afterEvent(): string | null {
    this.event++;
    const v = this.pending;
    this.pending = null;
    return v;
  }

  private answered(w: AnyWorld, leader: number, follower: number, ctx: number, index: number): string | null {
    const node = w.nodes[leader] as MetaServer | null;
    if (node === null) return null;
    const raft = node.raft;
    const r = this.rounds[leader];
    const key = follower * 2 ** 32 + ctx;
    const arrival = r.term === raft.term() ? r.arrivals.get(key) : undefined;
    if (arrival === undefined) return null; // registered in an earlier term, or never seen arriving as leader
    r.arrivals.delete(key);
    // The message head is built only on failure (this runs for every read answered).
    if (index < arrival.committed) return `read-index-covers-commits ${at(leader, w.now, raft.term())}: it answered follower ${follower}'s read with index ${index}, but index ${arrival.committed} was already committed when the request arrived`;
    if (raft.opts.readMode === "lease") return null;
    // The first heartbeat sent at or after the arrival: acknowledgements of it or later count.
    let need = -1;
    for (let k = 0; k < r.seqs.length; k++) {
      if (r.sentIn[k] >= arrival.event) {
        need = r.seqs[k];
        break;
      }
    }
    const voters = raft.voters();
    let acks = 0;
    for (const p of voters) if (p === leader || (need >= 0 && p < this.n && r.acked[p] >= need)) acks++;
    if (acks >= Math.floor(voters.length / 2) + 1) return null;
    return `read-index-quorum-round ${at(leader, w.now, raft.term())}: it answered follower ${follower}'s read with index ${index}, but only ${acks} of its ${voters.length} voters (itself included) acknowledged a heartbeat sent after the request arrived${need < 0 ? " (none was sent)" : ` (seq ${need} or later)`}`;
  }
}

function at(id: number, nowUs: number, term: number): string {
  return `at node ${id}, t=${(nowUs / 1000).toFixed(3)}ms, term ${term}`;
}
