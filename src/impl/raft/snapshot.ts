// Snapshots (Raft §7) as they sit on disk and travel in InstallSnapshot, and the restore marker
// an operator writes when restoring a node's disk from a backup.
//
// On disk: the snapshot is written to SNAPSHOT_TMP, renamed to SNAPSHOT_FILE (atomic), and
// fsynced; the WAL is rotated first and the new segment starts with a base (hard state, the
// entries after the snapshot index, a truncation after them), so once the snapshot is durable
// every older segment can go. Recovery: load SNAPSHOT_FILE, then replay every WAL record left.
// The base's order matters: a crash keeps any prefix of it, and a prefix only rewrites entries
// the older segments already hold (identically) — it never cuts a durable one.
// What Raft does with them (taking, saving, installing, recovering): compaction.ts.
import type { NodeId } from "../node.js";

export const SNAPSHOT_FILE = "snapshot";
export const SNAPSHOT_TMP = "snapshot.tmp";
/** Written by the restore procedure (never by a node); deleted by the node when it unfences. */
export const RESTORED_FILE = "RESTORED";

/** A snapshot: the state machine at `index` in opaque chunks (chunk 0 first; the application
 * decides what a chunk holds — the metadata server puts a bounded number of store entries in
 * each), plus the last included term and the configuration at that index. Immutable. */
export interface RaftSnapshot {
  readonly kind: "raft-snapshot";
  readonly index: number;
  readonly term: number;
  readonly voters: readonly NodeId[];
  /** Learners at the snapshot index (absent: none). */
  readonly learners?: readonly NodeId[];
  readonly chunks: readonly unknown[];
}

/** The restore marker: fenceTerm is the highest term in any node's durable state when the
 * operator restored this node (see fencing.ts). */
export interface RestoreMarker {
  readonly kind: "restored";
  readonly fenceTerm: number;
}

export function asSnapshot(x: unknown): RaftSnapshot {
  const s = x as RaftSnapshot;
  if (s === null || typeof s !== "object" || s.kind !== "raft-snapshot" || !(s.index >= 0) || !(s.chunks.length >= 1)) {
    throw new Error("raft invariant: snapshot file is not a snapshot");
  }
  return s;
}

export function asRestoreMarker(x: unknown): RestoreMarker {
  const m = x as RestoreMarker;
  if (m === null || typeof m !== "object" || m.kind !== "restored" || !Number.isInteger(m.fenceTerm)) {
    throw new Error("raft invariant: restore marker is malformed");
  }
  return m;
}
