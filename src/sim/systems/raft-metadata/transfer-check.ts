// Two rules of leadership transfer (Raft dissertation §3.10; §4.2.2 for a leader that removes
// itself), judged on the wire as messages are sent:
//
//   timeout-now-caught-up: a TimeoutNow goes only from the leader of its term, to a voter of the
//     leader's configuration that has acknowledged, in this term, the leader's last entry ("the
//     prior leader sends a TimeoutNow request to the target server" once the target's log is
//     caught up, §3.10 steps 1–2; "acknowledged", not "holds": a disk fault may since have taken
//     entries from the target, which no leader can know), and only while the leader is transferring to that server
//     or is leaving the configuration (§4.2.2: a removed leader hands over the same way). A
//     TimeoutNow to a server that lacks entries starts an election it cannot win (the voters
//     holding the entries refuse it) and, being forced, past every CheckQuorum/lease promise.
//   forced-vote-after-timeout-now: a RequestVote that claims to be forced (it bypasses the
//     voters' leader-stickiness and lease promise, §4.2.3) is sent in term t only by a server that
//     received a TimeoutNow of term t−1 (the term it was in when told to campaign). A forced
//     election without one is the disruption PreVote and CheckQuorum exist to prevent.
//   transfer-holds-proposals: while a leader is transferring leadership (as requested by the
//     operator, in a fault event), its log does not grow
//     (§3.10 step 1: "The prior leader stops accepting new client requests"; entries appended
//     meanwhile would keep the target behind, and the transfer would time out).
//   The first and the third are the paper's; how "forced" is carried on the wire (a flag in RequestVote, as
//   etcd's campaignTransfer context) is our Raft's form of it.
//
// Why (issue 12 part 3): raft.ts's transfer path (transferLeadership, onTick's abort) and
// step-candidate.ts's "precandidate wins → campaign forced" mutant only changed who wins an
// election, never what is committed: nothing judged them.
//
// Cost: work only on sends of TimeoutNow and forced RequestVotes (rare); one number per server.
// Read-only (messages and views), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";

type WireMsg = { readonly type: string; readonly term: number; readonly force?: boolean; readonly pre?: boolean; readonly success?: boolean; readonly index?: number; readonly next?: number };

export class TransferCheck {
  /** Per server: the terms of the TimeoutNows delivered to it (the newest few). */
  private readonly told: number[][] = [];

  /** Per server: the newest term in which it acknowledged entries, and the highest index it
   * acknowledged in that term (AppendEntries success or a finished snapshot, as it sends it). */
  private readonly ackTerm: Float64Array;
  private readonly ackIndex: Float64Array;

  /** Per server: while it transfers, the term, target and last index when first seen
   * transferring (term -1: not transferring). */
  private readonly xTerm: Float64Array;
  private readonly xTarget: Int32Array;
  private readonly xLast: Float64Array;

  constructor(private readonly n: number) {
    for (let i = 0; i < n; i++) this.told.push([]);
    this.xTerm = new Float64Array(n).fill(-1);
    this.xTarget = new Int32Array(n).fill(-1);
    this.xLast = new Float64Array(n);
    this.ackTerm = new Float64Array(n).fill(-1);
    this.ackIndex = new Float64Array(n);
  }

  onDeliver(from: number, to: number, msg: WireMsg): void {
    if (msg.type !== "timeoutNow" || to >= this.n || from >= this.n) return;
    const t = this.told[to];
    t.push(msg.term);
    if (t.length > 8) t.shift();
  }

  /** The world's onSend of an appResp or snapResp: a follower's acknowledgement. */
  acked(from: number, to: number, msg: WireMsg): void {
    if (from >= this.n || to >= this.n || !((msg.type === "appResp" && msg.success === true) || (msg.type === "snapResp" && msg.next! < 0))) return;
    if (msg.term > this.ackTerm[from]) {
      this.ackTerm[from] = msg.term;
      this.ackIndex[from] = msg.index!;
    } else if (msg.term === this.ackTerm[from] && msg.index! > this.ackIndex[from]) this.ackIndex[from] = msg.index!;
  }

  /** The world's onSend of a TimeoutNow or RequestVote (the sender's view is as it is when it sends). */
  onSend(w: AnyWorld, from: number, to: number, msg: WireMsg): string | null {
    if (from >= this.n || to >= this.n) return null;
    if (msg.type === "timeoutNow") return this.timeoutNow(w, from, to, msg.term);
    if (msg.type === "vote" && msg.force === true && !msg.pre && !this.told[from].includes(msg.term - 1)) {
      return `forced-vote-after-timeout-now at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it sent node ${to} a forced RequestVote of term ${msg.term}, but never received a TimeoutNow of term ${msg.term - 1}`;
    }
    return null;
  }

  private timeoutNow(w: AnyWorld, from: number, to: number, term: number): string | null {
    const at = `timeout-now-caught-up at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${term}`;
    const node = w.nodes[from] as MetaServer | null;
    if (node === null) return null;
    const l = node.raft;
    if (l.role() !== "leader" || l.term() !== term) return `${at}: it sent node ${to} a TimeoutNow as ${l.role()} of term ${l.term()}`;
    const voters = l.voters();
    if (!voters.includes(to)) return `${at}: it sent a TimeoutNow to node ${to}, not a voter of its configuration [${voters.join(",")}]`;
    if (l.transferTarget() !== to && voters.includes(from)) return `${at}: it sent node ${to} a TimeoutNow while ${l.transferTarget() < 0 ? "transferring to nobody" : `transferring to node ${l.transferTarget()}`} and still a voter`;
    const last = l.lastIndex();
    if (this.ackTerm[to] > term || (this.ackTerm[to] === term && this.ackIndex[to] >= last)) return null;
    const acked = this.ackTerm[to] === term ? `acknowledged only up to ${this.ackIndex[to]}` : "acknowledged nothing";
    return `${at}: it sent node ${to} a TimeoutNow, but in this term that node ${acked}, short of the leader's last entry ${last}`;
  }
  /** afterEvent(w, touched) for a server's event (touched >= 0) would judge nothing and change
   * nothing: the server was not seen transferring (a caller's gate, inlined where a call is not). */
  idle(touched: number): boolean {
    return this.xTerm[touched] < 0;
  }

  /** After every event, for a server it touched (all servers after a fault): its log must not
   * grow while it transfers. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    // A transfer starts only in a fault event (the operator's transferLeadership, faults.ts):
    // between them only the servers seen transferring are looked at.
    if (touched >= 0) return this.xTerm[touched] < 0 ? null : this.holds(w, touched);
    if (touched === TOUCHED_ALL) {
      for (let i = 0; i < this.n; i++) {
        const why = this.holds(w, i);
        if (why !== null) return why;
      }
    }
    return null;
  }

  private holds(w: AnyWorld, id: number): string | null {
    const node = w.nodes[id] as MetaServer | null;
    const to = node === null || node.raft.role() !== "leader" ? -1 : node.raft.transferTarget();
    if (to < 0) {
      this.xTerm[id] = -1;
      return null;
    }
    const l = node!.raft;
    const last = l.lastIndex();
    if (this.xTerm[id] !== l.term() || this.xTarget[id] !== to) {
      this.xTerm[id] = l.term();
      this.xTarget[id] = to;
      this.xLast[id] = last;
      return null;
    }
    if (last <= this.xLast[id]) return null;
    return `transfer-holds-proposals at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${l.term()}: while transferring leadership to node ${to} its log grew from ${this.xLast[id]} to ${last}`;
  }
}
