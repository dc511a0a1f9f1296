// The kvrocks-controller system's clients: closed-loop actors that GET and APPEND unique tokens
// on the data nodes, routing by the slot table they last saw and following MOVED redirects (the
// failover system's client, src/sim/systems/failover/client.ts, rewritten here because a system
// does not import another's folder). An unanswered request is indeterminate (info).
import type { KvInput, KvOutput } from "../../../check/models/index.js";
import { OperationRecorder, type Operation } from "../../../check/history.js";
import { keySlot, type KvRep, type KvReq } from "../../../impl/failover/valkey/types.js";
import type { Actor, ActorEnv } from "../../kernel/world.js";

export type KvOperation = Operation<KvInput, KvOutput>;

export interface Workload {
  readonly keys: readonly string[];
  readonly thinkMinUs: number;
  readonly thinkMaxUs: number;
  readonly timeoutUs: number;
  readonly readShare: number;
}

export const DEFAULT_WORKLOAD: Workload = { keys: ["a", "b", "c", "d", "e", "f"], thinkMinUs: 50_000, thinkMaxUs: 250_000, timeoutUs: 500_000, readShare: 0.5 };

export class KvHistory extends OperationRecorder<KvInput, KvOutput> {}

export class KvClient implements Actor {
  private readonly route: Int32Array;
  private process: number;
  private seq = 0;
  private reqId = 0;
  private pending: { h: number; req: KvReq; slot: number; redirects: number; deadline: number } | null = null;

  constructor(private readonly env: ActorEnv, private readonly firstData: number, private readonly nData: number, initialOwner: readonly number[], private readonly w: Workload, private readonly rec: KvHistory) {
    this.route = Int32Array.from(initialOwner);
    this.process = env.id * 1_000_000;
    env.setTimer(env.now() + env.rng.int(0, w.thinkMaxUs));
  }

  onTimer(now: number): void {
    const p = this.pending;
    if (p !== null) {
      if (now < p.deadline) return this.env.setTimer(p.deadline);
      this.rec.close(p.h, "info", undefined, now);
      this.route[p.slot] = -1;
      this.pending = null;
      this.process++;
      return this.think(now, 0);
    }
    const env = this.env;
    const key = env.rng.pick(this.w.keys);
    const slot = keySlot(key, this.route.length);
    const id = ++this.reqId;
    let req: KvReq;
    let input: KvInput;
    if (env.rng.chance(this.w.readShare)) {
      req = { type: "get", id, key };
      input = { f: "get", key };
    } else {
      const token = `${env.id}.${++this.seq},`;
      req = { type: "append", id, key, token };
      input = { f: "append", key, value: token };
    }
    this.pending = { h: this.rec.invoke(this.process, input, now), req, slot, redirects: 0, deadline: now + this.w.timeoutUs };
    this.send(req, slot);
    env.setTimer(this.pending.deadline);
  }

  private send(req: KvReq, slot: number): void {
    let to = this.route[slot]!;
    if (to < 0) to = this.firstData + this.env.rng.int(0, this.nData - 1);
    this.env.send(to, req);
  }

  onMessage(_from: number, msg: unknown, now: number): void {
    const rep = msg as KvRep;
    const p = this.pending;
    if (p === null || rep.id !== p.req.id) return;
    if (rep.type === "moved") {
      this.route[rep.slot] = rep.node;
      if (++p.redirects > 5) {
        this.rec.close(p.h, "fail", undefined, now);
        this.pending = null;
        return this.think(now, 0);
      }
      return this.send(p.req, p.slot);
    }
    this.pending = null;
    if (rep.type === "down") {
      this.rec.close(p.h, "fail", undefined, now);
      return this.think(now, 100_000);
    }
    this.rec.close(p.h, "ok", p.req.type === "get" ? (rep.value ?? "") : null, now);
    this.think(now, 0);
  }

  private think(now: number, extra: number): void {
    this.env.setTimer(now + extra + this.env.rng.int(this.w.thinkMinUs, this.w.thinkMaxUs));
  }
}
