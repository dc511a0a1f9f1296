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
import type { MetaEntry, MetaOp, MetaResult } from "../../../impl/metadata/ops.js";
import type { Model } from "../../../check/model.js";
import { hashCombine, hashString } from "../../../check/hash.js";
import { ABSENT, canBe, metadataKv, type MetaKeyState } from "../../models/metadata-kv.js";

/** Key → state, sorted by key; keys in their initial state (never written) are left out, so
 * equal states have equal representations. */
export interface MetaRangeState {
  readonly keys: readonly string[];
  readonly states: readonly MetaKeyState[];
}

const EMPTY: MetaRangeState = Object.freeze({ keys: Object.freeze([]), states: Object.freeze([]) });

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
  const keys = s.keys.slice();
  const states = s.states.slice();
  const initial = metadataKv.equal(ks, ABSENT);
  if (has && initial) {
    keys.splice(i, 1);
    states.splice(i, 1);
  } else if (has) states[i] = ks;
  else if (!initial) {
    keys.splice(i, 0, key);
    states.splice(i, 0, ks);
  } else return s;
  return { keys, states };
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

/** metadata-kv with list ops checked against the keys under `prefixes` (see the header). */
export function metadataKvRanges(prefixes: readonly string[]): Model<MetaRangeState, MetaOp, MetaResult> {
  const ps = [...prefixes];
  const covered = (key: string) => ps.some((p) => key.startsWith(p));
  return {
    name: "metadata-kv-ranges",
    failMeans: "not-executed",
    init: () => EMPTY,
    step(s, input, output, status) {
      if (input.f === "list") {
        if (status === "info" || output === undefined) {
          if (status !== "info") throw new TypeError(`metadata-kv-ranges: an ${status} list needs an output`);
          return undefined; // a read: taking effect changes nothing
        }
        if (output.f !== "list") throw new TypeError(`metadata-kv-ranges: output ${JSON.stringify(output)} does not answer a list`);
        return stepList(s, input.prefix, output.items);
      }
      const before = stateOf(s, input.key);
      const after = metadataKv.step(before, input, output, status);
      return after === undefined ? undefined : withKey(s, input.key, after);
    },
    equal(a, b) {
      if (a.keys.length !== b.keys.length) return false;
      for (let i = 0; i < a.keys.length; i++) if (a.keys[i] !== b.keys[i] || !metadataKv.equal(a.states[i]!, b.states[i]!)) return false;
      return true;
    },
    hash(s) {
      let h = s.keys.length;
      for (let i = 0; i < s.keys.length; i++) h = hashCombine(hashCombine(h, hashString(s.keys[i]!)), metadataKv.hash(s.states[i]!));
      return h;
    },
    // A list under a listed prefix covers only covered keys; any other list cannot be placed.
    partition: (input) => (input.f === "list" ? (covered(input.prefix) ? RANGE_PART : undefined) : covered(input.key) ? RANGE_PART : input.key),
    describeOp: (input, output, status) => metadataKv.describeOp(input, output, status),
    describeState(s) {
      if (s.keys.length === 0) return "{} (every key absent)";
      return `{${s.keys.map((k, i) => `${JSON.stringify(k)}: ${metadataKv.describeState(s.states[i]!)}`).join(", ")}}`;
    },
  };
}
