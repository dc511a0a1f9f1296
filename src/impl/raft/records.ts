// Write-ahead-log records. Replayed in order on recovery (see replayRecords in log.ts):
// - hs:       hard state; the latest one wins (term never decreases across records).
// - entries:  entries placed at their own indexes. Normally they start at lastIndex + 1; an
//             entry at an existing index overwrites it in place. Correct code does that only
//             with the same entry (a snapshot base rewriting what older segments hold) and
//             writes a truncate record before a conflicting suffix; only the planted bug
//             "append-keeps-conflicts" overwrites with a different one.
// - truncate: discard every entry with index >= from.
import type { NodeId } from "../node.js";
import type { RaftEntry } from "./api.js";

export interface HardStateRecord {
  readonly kind: "hs";
  readonly term: number;
  readonly vote: NodeId; // -1 for none
}

export interface EntriesRecord<C> {
  readonly kind: "entries";
  readonly entries: readonly RaftEntry<C>[];
}

export interface TruncateRecord {
  readonly kind: "truncate";
  readonly from: number;
}

export type RaftRecord<C> = HardStateRecord | EntriesRecord<C> | TruncateRecord;
