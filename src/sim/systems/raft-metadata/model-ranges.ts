// The metadata store's model with ranges: `list(prefix)` is checked against every key it
// covers. A list reads many keys at one instant, so it cannot be checked key by key (P-
// compositionality holds only for ops on one object); this model puts the lists and every op
// on a key under one of the run's listed prefixes into ONE part, whose state maps each key to
// its metadata-kv state (model.ts). Keys no listed prefix covers stay parts of their own, as
// in metadata-kv, with a one-key state.
//
// Cost: the covered keys lose P-compositionality — the search over their part explores the
// interleavings of all their ops together, so its cost grows with the ops on covered keys and
// their concurrency (clients), not with one key's. The workload keeps lists to a prefix that
// covers some keys only (swarm.ts's workload profiles: "d/" over two of four keys), so part of
// the history still splits key by key. A list whose prefix does not start with one the model was
// built for cannot be placed: it is left out and counted as unchecked, never guessed.
//
// A list's output must be exactly the present covered keys of one state, in key order, each
// with that state's value and version and a revision the state allows (which pins an unknown
// revision, as a get does). A list answered "info" or "fail" had no effect.
//
// Transactions (ops.ts TxnOp: compares on several keys, then a write or delete of each) span
// keys too: a txn names every part its keys fall in, and the checker joins those parts into one
// (Model.partition; linearizability.ts), so a txn and every op on any of its keys are searched
// together, in this model's key → state map. A txn that succeeds must find every compare true in
// one state and writes every key at one revision above all of theirs; one that fails must name
// the FIRST failing compare and that key's current revision (0 absent; -1 for a key named twice,
// which the store refuses), all compares before it holding. Taking effect with an unknown outcome
// (info): either the compares failed (no effect: the checker's "never took effect") or every
// write happened at one unknown revision, above every key's lower bound.
import type { MetaEntry, MetaResult, StoreOp, StoreResult, TxnOp, TxnResult } from "../../../impl/metadata/ops.js";
import type { Model } from "../../../check/model.js";
import { hashString } from "../../../check/hash.js";
import { ABSENT, canBe, metadataKv, metaKeyHash, type MetaKeyState } from "../../models/metadata-kv.js";
import { hideUnreadValues, storeOpInterchangeKey } from "../../models/unread-values.js";

/** Key → state, sorted by key; keys in their initial state (never written) are left out, so
 * equal states have equal representations. */
export interface MetaRangeState {
  readonly keys: readonly string[];
  readonly states: readonly MetaKeyState[];
  /** The memo's hash (Model.hash): the sum of entryHash over the keys, kept by withKey so that
   * hashing a state, which the search does at every configuration it looks up, reads a field
   * instead of hashing every key. A sum does not depend on order, so it is a function of the
   * key → state map alone, as equal() requires. */
  readonly hash: number;
}

const EMPTY: MetaRangeState = Object.freeze({ keys: Object.freeze([]), states: Object.freeze([]), hash: 0 });

function entryHash(key: string, ks: MetaKeyState): number {
  const h = Math.imul(hashString(key) ^ metaKeyHash(ks), 0x2c1b3c6d);
  return (h ^ (h >>> 15)) | 0;
}

/** The part every list and every covered key's ops go to (no key can be named this). */
export const RANGE_PART = "\u0000ranges";

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function find(s: MetaRangeState, key: string): number {
  let lo = 0;
  let hi = s.keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function stateOf(s: MetaRangeState, key: string): MetaKeyState {
  const i = find(s, key);
  return i < s.keys.length && s.keys[i] === key ? s.states[i]! : ABSENT;
}

function withKey(s: MetaRangeState, key: string, ks: MetaKeyState): MetaRangeState {
  const i = find(s, key);
  const has = i < s.keys.length && s.keys[i] === key;
  if (has && s.states[i] === ks) return s;
  const initial = metadataKv.equal(ks, ABSENT);
  if (!has && initial) return s;
  let hash = s.hash;
  if (has) hash -= entryHash(key, s.states[i]!);
  if (!initial) hash += entryHash(key, ks);
  hash |= 0;
  const states = s.states.slice();
  // A key that stays keeps the key list: states share it (equal() then skips the key compares).
  if (has && !initial) {
    states[i] = ks;
    return { keys: s.keys, states, hash };
  }
  const keys = s.keys.slice();
  if (has) {
    keys.splice(i, 1);
    states.splice(i, 1);
  } else {
    keys.splice(i, 0, key);
    states.splice(i, 0, ks);
  }
  return { keys, states, hash };
}

function stepList(s: MetaRangeState, prefix: string, items: readonly MetaEntry[]): MetaRangeState | undefined {
  let out = s;
  let prev: string | null = null;
  for (const it of items) {
    if (!it.key.startsWith(prefix) || (prev !== null && cmp(prev, it.key) >= 0)) return undefined;
    prev = it.key;
    const ks = stateOf(s, it.key);
    if (!ks.present || ks.value !== it.value || ks.version !== it.version || !canBe(ks, it.revision)) return undefined;
    if (!ks.revKnown) out = withKey(out, it.key, { ...ks, rev: it.revision, revKnown: true });
  }
  // Every present covered key must be listed.
  let listed = 0;
  for (let i = 0; i < s.keys.length; i++) {
    if (!s.keys[i]!.startsWith(prefix) || !s.states[i]!.present) continue;
    listed++;
  }
  return listed === items.length ? out : undefined;
}

/** Does compare `expected` hold on a key in state ks? (present keys: its revision can be it) */
function compareHolds(ks: MetaKeyState, expected: number | "absent"): boolean {
  return expected === "absent" ? !ks.present : ks.present && canBe(ks, expected);
}

/** The state after the txn's writes at revision `rev` (known: observed; else a lower bound). */
function applyTxnWrites(s: MetaRangeState, op: TxnOp, rev: number, revKnown: boolean): MetaRangeState {
  let out = s;
  for (const w of op.ops) {
    const ks = stateOf(s, w.key);
    const after: MetaKeyState = w.value === null ? { ...ABSENT, rev } : { present: true, value: w.value, version: ks.present ? ks.version + 1 : 1, rev, revKnown };
    out = withKey(out, w.key, after);
  }
  return out;
}

function hasDuplicateKey(op: TxnOp): boolean {
  for (let i = 1; i < op.ops.length; i++) for (let j = 0; j < i; j++) if (op.ops[j]!.key === op.ops[i]!.key) return true;
  return false;
}

/** A txn's step (see the header); output undefined: it took effect, outcome unknown. */
export function stepTxn(s: MetaRangeState, op: TxnOp, output: TxnResult | undefined): MetaRangeState | undefined {
  if (output === undefined) {
    // Took effect with an unknown outcome: only a successful txn changes anything.
    if (hasDuplicateKey(op)) return undefined;
    let floor = 0;
    for (const w of op.ops) {
      const ks = stateOf(s, w.key);
      if (!compareHolds(ks, w.expected)) return undefined;
      floor = Math.max(floor, ks.rev, w.expected === "absent" ? 0 : w.expected);
    }
    return applyTxnWrites(s, op, floor, false);
  }
  if (output.ok) {
    if (hasDuplicateKey(op)) return undefined;
    for (const w of op.ops) {
      const ks = stateOf(s, w.key);
      if (!compareHolds(ks, w.expected) || !(output.revision > ks.rev)) return undefined;
      if (w.expected !== "absent" && !(output.revision > w.expected)) return undefined;
    }
    return applyTxnWrites(s, op, output.revision, true);
  }
  // Failed at op `failed`: the ones before it held (pinning an unknown revision they compared
  // against), it did not, and nothing changed.
  const i = output.failed;
  if (!Number.isInteger(i) || i < 0 || i >= op.ops.length) return undefined;
  let out = s;
  for (let j = 0; j < i; j++) {
    const w = op.ops[j]!;
    for (let k = 0; k < j; k++) if (op.ops[k]!.key === w.key) return undefined; // would have failed there
    const ks = stateOf(s, w.key);
    if (!compareHolds(ks, w.expected)) return undefined;
    if (w.expected !== "absent" && !ks.revKnown) out = withKey(out, w.key, { ...ks, rev: w.expected, revKnown: true });
  }
  const w = op.ops[i]!;
  const c = output.currentRevision;
  for (let k = 0; k < i; k++) if (op.ops[k]!.key === w.key) return c === -1 ? out : undefined;
  const ks = stateOf(out, w.key);
  if (!ks.present) return w.expected !== "absent" && c === 0 ? out : undefined;
  if (c === w.expected || !canBe(ks, c)) return undefined;
  return ks.revKnown ? out : withKey(out, w.key, { ...ks, rev: c, revKnown: true });
}

function describeTxn(op: TxnOp): string {
  return `txn(${op.ops.map((w) => `${JSON.stringify(w.key)}@${w.expected} → ${w.value === null ? "delete" : JSON.stringify(w.value)}`).join(", ")})`;
}

/** metadata-kv with list ops checked against the keys under `prefixes`, and txns (see the
 * header). With no prefixes it is metadata-kv key by key, plus txns. */
export function metadataKvRanges(prefixes: readonly string[]): Model<MetaRangeState, StoreOp, StoreResult> {
  const ps = [...prefixes];
  const covered = (key: string) => ps.some((p) => key.startsWith(p));
  const partOf = (key: string) => (covered(key) ? RANGE_PART : key);
  return {
    name: "metadata-kv-ranges",
    failMeans: "not-executed",
    init: () => EMPTY,
    step(s, input, output, status) {
      if (input.f === "txn") {
        if (status !== "info" && output === undefined) throw new TypeError(`metadata-kv-ranges: an ${status} txn needs an output`);
        if (output !== undefined && output.f !== "txn") throw new TypeError(`metadata-kv-ranges: output ${JSON.stringify(output)} does not answer a txn`);
        return stepTxn(s, input, status === "info" ? undefined : (output as TxnResult));
      }
      if (output !== undefined && output.f === "txn") throw new TypeError(`metadata-kv-ranges: a txn result does not answer ${input.f}`);
      if (input.f === "list") {
        if (status === "info" || output === undefined) {
          if (status !== "info") throw new TypeError(`metadata-kv-ranges: an ${status} list needs an output`);
          return undefined; // a read: taking effect changes nothing
        }
        if (output.f !== "list") throw new TypeError(`metadata-kv-ranges: output ${JSON.stringify(output)} does not answer a list`);
        return stepList(s, input.prefix, output.items);
      }
      const before = stateOf(s, input.key);
      const after = metadataKv.step(before, input, output as MetaResult | undefined, status);
      return after === undefined ? undefined : withKey(s, input.key, after);
    },
    equal(a, b) {
      if (a === b) return true;
      if (a.hash !== b.hash || a.keys.length !== b.keys.length) return false;
      const sameKeys = a.keys === b.keys;
      for (let i = 0; i < a.keys.length; i++) {
        if (!sameKeys && a.keys[i] !== b.keys[i]) return false;
        const x = a.states[i]!;
        const y = b.states[i]!;
        if (x !== y && !metadataKv.equal(x, y)) return false;
      }
      return true;
    },
    hash: (s) => s.hash,
    // A list under a listed prefix covers only covered keys; any other list cannot be placed.
    partition(input) {
      if (input.f === "list") return covered(input.prefix) ? RANGE_PART : undefined;
      if (input.f !== "txn") return partOf(input.key);
      const keys: string[] = [];
      for (const w of input.ops) {
        const k = partOf(w.key);
        if (!keys.includes(k)) keys.push(k);
      }
      return keys.length === 1 ? keys[0] : keys;
    },
    // Unread values become one token, and equal indeterminate writes are taken in call order
    // (unread-values.ts).
    prepare: (ops) => hideUnreadValues(ops),
    interchangeKey: storeOpInterchangeKey,
    describeOp(input, output, status) {
      if (input.f !== "txn") return metadataKv.describeOp(input, output as MetaResult | undefined, status);
      if (status === "info" || output === undefined) return `${describeTxn(input)} → ? (indeterminate)`;
      const { f: _f, ...rest } = output as TxnResult & Record<string, unknown>;
      return `${describeTxn(input)} → ${JSON.stringify(rest)}`;
    },
    describeState(s) {
      if (s.keys.length === 0) return "{} (every key absent)";
      return `{${s.keys.map((k, i) => `${JSON.stringify(k)}: ${metadataKv.describeState(s.states[i]!)}`).join(", ")}}`;
    },
  };
}
