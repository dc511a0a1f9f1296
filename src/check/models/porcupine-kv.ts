// Porcupine's kv model: string keys, every key starts as "", get/put/append. Partitioned by
// key. Status "fail" = not executed (Porcupine's histories only have ok).
// The state carries its value's hash, extended on append, so hashing stays O(appended)
// while values grow long.
import type { Model } from "../model.js";
import { hashString } from "../hash.js";

export type KvInput = { readonly f: "get" | "put" | "append"; readonly key: string; readonly value?: string | null };
/** A get's output is the value read. */
export type KvOutput = string | null;

export interface KvState {
  readonly value: string;
  readonly hash: number; // hashString(value)
}

const EMPTY: KvState = { value: "", hash: hashString("") };

export const porcupineKv: Model<KvState, KvInput, KvOutput> = {
  name: "porcupine-kv",
  failMeans: "not-executed",
  init: () => EMPTY,
  step(state, input, output, status) {
    switch (input.f) {
      case "get":
        if (status !== "ok") return undefined; // an indeterminate get changes nothing
        return output === state.value || output === undefined ? state : undefined;
      case "put": {
        const value = input.value ?? "";
        return { value, hash: hashString(value) };
      }
      case "append": {
        const more = input.value ?? "";
        return { value: state.value + more, hash: hashString(more, state.hash) };
      }
      default:
        throw new TypeError(`porcupine-kv: unknown op ${JSON.stringify((input as { f: unknown }).f)}`);
    }
  },
  equal: (a, b) => a.hash === b.hash && a.value === b.value,
  hash: (s) => s.hash,
  partition: (input) => input.key,
  readOnly: (input) => input.f === "get",
  describeOp(input, output, status) {
    const call = input.f === "get" ? `get(${JSON.stringify(input.key)})` : `${input.f}(${JSON.stringify(input.key)}, ${JSON.stringify(input.value ?? "")})`;
    if (status === "info") return `${call} → ? (indeterminate)`;
    return input.f === "get" ? `${call} → ${JSON.stringify(output)}` : `${call} → ok`;
  },
  describeState: (s) => `value = ${JSON.stringify(s.value)}`,
};
