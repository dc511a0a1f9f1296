// Records client operations as a Jepsen-style history for the linearizability checker.
//
// Each operation is opened by invoke() at its call time and closed by ok()/fail()/info().
// Operations still open when the history is read are reported as "info" (they may take effect
// at any point after their call, or never). Times are virtual microseconds and must be fed in
// non-decreasing order (the simulator's clock); the recorder asserts it.
//
// The Operation shape is the checker's contract (src/check/history.ts).
import type { StoreOp, StoreResult } from "../../../../impl/metadata/ops.js";
import type { Operation, Status } from "../../../../check/history.js";

export type { Operation, Status };

/** Single-key ops, lists and txns (StoreOp). */
export type MetaOperation = Operation<StoreOp, StoreResult>;

interface OpenOp {
  readonly process: number;
  readonly input: StoreOp;
  readonly call: number;
  done: MetaOperation | null;
}

/** A handle to an open operation, returned by invoke(). */
export type OpHandle = number;

export class HistoryRecorder {
  private readonly ops: OpenOp[] = [];
  /** process id -> handle of its open op. */
  private readonly openByProcess = new Map<number, OpHandle>();
  private lastTime = 0;
  private counts = { ok: 0, fail: 0, info: 0 };

  /** Per op: the command it sends (command-key.ts), or -1; see commandOf. */
  private readonly commands: number[] = [];

  /** Open an operation for `process` at virtual time `call`; `command` (command-key.ts: its
   * session and seq) names the command the servers would apply for it, -1 if none. */
  invoke(process: number, input: StoreOp, call: number, command = -1): OpHandle {
    this.checkTime(call);
    if (this.openByProcess.has(process)) {
      throw new Error(`history invariant: process ${process} invoked an op while one is open`);
    }
    const h = this.ops.length;
    this.ops.push({ process, input, call, done: null });
    this.commands.push(command);
    this.openByProcess.set(process, h);
    return h;
  }

  /** The op completed with a result from a server (a failed cas is "ok" with ok:false). */
  ok(h: OpHandle, output: StoreResult, ret: number): void {
    const o = this.close(h, ret);
    o.done = Object.freeze({ client: o.process, input: o.input, call: o.call, ret, status: "ok", output });
    this.counts.ok++;
  }

  /** The op definitely never took effect. */
  fail(h: OpHandle, ret: number): void {
    const o = this.close(h, ret);
    o.done = Object.freeze({ client: o.process, input: o.input, call: o.call, ret, status: "fail", output: undefined });
    this.counts.fail++;
  }

  /** The op's outcome is unknown: it may take effect at any time after its call, or never.
   * `now` is only checked for monotonicity; the recorded ret is Infinity. The process must
   * not invoke again (the caller continues under a new process id). */
  info(h: OpHandle, now: number): void {
    const o = this.close(h, now);
    o.done = infoOp(o);
    this.counts.info++;
  }

  /** The command op `h` sent (command-key.ts), or -1. */
  commandOf(h: OpHandle): number {
    return this.commands[h] ?? -1;
  }

  /** Number of operations not yet closed. */
  openCount(): number {
    return this.openByProcess.size;
  }

  /** Number of operations invoked so far. */
  size(): number {
    return this.ops.length;
  }

  /** Closed-op totals (open ops not included). */
  totals(): Readonly<{ ok: number; fail: number; info: number }> {
    return { ...this.counts };
  }

  /** The history in invocation order. Open operations appear as "info". */
  operations(): MetaOperation[] {
    const out: MetaOperation[] = new Array(this.ops.length);
    for (let i = 0; i < this.ops.length; i++) {
      const o = this.ops[i]!;
      out[i] = o.done ?? infoOp(o);
    }
    return out;
  }

  private close(h: OpHandle, ret: number): OpenOp {
    this.checkTime(ret);
    const o = this.ops[h];
    if (o === undefined || o.done !== null) throw new Error(`history invariant: op ${h} is not open`);
    if (ret < o.call) throw new Error(`history invariant: op ${h} returns at ${ret} before its call ${o.call}`);
    this.openByProcess.delete(o.process);
    return o;
  }

  private checkTime(t: number): void {
    if (!Number.isFinite(t) || t < this.lastTime) {
      throw new Error(`history invariant: time ${t} before previous event at ${this.lastTime}`);
    }
    this.lastTime = t;
  }
}

function infoOp(o: OpenOp): MetaOperation {
  return Object.freeze({ client: o.process, input: o.input, call: o.call, ret: Infinity, status: "info", output: undefined });
}
