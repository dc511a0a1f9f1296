// raft-metadata's end-of-run check: no acknowledged write is lost.
import type { InvariantChecker } from "../../../check/raft/invariants.js";
import type { MetaCommand } from "../../../impl/metadata/commands.js";
import type { MetaOp, MetaResult } from "../../../impl/metadata/ops.js";
import type { MetaOperation } from "./clients/recorder.js";

/** No acknowledged write is lost: every write a client saw succeed sits, committed, at the
 * revision (Raft index) it was acknowledged with. */
export function lostAcknowledgedWrite(ops: readonly MetaOperation[], inv: InvariantChecker): string | null {
  for (const op of ops) {
    if (op.status !== "ok" || op.output === undefined) continue;
    const rev = writtenRevision(op.output);
    if (rev === 0) continue;
    const e = inv.committedEntry(rev);
    const cmd = e?.data as MetaCommand | null | undefined;
    if (cmd === undefined || cmd === null || !sameWrite(cmd.op, op.input)) {
      return `acknowledged ${describe(op.input)} at revision ${rev} is not the committed entry there (${cmd ? describe(cmd.op) : "none"})`;
    }
  }
  return null;
}

function writtenRevision(r: MetaResult): number {
  if (r.f === "put") return r.revision;
  if (r.f === "cas" && r.ok) return r.revision;
  if (r.f === "delete" && r.deleted) return r.revision;
  return 0;
}

function sameWrite(a: MetaOp, b: MetaOp): boolean {
  if (a.f !== b.f) return false;
  if (a.f === "put" && b.f === "put") return a.key === b.key && a.value === b.value;
  if (a.f === "cas" && b.f === "cas") return a.key === b.key && a.value === b.value && a.expected === b.expected;
  if (a.f === "delete" && b.f === "delete") return a.key === b.key;
  return false;
}

function describe(op: MetaOp): string {
  switch (op.f) {
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
