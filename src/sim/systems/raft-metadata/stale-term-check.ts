// stale-term-answer: how a server answers a message of a term below its own, judged on the
// answers it sends while handling that message.
//
//   - an AppendEntries, heartbeat or snapshot chunk of a lower term, with PreVote or CheckQuorum
//     on, is answered with a rejected AppendEntries response carrying the receiver's term (etcd
//     raft.go Step, issue etcd #5451: with PreVote/CheckQuorum a server with a higher term that
//     nobody will vote for could otherwise stay stuck forever, since the stale leader never learns
//     the term; Figure 2's "reply false if term < currentTerm" for AppendEntries). With both off,
//     nothing is answered (etcd the same: the stale leader learns the term from elections);
//   - a PreVote of a lower term is answered with a rejected PreVote response carrying the
//     receiver's term (etcd the same; dissertation §9.6: the precandidate learns it cannot win);
//   - a real RequestVote, a vote response or a TimeoutNow of a lower term gets neither answer
//     (Figure 2: a stale RequestVote is refused; ours, like etcd's, drops it silently).
//   Source: the paper's Figure 2 and etcd's raft (our Raft follows etcd here).
//
// Why (issue 12): raft.ts's lower-term branch of Step (run 23: 19 + 7 survivors at 312 and 316)
// changed only how soon a stale leader or precandidate learns the term, which nothing judged.
//
// Cost: one comparison per delivery of an append, heartbeat, snapshot chunk, vote request or
// response, or TimeoutNow (bound-checks.ts reads the receiver's term there), and one per answer
// sent while a stale message is being handled. Read-only: hash-neutral.

type WireMsg = { readonly type: string; readonly term: number; readonly pre?: boolean; readonly granted?: boolean; readonly success?: boolean };

/** What the stale message must get: 0 nothing, 1 a rejected AppendEntries response, 2 a rejected
 * PreVote response. */
const NONE = 0;
const APP_REJECT = 1;
const PREVOTE_REJECT = 2;
const KIND_NAME = ["no answer", "a rejected AppendEntries response", "a rejected PreVote response"];

/** Whether a message of a term below the receiver's is owed a rejected AppendEntries response:
 * an append, heartbeat or snapshot chunk, with PreVote or CheckQuorum on (`answersStaleLeader`). */
export function owesAppReject(type: string, answersStaleLeader: boolean): boolean {
  return answersStaleLeader && (type === "app" || type === "hb" || type === "snap");
}

export class StaleTermCheck {
  /** The stale message being handled (-1: none). */
  private to = -1;
  private from = -1;
  private want = NONE;
  private ownTerm = 0;
  private msgTerm = 0;
  private msgType = "";
  private answered = false;
  private pending: string | null = null;
  private at = 0;

  constructor(private readonly answersStaleLeader: boolean) {}

  /** A delivery of an append, heartbeat, snapshot chunk or vote to `to`, whose term was
   * `ownTerm` before it; judges the previous stale message first (its handling is over). */
  delivered(now: number, from: number, to: number, msg: WireMsg, ownTerm: number): void {
    if (this.to >= 0) this.finish();
    if (msg.term >= ownTerm) return;
    this.to = to;
    this.from = from;
    this.ownTerm = ownTerm;
    this.msgTerm = msg.term;
    this.msgType = msg.type;
    this.at = now;
    this.answered = false;
    const t = msg.type;
    this.want = t === "vote" ? (msg.pre === true ? PREVOTE_REJECT : NONE) : owesAppReject(t, this.answersStaleLeader) ? APP_REJECT : NONE;
  }

  /** A delivery of any other message: the stale message before it has been handled. */
  other(): void {
    if (this.to >= 0) this.finish();
  }

  /** onSend of an appResp or voteResp. */
  sent(from: number, to: number, msg: WireMsg): void {
    if (from !== this.to || to !== this.from || this.pending !== null) return;
    const kind = msg.type === "appResp" ? APP_REJECT : msg.type === "voteResp" && msg.pre === true ? PREVOTE_REJECT : -1;
    const right = kind === this.want && msg.term === this.ownTerm && (kind === APP_REJECT ? msg.success === false : msg.granted === false);
    if (right && !this.answered) this.answered = true;
    else this.pending = this.why(`it answered with a ${msg.type} (term ${msg.term}${msg.type === "appResp" ? `, success ${msg.success}` : `, pre ${msg.pre}, granted ${msg.granted}`})`);
  }

  private finish(): void {
    if (this.pending === null && this.want !== NONE && !this.answered) this.pending = this.why("it sent no answer");
    this.to = -1;
  }

  private why(what: string): string {
    return `stale-term-answer at node ${this.to}, t=${(this.at / 1000).toFixed(3)}ms: it received a ${this.msgType} of term ${this.msgTerm} from node ${this.from} in its term ${this.ownTerm}, which must get ${KIND_NAME[this.want]} carrying term ${this.ownTerm}, but ${what}`;
  }

  /** afterEvent(…) would report nothing and change nothing (a caller's gate, inlined where
   * a call is not: most events leave this check nothing to do). */
  idle(): boolean {
    return this.to < 0 && this.pending === null;
  }

  /** After every event; null: fine. */
  afterEvent(): string | null {
    if (this.to >= 0) this.finish();
    const p = this.pending;
    this.pending = null;
    return p;
  }
}
