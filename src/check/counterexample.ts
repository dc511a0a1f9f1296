// Why a history is illegal, per failing part: the longest linearizable prefix the search
// found, and the ops that cannot follow it. Plain data, so a report can draw it from JSON.
import type { Operation, Status } from "./history.js";
import type { Model } from "./model.js";
import type { PartitionSearch } from "./partition-search.js";

export interface OpView {
  readonly index: number; // position in the checked operation list
  readonly client: number;
  readonly call: number;
  readonly ret: number | null; // null = never returned (info)
  readonly status: Status;
  readonly description: string;
}

export interface BlockedOp extends OpView {
  /** "inconsistent": its output is impossible right after the prefix; "dead-end": it fits, but no extension of prefix+op linearizes the rest. */
  readonly reason: "inconsistent" | "dead-end";
}

export interface PartCounterexample {
  readonly partition: string | null; // the key, or null for an unpartitioned model
  readonly prefix: readonly OpView[]; // in linearization order
  readonly stateAfterPrefix: string;
  readonly cannotFollow: readonly BlockedOp[];
  /** The op whose return closes the window: one of cannotFollow (or the prefix) had to take effect before it returned. */
  readonly deadline: OpView | null;
}

export interface Counterexample {
  readonly parts: readonly PartCounterexample[];
}

export function buildPartCounterexample<S, I, O>(
  model: Model<S, I, O>,
  partition: string | null,
  search: PartitionSearch<S, I, O>,
  all: readonly Operation<I, O>[],
): PartCounterexample {
  const deepest = search.deepestPoint();
  const cannotFollow: BlockedOp[] = [];
  for (const id of deepest.candidates) {
    const index = search.index(id);
    const p = all[index];
    const fits = model.step(deepest.state, p.input, p.output, p.status) !== undefined;
    if (!fits && p.status === "info") continue; // an indeterminate op that cannot take effect here is simply left out
    // The fields of an OpView, in the same order, then the reason.
    cannotFollow.push({
      index,
      client: p.client,
      call: p.call,
      ret: p.ret === Infinity ? null : p.ret,
      status: p.status,
      description: model.describeOp(p.input, p.output, p.status),
      reason: fits ? "dead-end" : "inconsistent",
    });
  }
  const ids = deepest.prefix;
  const prefix = new Array<OpView>(ids.length);
  for (let i = 0; i < ids.length; i++) prefix[i] = opView(model, all, search.index(ids[i]));
  return {
    partition,
    prefix,
    stateAfterPrefix: model.describeState(deepest.state),
    cannotFollow,
    deadline: deepest.deadline >= 0 ? opView(model, all, search.index(deepest.deadline)) : null,
  };
}

function opView<S, I, O>(model: Model<S, I, O>, all: readonly Operation<I, O>[], index: number): OpView {
  const op = all[index];
  return {
    index,
    client: op.client,
    call: op.call,
    ret: op.ret === Infinity ? null : op.ret,
    status: op.status,
    description: model.describeOp(op.input, op.output, op.status),
  };
}

function line(v: OpView): string {
  const ret = v.ret === null ? "∞" : String(v.ret);
  return `#${v.index} client ${v.client} [${v.call}, ${ret}] ${v.description}`;
}

/** A readable rendering, several lines per failing part. */
export function formatCounterexample(cx: Counterexample, maxPrefix = 20): string {
  const out: string[] = [];
  for (const part of cx.parts) {
    out.push(part.partition === null ? "history is not linearizable" : `key ${JSON.stringify(part.partition)} is not linearizable`);
    const shown = part.prefix.slice(-maxPrefix);
    out.push(`  longest linearizable prefix: ${part.prefix.length} ops${shown.length < part.prefix.length ? ` (last ${shown.length} shown)` : ""}`);
    for (const v of shown) out.push(`    ${line(v)}`);
    out.push(`  state after prefix: ${part.stateAfterPrefix}`);
    out.push(`  cannot follow it:`);
    for (const b of part.cannotFollow) {
      out.push(`    ${line(b)}  — ${b.reason === "inconsistent" ? "output impossible here" : "fits, but leads to a dead end"}`);
    }
    if (part.deadline !== null) out.push(`  …and one of them had to take effect before this returned: ${line(part.deadline)}`);
  }
  return out.join("\n");
}
