// The checks of a follower's side of replication and of compaction (snapshot-due-check.ts), wired
// to the world's hooks as one, so that system.ts registers them in one place. Each throws nothing
// itself: a violation comes back as a message, which system.ts turns into a CheckFailure.
// Read-only: hash-neutral.
import { RaftNote } from "../../../impl/raft/api.js";
import type { AnyWorld } from "../../runner/system.js";
import { SnapshotDueCheck } from "./snapshot-due-check.js";

export class FollowerChecks {
  private readonly snapshotDue: SnapshotDueCheck;

  constructor(n: number) {
    this.snapshotDue = new SnapshotDueCheck(n);
  }

  /** The world's onNote (role notes excepted: system.ts hands those to the bound checks). */
  noted(id: number, kind: number): void {
    // A commit moves the applied index (in the same event); a snapshot (custom notes: taken,
    // installed, and the rarer configuration notes, harmless here) moves the snapshot index.
    if (kind === RaftNote.commit || kind === RaftNote.custom) this.snapshotDue.noted(id);
  }

  /** After every event but a client's (World.touched); null: fine. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    return this.snapshotDue.afterEvent(w, touched);
  }
}
