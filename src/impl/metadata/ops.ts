// The metadata store's client-visible operations and results. The store (src/impl/metadata)
// and the linearizability model (src/check) both follow these definitions exactly.
//
// Semantics (Kvrocks controller storage + Valkey RFC expected_revision):
// - Each key maps to {value, revision, version}. revision = Raft index of the entry that last
//   wrote the key (so revisions are >= 1 and strictly increase per key; 0 means absent).
//   version = number of writes since the key was (re)created; a delete resets it.
// - put always succeeds. delete of an absent key succeeds with deleted=false and changes
//   nothing. cas(key, expected, value) succeeds iff the key's current revision equals
//   `expected`, or the key is absent and expected === "absent"; on failure nothing changes
//   and the reply carries the current revision (0 when absent).
// - A failed cas is a completed operation with output {ok:false}: in histories it is recorded
//   with status "ok" and that output, never as "fail". Status "fail" means the request was
//   definitely not executed (e.g. rejected by a non-leader before proposing).

export type Revision = number;

export type MetaOp =
  | { readonly f: "get"; readonly key: string }
  | { readonly f: "exists"; readonly key: string }
  | { readonly f: "list"; readonly prefix: string }
  | { readonly f: "put"; readonly key: string; readonly value: string }
  | { readonly f: "delete"; readonly key: string }
  | { readonly f: "cas"; readonly key: string; readonly expected: Revision | "absent"; readonly value: string };

export interface MetaEntry {
  readonly key: string;
  readonly value: string;
  readonly revision: Revision;
  readonly version: number;
}

export type MetaResult =
  | { readonly f: "get"; readonly found: false }
  | { readonly f: "get"; readonly found: true; readonly value: string; readonly revision: Revision; readonly version: number }
  | { readonly f: "exists"; readonly exists: boolean }
  | { readonly f: "list"; readonly items: readonly MetaEntry[] }
  | { readonly f: "put"; readonly revision: Revision }
  | { readonly f: "delete"; readonly deleted: boolean; readonly revision: Revision }
  | { readonly f: "cas"; readonly ok: true; readonly revision: Revision }
  | { readonly f: "cas"; readonly ok: false; readonly currentRevision: Revision };

// Multi-op transactions (the Valkey RFC's atomic multi-op UpdateShardLog), kept OUT of MetaOp on
// purpose: MetaOp is what raft-metadata's clients send and its per-key linearizability model
// checks, and a txn touches several keys. The store and its wire types accept StoreOp (MetaOp or
// a txn); raft-metadata never sends a txn, so its behaviour and traces are unchanged.
// Semantics: every op is a compare on its key's revision (`expected`: the revision it must have,
// or "absent"); `value` null deletes the key. All compares are checked first; if all hold, every
// write is applied at the txn's log index (all keys get that one revision), else nothing changes
// and the reply names the first failing op and its key's current revision (0 when absent).
// A txn naming one key twice fails at the second occurrence (currentRevision -1): two writes at
// one index would give the key one revision for two values.

export interface TxnWrite {
  readonly key: string;
  readonly expected: Revision | "absent";
  readonly value: string | null;
}

export interface TxnOp {
  readonly f: "txn";
  readonly ops: readonly TxnWrite[];
}

export type TxnResult =
  | { readonly f: "txn"; readonly ok: true; readonly revision: Revision }
  | { readonly f: "txn"; readonly ok: false; readonly failed: number; readonly currentRevision: Revision };

/** What the store executes: a single-key operation or a txn. */
export type StoreOp = MetaOp | TxnOp;
export type StoreResult = MetaResult | TxnResult;

/** Keys an operation touches, for P-compositionality (list touches a prefix, not a key). */
export function metaOpKey(op: MetaOp): string {
  return op.f === "list" ? op.prefix : op.key;
}
