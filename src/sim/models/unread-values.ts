// Symmetry for the metadata models' checks (Model.prepare and Model.interchangeKey): histories
// with many indeterminate writes (a client whose request timed out through a partition, a crash or
// a pause: every-fault seeds have a dozen) made the search explore every subset and order of
// those writes. Most write a value no read ever returns, so the value cannot matter: only that the
// write happened (the key's version and revision move), and where.
//
// - hideUnreadValues replaces each written value that no output in the history shows (no get,
//   no list item) by one token that is no value of the history. The models compare a state's
//   value only with a value in an output (a get's, a list item's); an unread value and the token
//   both differ from every such value, so every step succeeds or fails as before, and states
//   that differ only in unread values (which no op can tell apart) become equal for the memo.
// - storeOpInterchangeKey names an info op by its whole (rewritten) input: two info ops with
//   equal inputs take effect identically from any state, so the search may take them in call
//   order only (partition-search.ts). Six timed-out puts of six unread values to one key are then
//   one op repeated: 7 linearized sets to explore instead of 64.
//
// Swarm every-fault seed 2359 (38 ops, 15 indeterminate writes over keys a and b joined by a txn)
// ran the search out of its memory budget (2 M configurations) before; see the tests.
import type { Operation } from "../../check/history.js";
import type { StoreOp, StoreResult } from "../../impl/metadata/ops.js";

/** The prefix of the token an unread value becomes (describeState shows it as such). */
export const UNREAD_PREFIX = "\u0000unread";

/** True for the token hideUnreadValues put in place of an unread value. */
export function isUnreadToken(value: string): boolean {
  return value.startsWith(UNREAD_PREFIX);
}

/**
 * The history with every written value that no output shows replaced by one token (the same
 * array when there is none). Same ops, order, statuses, times and outputs; only inputs change.
 */
export function hideUnreadValues<I extends StoreOp, O>(ops: readonly Operation<I, O>[]): readonly Operation<I, O>[] {
  const read = new Set<string>();
  const written = new Set<string>();
  for (const op of ops) {
    const out = op.output as StoreResult | undefined;
    if (out !== undefined && out !== null) {
      if (out.f === "get" && out.found) read.add(out.value);
      else if (out.f === "list") for (const it of out.items) read.add(it.value);
    }
    const input = op.input;
    if (input.f === "put" || input.f === "cas") written.add(input.value);
    else if (input.f === "txn") for (const w of input.ops) if (w.value !== null) written.add(w.value);
  }
  let anyUnread = false;
  for (const v of written) if (!read.has(v)) { anyUnread = true; break; }
  if (!anyUnread) return ops;
  // A token that is no value of the history (read or written), so no output can equal it.
  let token = UNREAD_PREFIX;
  while (read.has(token) || written.has(token)) token += "\u0000";
  const hide = (v: string): string => (read.has(v) ? v : token);
  return ops.map((op) => {
    const input = op.input;
    let next: StoreOp;
    if (input.f === "put" || input.f === "cas") {
      if (read.has(input.value)) return op;
      next = { ...input, value: token };
    } else if (input.f === "txn") {
      if (input.ops.every((w) => w.value === null || read.has(w.value))) return op;
      next = { f: "txn", ops: input.ops.map((w) => (w.value === null ? w : { ...w, value: hide(w.value) })) };
    } else return op;
    return { ...op, input: next as I };
  });
}

/** Model.interchangeKey for store ops: the input itself, as a string (writes only; reads are
 * left out of the search when info, and never interchangeable otherwise). */
export function storeOpInterchangeKey(input: StoreOp): string | undefined {
  // JSON of an array: unambiguous whatever the keys and values hold (1 and "1" differ too).
  switch (input.f) {
    case "put":
      return JSON.stringify(["put", input.key, input.value]);
    case "delete":
      return JSON.stringify(["delete", input.key]);
    case "cas":
      return JSON.stringify(["cas", input.key, input.expected, input.value]);
    case "txn":
      return JSON.stringify(["txn", input.ops.map((w) => [w.key, w.expected, w.value])]);
    default:
      return undefined;
  }
}
