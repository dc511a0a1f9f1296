// The checks of a follower's side of replication and of compaction (append-answer-check.ts,
// snapshot-answer-check.ts, snapshot-due-check.ts), wired
// to the world's hooks as one, so that system.ts registers them in one place. Each throws nothing
// itself: a violation comes back as a message, which system.ts turns into a CheckFailure.
// Read-only: hash-neutral.
import { RaftNote } from "../../../impl/raft/api.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL } from "../../kernel/world.js";
import { AppendAnswerCheck } from "./append-answer-check.js";
import { snapshotAnswerFault } from "./snapshot-answer-check.js";
import { SnapshotDueCheck } from "./snapshot-due-check.js";

type WireMsg = { readonly type: string; readonly term: number; readonly commit: number; readonly prevIndex?: number; readonly prevTerm?: number; readonly entries?: readonly { readonly index: number; readonly term: number }[] };
type AnswerMsg = { readonly type: string; readonly term: number; readonly success: boolean; readonly index: number; readonly hintIndex: number; readonly hintTerm: number };

export class FollowerChecks {
  private readonly snapshotDue: SnapshotDueCheck;
  private readonly answers: AppendAnswerCheck;
  /** A violation seen on a send, reported after the event. */
  private pending: string | null = null;

  constructor(n: number) {
    this.snapshotDue = new SnapshotDueCheck(n);
    this.answers = new AppendAnswerCheck(n);
  }

  /** The world's onNote (role notes excepted: system.ts hands those to the bound checks). */
  noted(id: number, kind: number, a: number): void {
    // A commit moves the applied index (in the same event); a snapshot (custom notes: taken,
    // installed, and the rarer configuration notes, harmless here) moves the snapshot index.
    if (kind === RaftNote.commit) {
      this.answers.committed(id, a);
      this.snapshotDue.committed(id, a);
    }
    else if (kind === RaftNote.custom) this.snapshotDue.noted(id);
  }

  /** onDeliver of an append or a heartbeat. */
  delivered(from: number, to: number, msg: WireMsg): void {
    this.answers.delivered(from, to, msg);
  }

  /** onSend of an appResp. */
  sentAnswer(w: AnyWorld, from: number, to: number, msg: AnswerMsg): void {
    this.answers.sentAnswer(w, from, to, msg);
  }

  /** onSend of a snapResp. */
  sentSnapshotAnswer(w: AnyWorld, from: number, msg: { readonly type: string; readonly term: number; readonly index: number; readonly next: number }): void {
    if (this.pending === null) this.pending = snapshotAnswerFault(w, from, msg);
  }

  /** afterEvent(w, touched) for the event of server `touched` (≥ 0) would report nothing and
   * change nothing (a caller's gate: both parts' own gates closed, nothing pending). */
  idle(touched: number): boolean {
    return touched >= 0 && this.pending === null && this.answers.idle() && this.snapshotDue.idle(touched);
  }

  /** After every event but a client's (World.touched); null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    const sent = this.pending;
    this.pending = null;
    if (touched === TOUCHED_ALL) this.answers.resync(w);
    if (sent !== null) return sent;
    // Each check only when its own gate says it may judge something (most events: neither).
    if (!this.answers.idle()) {
      const why = this.answers.afterEvent(w, touched);
      if (why !== null) return why;
    }
    return this.snapshotDue.idle(touched) ? null : this.snapshotDue.afterEvent(w, touched);
  }
}
