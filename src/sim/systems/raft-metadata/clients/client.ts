// A closed-loop client of the metadata service: a sim-side actor (not a Raft node), written as
// a deterministic state machine over an injected environment, so it does not depend on how the
// world is built. One operation at a time:
//
//   idle --start--> thinking --timer--> waiting --ok--> thinking ...
//                                          |  ^
//                      not-leader, no hint |  | timer (backoff over): resend, same seq
//                      or unavailable      v  |
//                                         backoff
//
// Retries keep the operation's seq, so the server's session dedup makes a retried write
// execute at most once. Routing: the last server that answered ok, or a leader hint; a
// not-leader reply with a usable hint is retried at once to the hint; otherwise the next server
// (round robin) after a backoff; a timeout retries at once to the next server. Two options
// change that: readsAnywhere sends each read to a random server (follower reads), and stickyUs
// keeps retrying on the same server (after a timeout, an unavailable, or a not-leader without a
// hint) until the op is that old — a client that keeps talking to a deposed leader.
//
// Transactions (cfg.txnP): a share of ops are multi-key txns — 2 or more keys of cfg.txnKeys,
// each compared against the revision this client last saw (sometimes a stale one, as cas does)
// and then written (or, one time in five, deleted); one in ten names a key twice (refused by the
// store) — all drawn from the client's "txn" stream.
//
// History status (ops.ts, recorder.ts):
// - "ok"   a server answered ok (a failed cas is ok with output {ok:false}).
// - "fail" definitely never executed: an unanswered read (reads have no effect); a write only
//          if cfg.writeFailOnNotLeader and every attempt was answered not-leader by a server
//          that this op had not been sent to before (a repeated server's late not-leader reply
//          could belong to the earlier attempt).
// - "info" otherwise. After an info op the client continues as a new process id
//          (client + k * clientCount), since the old op may still take effect later; the
//          server-side session (ClientRequest.client) stays the same and seqs keep increasing.
import type { ImplRng } from "../../../../impl/node.js";
import type { MetaOp, Revision, StoreOp, StoreResult, TxnOp, TxnWrite } from "../../../../impl/metadata/ops.js";
import type { ServerReply, StoreRequest } from "../../../../impl/metadata/protocol.js";
import { isReadOp } from "../../../../impl/metadata/commands.js";
import { fixedShapeWorkload, validateWorkloadConfig, type WorkloadConfig } from "./config.js";
import type { HistoryRecorder, OpHandle } from "./recorder.js";
import { commandKey } from "../command-key.js";

export interface ClientEnv {
  readonly rng: ImplRng;
  /** The txn stream (needed when cfg.txnP > 0). */
  readonly txnRng?: ImplRng;
  send(to: number /* server node id */, req: StoreRequest): void;
  /** Single timer per client, latest call wins. */
  setTimer(atVirtualUs: number): void;
  /** Optional trace hook (numbers only): see ClientNote. */
  note?(kind: number, a: number, b: number): void;
}

/** Trace note kinds passed to ClientEnv.note: (kind, seq, process id). */
export const ClientNote = { invoke: 0, ok: 1, fail: 2, info: 3 } as const;

export interface ClientCounters {
  /** Operations invoked. */
  issued: number;
  ok: number;
  fail: number;
  info: number;
  /** Sends beyond the first of each op. */
  retries: number;
  timeouts: number;
  notLeader: number;
  unavailable: number;
  /** Answers "session-expired" (each closes an op and opens a new session). */
  expired: number;
}

export type ClientPhase = "idle" | "thinking" | "waiting" | "backoff" | "stopped";

type Observed = Revision | "absent";

export class WorkloadClient {
  private phase: ClientPhase = "idle";
  private stopping = false;
  /** Last seq used for this session; the first op gets 1. */
  private seq = 0;
  /** Process incarnation: process id = id + incarnation * clientCount. */
  private incarnation = 0;
  /** Where to send the next new op; -1 unknown. */
  private leaderGuess = -1;
  /** Time of the armed timer; a timer firing earlier is a superseded one and is ignored. */
  private timerAt = -1;
  private readonly observed = new Map<string, Observed>();
  private readonly stats: ClientCounters = {
    issued: 0, ok: 0, fail: 0, info: 0, retries: 0, timeouts: 0, notLeader: 0, unavailable: 0, expired: 0,
  };
  /** The seq this client's server-side session began at (sent with cfg.sessionStarts). */
  private sessionStart = 1;
  private readonly weights: readonly number[];
  private readonly totalWeight: number;

  // The open operation (req !== null while one is open).
  private req: StoreRequest | null = null;
  private handle: OpHandle = -1;
  private attempts = 0;
  private opStart = 0;
  private target = -1;
  /** False while every attempt so far was answered not-leader by a fresh server. */
  private mayHaveExecuted = false;
  /** Servers this op was sent to: the first contactedN entries (at most maxAttempts). A count
   * over a kept array, not `length = 0` per op (a runtime call that shrinks the store). */
  private readonly contacted: number[] = [];
  private contactedN = 0;

  private readonly cfg: WorkloadConfig;

  constructor(
    readonly id: number,
    given: WorkloadConfig,
    private readonly env: ClientEnv,
    private readonly recorder: HistoryRecorder,
  ) {
    validateWorkloadConfig(given);
    const cfg = fixedShapeWorkload(given);
    this.cfg = cfg;
    if (!Number.isInteger(id) || id < 0 || id >= cfg.clientCount) {
      throw new Error(`workload: client id ${id} outside [0, ${cfg.clientCount})`);
    }
    const m = cfg.mix;
    this.weights = [m.get, m.put, m.delete, m.cas, m.exists ?? 0, m.list ?? 0];
    this.totalWeight = this.weights.reduce((a, b) => a + b, 0);
  }

  /** The process id the next (or current) op is recorded under. */
  process(): number {
    return this.id + this.incarnation * this.cfg.clientCount;
  }

  state(): ClientPhase {
    return this.phase;
  }

  /** True while an operation is open. */
  pending(): boolean {
    return this.req !== null;
  }

  counters(): Readonly<ClientCounters> {
    return this.stats;
  }

  start(now: number): void {
    if (this.phase !== "idle") throw new Error(`workload invariant: client ${this.id} started twice`);
    this.leaderGuess = this.cfg.servers[this.env.rng.int(0, this.cfg.servers.length - 1)]!;
    this.think(now);
  }

  /** Stop issuing new operations; an open one still runs to completion. */
  stop(_now: number): void {
    this.stopping = true;
    if (this.phase === "thinking" || this.phase === "idle") this.phase = "stopped";
  }

  /** End of run: close an open op as if its attempts ran out (read: fail, write: info). */
  abandon(now: number): void {
    this.stopping = true;
    if (this.req !== null) this.giveUp(now);
    this.phase = "stopped";
  }

  onTimer(now: number): void {
    if (now < this.timerAt) return; // superseded (or already handled) timer
    this.timerAt = Infinity; // consumed: a duplicate firing is ignored until re-armed
    switch (this.phase) {
      case "thinking":
        return this.issue(now);
      case "waiting":
        this.stats.timeouts++;
        this.mayHaveExecuted = true;
        this.leaderGuess = -1;
        if (this.exhausted(now)) return this.giveUp(now);
        if (!this.sticks(now)) this.target = this.nextServer(this.target);
        return this.sendAttempt(now);
      case "backoff":
        if (this.exhausted(now)) return this.giveUp(now);
        return this.sendAttempt(now);
      default:
        return;
    }
  }

  onReply(from: number, reply: ServerReply, now: number): void {
    const req = this.req;
    if (req === null || reply.client !== this.id || reply.seq !== req.seq) return; // late or foreign
    switch (reply.kind) {
      case "ok": {
        // Accepted from any server and in any phase: with the same seq, it is this op's result.
        if (reply.result.f !== req.op.f) {
          throw new Error(`workload invariant: ${req.op.f} answered with a ${reply.result.f} result`);
        }
        // A read answered by any server (follower reads) says nothing about who leads.
        if (this.cfg.readsAnywhere !== true || !isReadOp(req.op)) this.leaderGuess = from;
        this.observe(req.op, reply.result);
        this.recorder.ok(this.handle, reply.result, now);
        this.stats.ok++;
        this.env.note?.(ClientNote.ok, req.seq, this.process());
        return this.finish(now);
      }
      case "not-leader": {
        if (this.phase !== "waiting" || from !== this.target) return; // about an earlier attempt
        this.stats.notLeader++;
        const hint = this.usableHint(reply.leaderHint, from);
        this.leaderGuess = hint;
        if (this.exhausted(now)) return this.giveUp(now);
        if (hint >= 0) {
          this.target = hint;
          return this.sendAttempt(now);
        }
        if (!this.sticks(now)) this.target = this.nextServer(from);
        return this.backoff(now);
      }
      case "session-expired": {
        // Not executed here, and never will be: a command of an expired session is refused
        // wherever it is applied, and the new session starts above every seq used so far. But
        // a copy of it may have run before the session expired — an earlier attempt, or even a
        // network duplicate of this one proposed by a server that crashed before answering —
        // so the outcome is unknown (info), as Raft's §6.3 client must assume.
        if (this.phase !== "waiting" || from !== this.target) return;
        this.stats.expired++;
        this.mayHaveExecuted = true;
        this.sessionStart = req.seq + 1;
        return this.giveUp(now);
      }
      case "unavailable": {
        // Whichever attempt it answers, that attempt may still take effect.
        this.mayHaveExecuted = true;
        if (this.phase !== "waiting" || from !== this.target) return;
        this.stats.unavailable++;
        const hint = this.usableHint(reply.leaderHint, from);
        this.leaderGuess = hint;
        if (this.exhausted(now)) return this.giveUp(now);
        this.target = hint >= 0 ? hint : this.sticks(now) ? from : this.nextServer(from);
        return this.backoff(now);
      }
    }
  }

  // --- internals ---

  private think(now: number): void {
    const limit = this.cfg.opsLimit;
    if (this.stopping || (limit !== undefined && this.stats.issued >= limit)) {
      this.phase = "stopped";
      return;
    }
    this.phase = "thinking";
    this.arm(now + this.env.rng.int(this.cfg.thinkMinUs, this.cfg.thinkMaxUs));
  }

  private backoff(now: number): void {
    this.phase = "backoff";
    this.arm(now + this.env.rng.int(this.cfg.backoffMinUs, this.cfg.backoffMaxUs));
  }

  private arm(at: number): void {
    this.timerAt = at;
    this.env.setTimer(at);
  }

  private issue(now: number): void {
    this.seq++;
    const op: StoreOp = this.isTxn() ? this.txnOp(this.seq) : this.nextOp(this.seq);
    this.req = this.cfg.sessionStarts === true ? { client: this.id, seq: this.seq, op, start: this.sessionStart } : { client: this.id, seq: this.seq, op };
    this.handle = this.recorder.invoke(this.process(), op, now, commandKey(this.id, this.seq));
    this.env.note?.(ClientNote.invoke, this.seq, this.process());
    this.stats.issued++;
    this.attempts = 0;
    this.opStart = now;
    this.mayHaveExecuted = false;
    this.contactedN = 0;
    this.target = this.cfg.readsAnywhere === true && isReadOp(op) ? this.randomServer() : this.leaderGuess >= 0 ? this.leaderGuess : this.randomServer();
    this.sendAttempt(now);
  }

  /** Retry on the same server (see WorkloadConfig.stickyUs). */
  private sticks(now: number): boolean {
    const s = this.cfg.stickyUs;
    return s !== undefined && s > 0 && now - this.opStart < s;
  }

  private sendAttempt(now: number): void {
    const req = this.req;
    if (req === null) throw new Error("workload invariant: send without an open op");
    if (this.exhausted(now)) throw new Error("workload invariant: attempts exceeded");
    if (this.attempts > 0) this.stats.retries++;
    this.attempts++;
    // A later not-leader from a server already tried could answer the earlier attempt, and
    // that attempt's request might still be duplicated: no longer provably unexecuted.
    if (this.wasContacted(this.target)) this.mayHaveExecuted = true;
    else this.contacted[this.contactedN++] = this.target;
    this.phase = "waiting";
    this.arm(now + this.cfg.timeoutUs);
    this.env.send(this.target, req);
  }

  private wasContacted(server: number): boolean {
    for (let i = 0; i < this.contactedN; i++) if (this.contacted[i] === server) return true;
    return false;
  }

  /** Out of retries: every attempt used, and the op has been retried for long enough that an
   * election would have finished (giving up sooner turns ordinary failovers into info ops,
   * which make the history far costlier to check). */
  private exhausted(now: number): boolean {
    return this.attempts >= this.cfg.maxAttempts && now - this.opStart >= this.cfg.retryForUs;
  }

  private giveUp(now: number): void {
    const req = this.req!;
    if (isReadOp(req.op) || (this.cfg.writeFailOnNotLeader && !this.mayHaveExecuted)) {
      this.recorder.fail(this.handle, now);
      this.stats.fail++;
      this.env.note?.(ClientNote.fail, req.seq, this.process());
    } else {
      this.recorder.info(this.handle, now);
      this.stats.info++;
      this.env.note?.(ClientNote.info, req.seq, this.process());
      this.incarnation++;
    }
    this.finish(now);
  }

  private finish(now: number): void {
    this.req = null;
    this.handle = -1;
    this.think(now);
  }

  private usableHint(hint: number, from: number): number {
    return hint >= 0 && hint !== from && this.cfg.servers.includes(hint) ? hint : -1;
  }

  private nextServer(s: number): number {
    const servers = this.cfg.servers;
    const i = servers.indexOf(s);
    return servers[(i + 1) % servers.length]!; // i === -1 gives servers[0]
  }

  private randomServer(): number {
    return this.cfg.servers[this.env.rng.int(0, this.cfg.servers.length - 1)]!;
  }

  /** Is the next op a txn? Drawn from the txn stream only when txns are on. */
  private isTxn(): boolean {
    const p = this.cfg.txnP ?? 0;
    if (p <= 0) return false;
    if (this.env.txnRng === undefined) throw new Error("workload invariant: txnP without a txn stream");
    return this.env.txnRng.float() < p;
  }

  /** 2..all keys of cfg.txnKeys in a random order, each compared and written (see the header). */
  private txnOp(seq: number): TxnOp {
    const rng = this.env.txnRng!;
    const pool = [...(this.cfg.txnKeys ?? this.cfg.keys)];
    const n = rng.int(2, pool.length);
    const ops: TxnWrite[] = [];
    for (let i = 0; i < n; i++) {
      const key = pool.splice(rng.int(0, pool.length - 1), 1)[0]!;
      ops.push({ key, expected: this.expectedFor(key, rng), value: rng.int(0, 4) === 0 ? null : this.value(seq) });
    }
    // One txn in ten names one of its keys twice, which the store must refuse at the second
    // occurrence (ops.ts: failed there, currentRevision -1) without writing anything.
    if (rng.int(0, 9) === 0) {
      const again = ops[rng.int(0, ops.length - 1)]!;
      ops.splice(rng.int(0, ops.length), 0, { key: again.key, expected: again.expected, value: this.value(seq) });
    }
    return { f: "txn", ops };
  }

  private nextOp(seq: number): MetaOp {
    const rng = this.env.rng;
    let r = rng.int(0, this.totalWeight - 1);
    let kind = 0;
    while (r >= this.weights[kind]!) r -= this.weights[kind++]!;
    if (kind === 5) return { f: "list", prefix: this.cfg.listPrefix ?? "" };
    const key = this.cfg.keys[rng.int(0, this.cfg.keys.length - 1)]!;
    switch (kind) {
      case 0:
        return { f: "get", key };
      case 1:
        return { f: "put", key, value: this.value(seq) };
      case 2:
        return { f: "delete", key };
      case 3:
        return { f: "cas", key, expected: this.casExpected(key), value: this.value(seq) };
      default:
        return { f: "exists", key };
    }
  }

  /** Unique per write: session ids are unique and seqs never repeat within a session. */
  private value(seq: number): string {
    return `c${this.id}-${seq}`;
  }

  private casExpected(key: string): Observed {
    return this.expectedFor(key, this.env.rng);
  }

  private expectedFor(key: string, rng: ImplRng): Observed {
    const seen = this.observed.get(key) ?? "absent";
    if (this.cfg.staleCasP === 0 || rng.float() >= this.cfg.staleCasP) return seen;
    // A deliberately stale (or at least different) expectation.
    if (seen === "absent") return rng.int(1, 8);
    return seen > 1 && rng.int(0, 1) === 0 ? rng.int(1, seen - 1) : "absent";
  }

  private observe(op: StoreOp, result: StoreResult): void {
    switch (result.f) {
      case "txn":
        if (op.f !== "txn") return;
        if (result.ok) for (const w of op.ops) this.observed.set(w.key, w.value === null ? "absent" : result.revision);
        else if (result.currentRevision >= 0) this.observed.set(op.ops[result.failed]!.key, result.currentRevision === 0 ? "absent" : result.currentRevision);
        return;
      case "get":
        if (op.f === "get") this.observed.set(op.key, result.found ? result.revision : "absent");
        return;
      case "exists":
        if (op.f === "exists" && !result.exists) this.observed.set(op.key, "absent");
        return;
      case "put":
        if (op.f === "put") this.observed.set(op.key, result.revision);
        return;
      case "delete":
        if (op.f === "delete") this.observed.set(op.key, "absent");
        return;
      case "cas":
        if (op.f !== "cas") return;
        if (result.ok) this.observed.set(op.key, result.revision);
        else this.observed.set(op.key, result.currentRevision === 0 ? "absent" : result.currentRevision);
        return;
      case "list":
        for (const e of result.items) this.observed.set(e.key, e.revision);
        return;
    }
  }
}
