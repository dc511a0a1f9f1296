// The interface a sequential specification implements so the checker can search it.
import type { Operation, Status } from "./history.js";

export interface Model<S, I = unknown, O = unknown> {
  /** Registry name, e.g. "cas-register". */
  readonly name: string;
  /**
   * How status "fail" is read. "not-executed": the op did not happen, and the checker drops it
   * before the search. "completed": the op happened and returned "false" (e.g. a failed CAS);
   * it keeps its interval and step() sees it with status "fail".
   */
  readonly failMeans: "not-executed" | "completed";
  init(): S;
  /**
   * The state after applying input with the observed output, or undefined if that output is
   * impossible from `state`. States are immutable values: never mutate `state`.
   * Status "info" (output undefined) asks for the op *having taken effect*: return undefined
   * when taking effect is impossible or changes nothing, since "never took effect" is
   * already explored by the checker (info ops are optional).
   */
  step(state: S, input: I, output: O | undefined, status: Status): S | undefined;
  equal(a: S, b: S): boolean;
  /** 32-bit hash consistent with equal(). */
  hash(state: S): number;
  /**
   * P-compositionality: the key an op touches. Ops with different keys are checked
   * independently, each part from init(). Return undefined for ops the model cannot place
   * (they are left out of the check and counted as unchecked). Omit for a single part.
   * An op that touches several keys at once (a multi-key transaction) returns them all: the
   * checker joins every part such an op names into one (the union of their keys, transitively:
   * two txns sharing a key merge all their keys), so the model's state must hold several keys.
   */
  partition?(input: I): string | readonly string[] | undefined;
  /**
   * Optional: true when the op never changes the state (a read). An indeterminate (info) op
   * that never changes the state decides nothing whether it took effect or not, so the checker
   * leaves it out of the search. Without this hint such ops stay candidates to the end of the
   * history: the search stays correct but every step and every memo key grows with them.
   */
  readOnly?(input: I): boolean;
  /**
   * Optional: the history the search runs on instead of the one given: the same ops, in the same
   * order, with the same statuses, times and outputs, whose inputs may be rewritten so that more
   * states compare equal. The rewrite must not change any verdict: every step from a rewritten
   * state with a rewritten input must succeed or fail as the original would, and two states
   * the rewrite maps together must have no op (original or rewritten) that tells them apart.
   * (The metadata models replace a written value that no output in the history ever shows by one
   * token: no read can tell it from another such value.) Counterexamples still describe the
   * original ops.
   */
  prepare?(ops: readonly Operation<I, O>[]): readonly Operation<I, O>[];
  /**
   * Optional symmetry reduction over indeterminate (info) ops, called with the prepared inputs:
   * two info ops of one part with the same key (not undefined) must be interchangeable — from
   * equal states, taking effect gives equal states (equal inputs do). The search then lets an
   * info op take effect only once every earlier-called info op with its key has: in any
   * linearization, two such ops can trade places (the earlier-called one can take the later
   * one's point, which is after both calls, and vice versa), so one of the orders is enough,
   * and k interchangeable ops give k + 1 linearized sets to explore instead of 2^k.
   */
  interchangeKey?(input: I): string | undefined;
  describeOp(input: I, output: O | undefined, status: Status): string;
  describeState(state: S): string;
}

/** Any model, for registries and CLI code that does not care about its types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModel = Model<any, any, any>;
