// recovery: a restarted node recovers exactly the log its disk held (issue 12, part 3).
//
// Rule. When a node is rebuilt from its disk (a restart after a crash, or after a backup
// restore), the harness has what the disk handed it (World.restart → Disk.recover): the
// durable named files and the WAL records that survived the crash per the loss mode, with
// corruptFrom marking a torn tail or a record failing its checksum. From that alone, and with
// the record semantics of src/impl/raft/records.ts, it computes the expected state:
//   - base: the durable snapshot file, if any: (index S, term T_S); else (0, 0);
//   - hard state: the last `hs` record among records[0, corruptFrom) (none: term 0, vote -1);
//   - entries: walking records[0, corruptFrom) in order, an `entries` record sets slot i to
//     its entry for every entry with i > S (at or below S the snapshot covers it); a
//     `truncate` record clears every slot >= max(from, S + 1);
//   - the expected log is the contiguous run of set slots S+1, S+2, ... (a correct WAL never
//     leaves a hole: records.ts, "normally they start at lastIndex + 1").
// The recovered node must then have snapshotIndex = S, snapshotTerm = T_S, term and vote equal
// to the hard state, lastIndex = S + the run's length, and at every index the very entry the
// last writer put there (same index, term and command object); its log must answer -1 for
// the term of an index outside [S, lastIndex]. Records at or after corruptFrom are what a real
// WAL reader discards (a torn or corrupt tail), so the loss modes and checksum corruption never
// make a correct node fail: the expectation is computed from the same records it read.
//
// Also, while a node runs: a snapshot it notes as taken or installed (NOTE_SNAPSHOT_TAKEN /
// NOTE_SNAPSHOT_INSTALLED, index i) is its log's base in that step (snapshotIndex() = i): what
// a later restart recovers is that base, and a log that kept the entries the snapshot covers
// (compaction skipped) no longer matches what it saved (the mutation sweep's log.ts `compact`
// survivors).
//
// What it catches: a replay that skips a truncation, drops, rewrites or reorders an entry,
// keeps an entry the snapshot covers, misplaces the snapshot base, or restores a stale term or
// vote. What it does not judge: whether the disk held the right records (durability before
// acknowledgement is the lost-acknowledged-write and invariant checks' business), or the
// application state restored from the snapshot (state-check.ts).
//
// Cost: nothing on an ordinary event; one pass over the recovered records per restart.
import type { RaftEntry } from "../../../impl/raft/api.js";
import type { RaftRecord } from "../../../impl/raft/records.js";
import { SNAPSHOT_FILE, type RaftSnapshot } from "../../../impl/raft/snapshot.js";
import type { Recovered } from "../../../impl/node.js";

/** What the check reads of a recovered node: its Raft view, and its log's term lookup. */
export interface RecoveredRaft {
  term(): number;
  votedFor(): number;
  snapshotIndex(): number;
  snapshotTerm(): number;
  lastIndex(): number;
  entry(i: number): RaftEntry<unknown> | undefined;
  readonly log?: { termAt(i: number): number };
}

export class RecoveryCheck {
  /** The first violation seen (reported by the next afterEachEvent), or null. */
  private failure: string | null = null;
  /** Scratch: the expected entry per slot S+1.. (reused across restarts). */
  private readonly slots: (RaftEntry<unknown> | undefined)[] = [];

  /** A node was just built from `recovered` (null: first boot, nothing to judge). */
  booted(id: number, recovered: Recovered<RaftRecord<unknown>> | null, raft: RecoveredRaft): void {
    if (recovered === null || this.failure !== null) return;
    const why = this.judge(recovered, raft);
    if (why !== null) this.failure = `recovery at node ${id}: ${why}`;
  }

  /** A node noted a snapshot at `index` (taken or installed): null, or why its log disagrees. */
  snapshotNoted(id: number, index: number, raft: RecoveredRaft): string | null {
    if (raft.snapshotIndex() === index) return null;
    return `snapshot at node ${id}: noted a snapshot at ${index}, but the log's base is ${raft.snapshotIndex()} (first index ${raft.snapshotIndex() + 1})`;
  }

  /** The violation to report (once), or null. */
  take(): string | null {
    return this.failure;
  }

  private judge(rec: Recovered<RaftRecord<unknown>>, raft: RecoveredRaft): string | null {
    const snap = rec.files?.get(SNAPSHOT_FILE) as RaftSnapshot | undefined;
    const base = snap === undefined ? 0 : snap.index;
    const baseTerm = snap === undefined ? 0 : snap.term;
    let term = 0;
    let vote = -1;
    const slots = this.slots;
    slots.length = 0; // slots[k] holds index base + 1 + k
    const n = Math.min(rec.corruptFrom, rec.records.length);
    for (let r = 0; r < n; r++) {
      const x = rec.records[r];
      if (x.kind === "hs") {
        term = x.term;
        vote = x.vote;
      } else if (x.kind === "entries") {
        for (const e of x.entries) {
          const k = e.index - base - 1;
          if (k < 0) continue;
          while (slots.length < k) slots.push(undefined);
          slots[k] = e;
        }
      } else {
        const k = Math.max(x.from - base - 1, 0);
        if (k < slots.length) slots.length = k;
      }
    }
    let len = 0;
    while (len < slots.length && slots[len] !== undefined) len++;
    if (len < slots.length) return `the durable WAL leaves a hole at index ${base + len + 1} (entries up to ${base + slots.length})`;

    if (raft.snapshotIndex() !== base || raft.snapshotTerm() !== baseTerm) {
      return `snapshot base (${raft.snapshotIndex()}, term ${raft.snapshotTerm()}), the durable snapshot file says (${base}, term ${baseTerm})`;
    }
    if (raft.term() !== term || raft.votedFor() !== vote) {
      return `term ${raft.term()} vote ${raft.votedFor()}, the last durable hard state says term ${term} vote ${vote}`;
    }
    const last = base + len;
    if (raft.lastIndex() !== last) return `last index ${raft.lastIndex()}, the durable WAL holds entries up to ${last} (snapshot ${base})`;
    for (let k = 0; k < len; k++) {
      const want = slots[k]!;
      const got = raft.entry(base + 1 + k);
      if (got === undefined || got.index !== want.index || got.term !== want.term || got.data !== want.data) {
        const at = base + 1 + k;
        return got === undefined ? `entry ${at} missing` : `entry ${at} is (index ${got.index}, term ${got.term}), the durable WAL's last write there is term ${want.term}${got.term === want.term ? " with another command" : ""}`;
      }
    }
    const log = raft.log;
    if (log !== undefined) {
      if (log.termAt(base) !== baseTerm) return `term at the snapshot index ${base} is ${log.termAt(base)}, not ${baseTerm}`;
      if (log.termAt(last + 1) !== -1) return `term at ${last + 1}, past the last index, is ${log.termAt(last + 1)}, not -1`;
      if (base > 0 && log.termAt(base - 1) !== -1) return `term at ${base - 1}, below the snapshot, is ${log.termAt(base - 1)}, not -1`;
    }
    slots.length = 0;
    return null;
  }
}
