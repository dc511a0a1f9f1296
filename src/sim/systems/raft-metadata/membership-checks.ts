// The membership checks (issue 12's confchange.ts survivors): membership-request-answered
// (conf-request-check.ts), promote-caught-up (promote-check.ts) and removed-server-learns
// (removal-check.ts), over what leaders learn from acknowledgements (leader-acks.ts), wired to the
// world's hooks as one so that system.ts registers them with one line per hook. Built only for a
// run with membership (a run without one has no learners, no removals and no requests). A
// violation comes back as a message, which system.ts turns into a CheckFailure. Read-only
// (messages, notes, views): hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { RaftNote, RoleCode } from "../../../impl/raft/api.js";
import { NOTE_CONFIG, NOTE_STEP_DOWN_REMOVED } from "../../../impl/raft/state.js";
import type { AnyWorld } from "../../runner/system.js";
import { ConfRequestCheck } from "./conf-request-check.js";
import { LeaderAcks } from "./leader-acks.js";
import { PromoteCheck } from "./promote-check.js";
import { RemovalCheck } from "./removal-check.js";

const LEADER: number = RoleCode.leader;
const CUSTOM: number = RaftNote.custom;
const ROLE: number = RaftNote.role;

type Ack = { readonly type: string; readonly term: number; readonly success?: boolean; readonly index?: number; readonly next?: number; readonly fenced?: boolean; readonly status?: string };

export class MembershipChecks {
  /** The operator's requests go through here (operator.ts). */
  readonly requests: ConfRequestCheck;
  private readonly acks: LeaderAcks;
  private readonly promote: PromoteCheck;
  private readonly removal: RemovalCheck;
  private pending: string | null = null;
  /** Per server: the highest configuration index it noted while leading term notedTerm. */
  private readonly notedIdx: Float64Array;
  private readonly notedTerm: Int32Array;

  constructor(private readonly n: number, promoteLag: number) {
    this.notedIdx = new Float64Array(n);
    this.notedTerm = new Int32Array(n).fill(-1);
    this.requests = new ConfRequestCheck(n);
    this.acks = new LeaderAcks(n);
    this.promote = new PromoteCheck(this.acks, promoteLag);
    this.removal = new RemovalCheck(n, this.acks);
  }

  /** Delivery of an appResp, snapResp or hbResp to `to` (before it handles it). */
  deliveredAck(w: AnyWorld, from: number, to: number, msg: Ack): void {
    if (from >= this.n) return;
    const s = w.nodes[to] as MetaServer;
    const r = s.raft;
    if (msg.term !== r.term() || r.role() !== "leader") return;
    const fenced = msg.fenced === true;
    if (msg.type === "appResp") {
      const index = msg.index!;
      const hi = this.acks.hi(to, from, msg.term);
      this.acks.append(to, from, msg.term, msg.success === true, index, fenced);
      if (msg.success === true) this.promote.ackDelivered(w, from, to, msg.term, index, fenced, hi);
    } else if (msg.type === "snapResp") this.acks.snapshot(to, from, msg.term, msg.next! < 0, msg.index!, fenced);
    else this.acks.fencedFlag(to, from, msg.term, fenced);
  }

  /** Delivery of a join request. */
  deliveredJoin(w: AnyWorld, from: number, to: number): void {
    this.requests.joinDelivered(w, from, to);
  }

  /** onSend of a joinResp. */
  sentJoinResp(w: AnyWorld, from: number, to: number, msg: Ack): void {
    this.requests.joinAnswered(w, from, to, msg.status ?? "");
  }

  /** onSend of an append, snapshot chunk or heartbeat. */
  sentReplication(w: AnyWorld, from: number, to: number, heartbeat: boolean): void {
    this.removal.sentReplication(w, from, to, heartbeat);
  }

  /** onSend of a TimeoutNow. */
  sentTimeoutNow(from: number): void {
    this.removal.sentTimeoutNow(from);
  }

  /** Every note (only role and configuration notes concern these checks). */
  noted(w: AnyWorld, id: number, kind: number, a: number): void {
    if (kind === ROLE) {
      if (a === LEADER) this.removal.becameLeader(w, id);
      return;
    }
    if (kind !== CUSTOM) return;
    if (a === NOTE_CONFIG) {
      const s = w.nodes[id] as MetaServer | null;
      if (s === null) return; // a node being rebuilt from its disk notes its configuration before it is in the world
      const r = s.raft;
      // A leader's own new entry: its last entry, of its term, at a configuration index above
      // any it noted in its term (a second note of the same entry, or of an earlier leader's
      // entry when it takes office, says nothing new).
      const ci = r.configIndex();
      const own = r.role() === "leader" && ci === r.lastIndex() && r.entry(ci)?.term === r.term() && (this.notedTerm[id] !== r.term() || ci > this.notedIdx[id]);
      if (r.role() === "leader") {
        this.notedTerm[id] = r.term();
        if (ci > this.notedIdx[id] || own) this.notedIdx[id] = ci;
      }
      this.removal.configNoted(w, id, own);
      if (own && !this.requests.operatorAsking && this.pending === null) this.pending = this.promote.configNoted(w, id);
    } else if (a === NOTE_STEP_DOWN_REMOVED) this.removal.steppingDown(w, id);
  }

  /** After every event; null: fine. */
  afterEvent(w: AnyWorld): string | null {
    const p = this.pending;
    this.pending = null;
    const asked = this.requests.take();
    const promoted = this.promote.afterEvent(w);
    const removed = this.removal.afterEvent(w);
    return p ?? asked ?? promoted ?? removed;
  }
}
