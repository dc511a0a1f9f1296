// The kvrocks-controller system's clients: closed-loop actors that GET and APPEND unique tokens
// on the data nodes, routing by the slot table they last saw and following MOVED redirects (the
// routing, the deadline and the indeterminate outcome are src/sim/runner/slot-client.ts, shared
// with the failover and valkey clients).
import type { KvInput, KvOutput } from "../../../check/models/index.js";
import { OperationRecorder, type Operation } from "../../../check/history.js";
import { keySlot, type KvRep, type KvReq } from "../../../impl/failover/valkey/types.js";
import type { ActorEnv } from "../../kernel/world.js";
import { SlotRoutedClient } from "../../runner/slot-client.js";

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

export class KvClient extends SlotRoutedClient<KvReq> {
  constructor(env: ActorEnv, private readonly firstData: number, private readonly nData: number, initialOwner: readonly number[], private readonly w: Workload, private readonly rec: KvHistory) {
    super(env, initialOwner, w, rec);
  }

  protected anyNode(): number {
    return this.firstData + this.env.rng.int(0, this.nData - 1);
  }

  protected start(now: number): void {
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
}
