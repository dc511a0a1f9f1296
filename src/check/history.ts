// Histories as the checker sees them: one record per client operation (the per-operation
// form), or the stream of invocations and completions a recorder appends to (the event form).
// Completions follow Jepsen: "ok" = happened with this output; "fail" = did not happen, or
// (for models that say so, see Model.failMeans) happened and returned "false"; "info" =
// indeterminate: it may take effect at any point after its call, or never.

export type Status = "ok" | "fail" | "info";

export interface Operation<I = unknown, O = unknown> {
  readonly client: number; // process id; at most one open op per client
  readonly input: I;
  readonly call: number; // invocation time (any unit; only order matters)
  readonly ret: number; // completion time; Infinity when status is "info" (never returned)
  readonly status: Status;
  readonly output: O | undefined; // undefined for info (and for completions whose result is unknown)
}

/** Event-stream form: an invocation, later closed by the same client's completion. */
export type Event<I = unknown, O = unknown> =
  | { readonly type: "invoke"; readonly client: number; readonly input: I; readonly time?: number }
  | { readonly type: Status; readonly client: number; readonly output?: O; readonly time?: number };

/** A history that breaks the rules of the model above (what a reader turns into an InputError). */
export class HistoryError extends Error {
  /** index = position of the offending event or operation in its list. */
  constructor(readonly index: number, problem: string) {
    super(problem);
    this.name = "HistoryError";
  }
}

/** A value in a validation message: short, and never JavaScript's own wording. */
function shortValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  return Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

/** Throws HistoryError unless op is well formed (finite call; ret > =call; info <=> ret Infinity). */
export function validateOperation(op: Operation, index: number): void {
  if (!Number.isInteger(op.client)) throw new HistoryError(index, `client must be an integer, found ${shortValue(op.client)}`);
  if (!Number.isFinite(op.call)) throw new HistoryError(index, `call time must be a finite number, found ${shortValue(op.call)}`);
  if (op.status === "info") {
    if (op.ret !== Infinity) throw new HistoryError(index, `an info operation never returns: ret must be Infinity, found ${shortValue(op.ret)}`);
  } else if (op.status === "ok" || op.status === "fail") {
    if (!Number.isFinite(op.ret)) throw new HistoryError(index, `an ${op.status} operation needs a finite return time, found ${shortValue(op.ret)}`);
    if (op.ret < op.call) throw new HistoryError(index, `returns (${op.ret}) before its call (${op.call})`);
  } else {
    throw new HistoryError(index, `status must be ok, fail or info, found ${shortValue(op.status)}`);
  }
}

/**
 * Pairs each invocation with the same client's next completion. An event without `time`
 * gets its position in the list. An invocation never completed becomes "info". A completion
 * "info" keeps the op open to the end (ret = Infinity) and frees the client.
 */
export function eventsToOperations<I, O>(events: readonly Event<I, O>[]): Operation<I, O>[] {
  const open = new Map<number, { input: I; call: number; slot: number }>();
  const ops: (Operation<I, O> | undefined)[] = [];
  let last = -Infinity;
  events.forEach((ev, i) => {
    const time = ev.time ?? i;
    if (!(time >= last)) throw new HistoryError(i, `event time ${time} goes back (previous ${last})`);
    last = time;
    if (ev.type === "invoke") {
      if (open.has(ev.client)) throw new HistoryError(i, `client ${ev.client} invokes while its previous operation is still open`);
      open.set(ev.client, { input: ev.input, call: time, slot: ops.length });
      ops.push(undefined);
      return;
    }
    const inv = open.get(ev.client);
    if (inv === undefined) throw new HistoryError(i, `client ${ev.client} completes (${ev.type}) with no open operation`);
    open.delete(ev.client);
    const info = ev.type === "info";
    ops[inv.slot] = {
      client: ev.client,
      input: inv.input,
      call: inv.call,
      ret: info ? Infinity : time,
      status: ev.type,
      output: info ? undefined : ev.output,
    };
  });
  for (const [client, inv] of open) {
    ops[inv.slot] = { client, input: inv.input, call: inv.call, ret: Infinity, status: "info", output: undefined };
  }
  return ops.map((op) => {
    if (op === undefined) throw new Error("eventsToOperations: unmatched slot"); // unreachable: every slot is filled above
    return op;
  });
}

/**
 * The event stream of a list of operations, ordered by time; at equal times invocations come
 * before completions (touching intervals overlap, as the checker reads them). An info op's
 * completion is emitted right after its invocation: it frees the client but, being info,
 * leaves the operation open to the end.
 */
export function operationsToEvents<I, O>(ops: readonly Operation<I, O>[]): Event<I, O>[] {
  type Keyed = { t: number; kind: number; seq: number; ev: Event<I, O> };
  const keyed: Keyed[] = [];
  ops.forEach((op, i) => {
    validateOperation(op, i);
    keyed.push({ t: op.call, kind: 0, seq: 2 * i, ev: { type: "invoke", client: op.client, input: op.input, time: op.call } });
    const retTime = op.status === "info" ? op.call : op.ret;
    const done: Event<I, O> =
      op.status === "info"
        ? { type: "info", client: op.client, time: op.call }
        : { type: op.status, client: op.client, output: op.output as O, time: op.ret };
    keyed.push({ t: retTime, kind: op.status === "info" ? 0 : 1, seq: 2 * i + 1, ev: done });
  });
  keyed.sort((a, b) => a.t - b.t || a.kind - b.kind || a.seq - b.seq);
  return keyed.map((k) => k.ev);
}

/**
 * Builds a history in the checker's per-operation form as a run goes: invoke when a client sends
 * an operation (a handle back), close when its outcome is known. "info" (outcome unknown) never
 * returns (ret Infinity); what is still open at the end is abandoned as "info".
 */
export class OperationRecorder<I, O> {
  readonly ops: Operation<I, O>[] = [];
  private readonly open = new Map<number, { client: number; input: I; call: number }>();
  private next = 0;

  invoke(client: number, input: I, call: number): number {
    const h = this.next++;
    this.open.set(h, { client, input, call });
    return h;
  }

  close(h: number, status: Status, output: O | undefined, ret: number): void {
    const o = this.open.get(h);
    if (o === undefined) return;
    this.open.delete(h);
    this.ops.push({ client: o.client, input: o.input, call: o.call, ret: status === "info" ? Infinity : ret, status, output });
  }

  /** End of run: whatever is open is indeterminate. */
  abandonAll(): void {
    for (const h of [...this.open.keys()]) this.close(h, "info", undefined, 0);
  }
}
