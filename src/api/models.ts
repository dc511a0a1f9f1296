// User models for the linearizability checker, in Porcupine's shape (init, step, equal,
// partition, describeOperation, describeState), turned into raftsim's Model; and check(), which
// judges a history against a model and returns what `raftsim check --json` prints.
import { checkOperations, type CheckOptions } from "../check/linearizability.js";
import { eventsToOperations, type Event, type Operation, type Status } from "../check/history.js";
import type { AnyModel, Model } from "../check/model.js";
import { fnv1a } from "../util/hash.js";
import { getModel, modelNames } from "./check.js";
import { checkSummary, type CheckSummary } from "./summary.js";

/** A model as Porcupine writes one (github.com/anishathalye/porcupine, `Model`). */
export interface PorcupineModel<S, I = unknown, O = unknown> {
  /** The name the checker reports (and addModel registers). Default "user-model". */
  readonly name?: string;
  init(): S;
  /** Porcupine's Step: whether `output` is possible for `input` from `state`, and the next
   * state. Operations whose outcome is unknown (status "info") arrive with output undefined:
   * say whether the operation could have taken effect. Never mutate `state`. */
  step(state: S, input: I, output: O | undefined): readonly [boolean, S];
  /** Default: equal JSON. */
  equal?(a: S, b: S): boolean;
  /** Porcupine's Partition, as the key of one operation: operations with different keys are
   * checked independently (a key-value store: the key). Default: one partition. */
  partition?(input: I): string;
  describeOperation?(input: I, output: O | undefined): string;
  describeState?(state: S): string;
}

/** raftsim's Model from a Porcupine-shaped one. */
export function defineModel<S, I = unknown, O = unknown>(p: PorcupineModel<S, I, O>): Model<S, I, O> {
  const json = (x: unknown): string => JSON.stringify(x) ?? "undefined";
  const partition = p.partition;
  return {
    name: p.name ?? "user-model",
    failMeans: "not-executed",
    init: () => p.init(),
    step(state: S, input: I, output: O | undefined, status: Status): S | undefined {
      const [ok, next] = p.step(state, input, status === "info" ? undefined : output);
      return ok ? next : undefined;
    },
    equal: p.equal !== undefined ? (a, b) => p.equal!(a, b) : (a, b) => json(a) === json(b),
    hash: (s) => fnv1a(json(s)) | 0,
    ...(partition !== undefined ? { partition: (input: I) => partition(input) } : {}),
    describeOp: (input, output, status) =>
      p.describeOperation !== undefined ? p.describeOperation(input, output) : `${json(input)} → ${status === "info" ? "?" : json(output)}`,
    describeState: (s) => (p.describeState !== undefined ? p.describeState(s) : json(s)),
  };
}

/** A Porcupine operation: one completed call (times in any unit; only order matters). */
export interface PorcupineOperation<I = unknown, O = unknown> {
  readonly clientId: number;
  readonly input: I;
  readonly call: number;
  readonly output: O;
  readonly return: number;
}

/** What check() accepts: raftsim operations, an event stream (invoke, then ok/fail/info), or
 * Porcupine operations. */
export type History<I = unknown, O = unknown> = readonly Operation<I, O>[] | readonly Event<I, O>[] | readonly PorcupineOperation<I, O>[];

export class UnknownModelError extends Error {
  constructor(readonly requested: string) {
    super(`unknown model "${requested}"; known: ${modelNames().join(", ")}`);
    this.name = "UnknownModelError";
  }
}

function toOperations(h: History): readonly Operation[] {
  if (h.length === 0) return [];
  const first = h[0] as object;
  if ("clientId" in first)
    return (h as readonly PorcupineOperation[]).map((o) => ({ client: o.clientId, input: o.input, call: o.call, ret: o.return, status: "ok" as const, output: o.output }));
  if ("type" in first) return eventsToOperations(h as readonly Event[]);
  return h as readonly Operation[];
}

function isModel(m: unknown): m is AnyModel {
  return typeof m === "object" && m !== null && "describeOp" in m && "hash" in m;
}

/** Is `history` linearizable under `model` (a model name, raftsim's Model or a Porcupine-shaped
 * one)? The same object `raftsim check --json` prints. Throws HistoryError for a malformed
 * history. */
export function check<S, I, O>(history: History<I, O>, model: string | Model<S, I, O> | PorcupineModel<S, I, O>, options: CheckOptions = {}): CheckSummary {
  let m: AnyModel;
  if (typeof model === "string") {
    const got = getModel(model);
    if (got === undefined) throw new UnknownModelError(model);
    m = got;
  } else m = isModel(model) ? model : defineModel(model as PorcupineModel<S, I, O>);
  return checkSummary(checkOperations(m, toOperations(history as History), options), m.name);
}
