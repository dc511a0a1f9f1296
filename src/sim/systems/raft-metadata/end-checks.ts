// raft-metadata's end-of-run check: no acknowledged write is lost.
import type { InvariantChecker } from "../../../check/raft/invariants.js";
import type { MetaCommand } from "../../../impl/metadata/commands.js";
import type { StoreOp, StoreResult } from "../../../impl/metadata/ops.js";
import type { MetaOperation } from "./clients/recorder.js";

/** No acknowledged write is lost: every write a client saw succeed (a txn too) sits, committed,
 * at the revision (Raft index) it was acknowledged with. */
export function lostAcknowledgedWrite(ops: readonly MetaOperation[], inv: InvariantChecker): string | null {
  for (const op of ops) {
    if (op.status !== "ok" || op.output === undefined) continue;
    const rev = writtenRevision(op.output);
    if (rev === 0) continue;
    const e = inv.committedEntry(rev);
    const cmd = e?.data as MetaCommand<StoreOp> | null | undefined;
    if (cmd === undefined || cmd === null || !sameWrite(cmd.op, op.input)) {
      return `acknowledged ${describe(op.input)} at revision ${rev} is not the committed entry there (${cmd ? describe(cmd.op) : "none"})`;
    }
  }
  return null;
}

function writtenRevision(r: StoreResult): number {
  if (r.f === "put") return r.revision;
  if (r.f === "txn" && r.ok) return r.revision;
  if (r.f === "cas" && r.ok) return r.revision;
  if (r.f === "delete" && r.deleted) return r.revision;
  return 0;
}

function sameWrite(a: StoreOp, b: StoreOp): boolean {
  if (a.f !== b.f) return false;
  if (a.f === "txn" && b.f === "txn") {
    return a.ops.length === b.ops.length && a.ops.every((w, i) => w.key === b.ops[i]!.key && w.expected === b.ops[i]!.expected && w.value === b.ops[i]!.value);
  }
  if (a.f === "put" && b.f === "put") return a.key === b.key && a.value === b.value;
  if (a.f === "cas" && b.f === "cas") return a.key === b.key && a.value === b.value && a.expected === b.expected;
  if (a.f === "delete" && b.f === "delete") return a.key === b.key;
  return false;
}

function describe(op: StoreOp): string {
  switch (op.f) {
    case "txn":
      return `txn(${op.ops.map((w) => `${w.key}@${w.expected}=${w.value ?? "delete"}`).join(", ")})`;
    case "put":
      return `put(${op.key}, ${op.value})`;
    case "cas":
      return `cas(${op.key}, ${op.expected}, ${op.value})`;
    case "delete":
      return `delete(${op.key})`;
    case "list":
      return `list(${op.prefix})`;
    default:
      return `${op.f}(${op.key})`;
  }
}
