// Shared by the systems whose histories are metadata-store operations: raft-metadata (its
// clients) and kvrocks-controller (its controllers' engine operations).
// The metadata store's per-key model (src/impl/metadata/ops.ts and the choices store.ts
// documents). Partitioned by key; `list` spans keys, so this per-key model cannot place it:
// list ops are left out and counted as unchecked (CheckResult.unchecked). Runs that issue
// lists are checked with model-ranges.ts instead, which puts a list and every key it covers
// in one part.
// Status "fail" = definitely not executed (dropped). A failed cas arrives as status "ok"
// with {ok:false, currentRevision}.
// Revisions are Raft indices: exact when observed, otherwise only bounded below. An info
// write that took effect gives the key an unknown revision > the previous one; a later
// observation (get, cas ok, a failed cas's currentRevision) pins it. A delete's revision is
// the delete entry's index, greater than every revision the key ever had.
import type { MetaOp, MetaResult } from "../../impl/metadata/ops.js";
import type { Model } from "../../check/model.js";
import { hashString } from "../../check/hash.js";
import { hideUnreadValues, isUnreadToken, storeOpInterchangeKey } from "./unread-values.js";

export interface MetaKeyState {
  readonly present: boolean;
  readonly value: string; // "" when absent
  readonly version: number; // 0 when absent
  /** Present with revKnown: the revision. Otherwise an exclusive lower bound: the current (unknown) revision, or the next write's, is > rev. */
  readonly rev: number;
  readonly revKnown: boolean;
}

export const ABSENT: MetaKeyState = { present: false, value: "", version: 0, rev: 0, revKnown: false };

/** The revision a write after `s` must exceed. */
const floor = (s: MetaKeyState) => s.rev;

/** Can the current revision be `r`? (present keys only) */
export const canBe = (s: MetaKeyState, r: number) => (s.revKnown ? s.rev === r : r > s.rev);

function written(s: MetaKeyState, value: string, rev: number, revKnown: boolean): MetaKeyState {
  return { present: true, value, version: s.present ? s.version + 1 : 1, rev, revKnown };
}

/** The memo's hash of a key's state (Model.hash): the value's FNV-1a, then version, revision and
 * flags mixed in with one multiply each, and a murmur3 finish. The search hashes a state at
 * every configuration it looks up, so this is on the checker's hot path (hashCombine's three
 * rounds cost about as much as the rest of a step). A function of the fields equal() compares. */
export function metaKeyHash(s: MetaKeyState): number {
  let h = hashString(s.value);
  h = Math.imul(h ^ s.version, 0x9e3779b1);
  h = Math.imul(h ^ s.rev, 0x85ebca6b);
  h = h ^ ((s.present ? 2 : 0) + (s.revKnown ? 1 : 0));
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function mismatch(input: MetaOp, output: MetaResult): never {
  throw new TypeError(`metadata-kv: output ${JSON.stringify(output)} does not answer ${JSON.stringify(input)}`);
}

export const metadataKv: Model<MetaKeyState, MetaOp, MetaResult> = {
  name: "metadata-kv",
  failMeans: "not-executed",
  init: () => ABSENT,
  step(s, input, output, status) {
    if (input.f === "list") throw new TypeError("metadata-kv: list is not supported by the per-key model");
    if (status === "info" || output === undefined) {
      if (status !== "info") throw new TypeError(`metadata-kv: an ${status} ${input.f} needs an output`);
      // Took effect, output unknown. Ops that would change nothing return undefined ("never" covers them).
      switch (input.f) {
        case "get":
        case "exists":
          return undefined;
        case "put":
          return written(s, input.value, floor(s), false);
        case "delete":
          return s.present ? { ...ABSENT, rev: floor(s) } : undefined;
        case "cas": {
          if (input.expected === "absent") return s.present ? undefined : written(s, input.value, floor(s), false);
          if (!s.present || !canBe(s, input.expected)) return undefined;
          return written(s, input.value, input.expected, false); // the cas pinned the old revision; the new one is above it
        }
      }
    }
    if (output.f !== input.f) mismatch(input, output);
    switch (input.f) {
      case "get": {
        const o = output as Extract<MetaResult, { f: "get" }>;
        if (!o.found) return s.present ? undefined : s;
        if (!s.present || o.value !== s.value || o.version !== s.version || !canBe(s, o.revision)) return undefined;
        return s.revKnown ? s : { ...s, rev: o.revision, revKnown: true };
      }
      case "exists": {
        const o = output as Extract<MetaResult, { f: "exists" }>;
        return o.exists === s.present ? s : undefined;
      }
      case "put": {
        const o = output as Extract<MetaResult, { f: "put" }>;
        return o.revision > floor(s) ? written(s, input.value, o.revision, true) : undefined;
      }
      case "delete": {
        const o = output as Extract<MetaResult, { f: "delete" }>;
        if (o.deleted !== s.present || !(o.revision > floor(s))) return undefined;
        return { ...ABSENT, rev: o.revision };
      }
      case "cas": {
        const o = output as Extract<MetaResult, { f: "cas" }>;
        const e = input.expected;
        if (o.ok) {
          if (e === "absent") {
            if (s.present || !(o.revision > floor(s))) return undefined;
          } else if (!s.present || !canBe(s, e) || !(o.revision > e)) {
            return undefined;
          }
          return written(s, input.value, o.revision, true);
        }
        // Failed: nothing changed, and the reply shows the current revision (0 when absent).
        const c = o.currentRevision;
        if (!s.present) return e !== "absent" && c === 0 ? s : undefined;
        if (c === e || !canBe(s, c)) return undefined;
        return s.revKnown ? s : { ...s, rev: c, revKnown: true };
      }
    }
  },
  equal: (a, b) => a.present === b.present && a.value === b.value && a.version === b.version && a.rev === b.rev && a.revKnown === b.revKnown,
  hash: metaKeyHash,
  partition: (input) => (input.f === "list" ? undefined : input.key),
  prepare: (ops) => hideUnreadValues(ops),
  interchangeKey: storeOpInterchangeKey,
  readOnly: (input) => input.f === "get" || input.f === "exists",
  describeOp(input, output, status) {
    const call =
      input.f === "list"
        ? `list(${JSON.stringify(input.prefix)})`
        : input.f === "put"
          ? `put(${JSON.stringify(input.key)}, ${JSON.stringify(input.value)})`
          : input.f === "cas"
            ? `cas(${JSON.stringify(input.key)}, expected ${input.expected}, ${JSON.stringify(input.value)})`
            : `${input.f}(${JSON.stringify(input.key)})`;
    if (status === "info" || output === undefined) return `${call} → ? (indeterminate)`;
    const { f: _f, ...rest } = output as MetaResult & Record<string, unknown>;
    return `${call} → ${JSON.stringify(rest)}`;
  },
  describeState(s) {
    const rev = s.revKnown ? `rev ${s.rev}` : `rev > ${s.rev}`;
    const value = isUnreadToken(s.value) ? "(a value no read returned)" : JSON.stringify(s.value);
    return s.present ? `${value} (${rev}, version ${s.version})` : `absent (next rev > ${s.rev})`;
  },
};
