// Single-register models: read/write, optionally cas. One factory, three readings of the
// same data (they differ in the initial value, what "fail" means, and whether a nil read
// value is a wildcard), because the histories we validate against were judged that way.
import type { Status } from "../history.js";
import type { Model } from "../model.js";
import { hashPrimitive } from "../hash.js";
import { showValue, type RegisterInput, type RegisterOutput, type RegisterValue } from "./register-values.js";

export interface RegisterOptions {
  readonly name: string;
  readonly initial: RegisterValue;
  /** "not-executed": fail ops are dropped. "completed": a failed cas returned false, a failed read has an unknown result. */
  readonly failMeans: "not-executed" | "completed";
  /** Knossos: a read completing with nil matches any value. */
  readonly nilReadMatchesAny: boolean;
  readonly allowCas: boolean;
}

export function registerModel(o: RegisterOptions): Model<RegisterValue, RegisterInput, RegisterOutput> {
  // Read once: `init` reading o.initial at each check made V8 drop the optimised code of its
  // caller after every full GC ("wrong map": the options objects of the four registers share a
  // literal site but not a field representation), a fixed cost on every small check.
  const initial = o.initial;
  return {
    name: o.name,
    failMeans: o.failMeans,
    init: () => initial,
    step(state, input, output, status: Status) {
      switch (input.f) {
        case "read":
          if (status === "info") return undefined; // taking effect changes nothing: "never" covers it
          if (status === "fail") return state; // completed with an unknown result
          if (output === state) return state;
          if (o.nilReadMatchesAny && (output === null || output === undefined)) return state;
          return undefined;
        case "write":
          if (status === "fail") return state; // ("completed" models only) a write cannot return false: Jepsen's "did not happen"
          return input.value;
        case "cas": {
          if (!o.allowCas) throw new TypeError(`${o.name}: cas is not an operation of this model`);
          const [from, to] = input.value;
          const returnedFalse = status === "fail" || (status === "ok" && output === false);
          if (returnedFalse) return state !== from ? state : undefined;
          return state === from ? to : undefined; // ok: succeeded; info: took effect only if it could succeed
        }
        default:
          throw new TypeError(`${o.name}: unknown op ${JSON.stringify((input as { f: unknown }).f)}`);
      }
    },
    equal: (a, b) => a === b,
    hash: hashPrimitive,
    readOnly: (input) => input.f === "read",
    describeOp(input, output, status) {
      const call =
        input.f === "cas" ? `cas(${showValue(input.value[0])}→${showValue(input.value[1])})` : input.f === "write" ? `write(${showValue(input.value)})` : "read()";
      if (status === "info") return `${call} → ? (indeterminate)`;
      if (input.f === "read") return status === "fail" ? `${call} → ? (unknown result)` : `${call} → ${showValue(output)}`;
      if (input.f === "cas") return `${call} → ${status === "fail" || output === false ? "false" : "ok"}`;
      return `${call} → ${status}`;
    },
    describeState: (s) => `value = ${showValue(s)}`,
  };
}

/** Read/write register starting at nil; fail = not executed. */
export const register = registerModel({ name: "register", initial: null, failMeans: "not-executed", nilReadMatchesAny: false, allowCas: false });

/** CAS register starting at nil; fail = not executed; an ok cas with output false returned false. */
export const casRegister = registerModel({ name: "cas-register", initial: null, failMeans: "not-executed", nilReadMatchesAny: false, allowCas: true });

/** Porcupine's etcd reading: nil start; fail cas = returned false; fail read = unknown result. */
export const etcdCasRegister = registerModel({ name: "etcd-cas-register", initial: null, failMeans: "completed", nilReadMatchesAny: false, allowCas: true });

/** Knossos's cas-register: starts at 0; fail = not executed; a nil read value matches anything. */
export const knossosCasRegister = registerModel({ name: "knossos-cas-register", initial: 0, failMeans: "not-executed", nilReadMatchesAny: true, allowCas: true });
