// The valkey system's clients: closed-loop actors that GET and APPEND unique tokens (a share of
// the APPENDs WAIT-style), route by slot (the table as created, then what MOVED answers taught
// them) and follow redirects, as a Valkey cluster client does; now and then one gives a random
// node CLUSTER FAILOVER (or FAILOVER FORCE), as an operator would. A request unanswered within the
// timeout is indeterminate (info): the client forgets that slot's route and continues as a new
// process.
import { OperationRecorder } from "../../../check/history.js";
import { keySlot } from "../../../impl/failover/valkey/types.js";
import type { CoreRep, CoreReq } from "../../../impl/valkey-contract/core/types.js";
import type { ActorEnv } from "../../kernel/world.js";
import { SlotRoutedClient } from "../../runner/slot-client.js";

export interface KvIn {
  readonly f: "get" | "append";
  readonly key: string;
  readonly value?: string;
  readonly wait?: boolean;
}

export class KvHistory extends OperationRecorder<KvIn, string | null> {}

export interface ValkeyWorkload {
  readonly keys: readonly string[];
  readonly readShare: number;
  /** Share of APPENDs sent WAIT-style. */
  readonly waitShare: number;
  /** Chance, per operation, that the client first gives a random node CLUSTER FAILOVER. */
  readonly failoverShare: number;
  /** Share of those that are FAILOVER FORCE. */
  readonly forceShare: number;
  readonly thinkMinUs: number;
  readonly thinkMaxUs: number;
  readonly timeoutUs: number;
  readonly maxRedirects: number;
  readonly downBackoffUs: number;
}

export const DEFAULT_WORKLOAD: ValkeyWorkload = Object.freeze({
  keys: ["a", "b", "c", "d", "e", "f", "g", "h", "i"],
  readShare: 0.3,
  waitShare: 0.5,
  failoverShare: 0.02,
  forceShare: 0.5,
  thinkMinUs: 5_000,
  thinkMaxUs: 40_000,
  timeoutUs: 1_000_000,
  maxRedirects: 4,
  downBackoffUs: 50_000,
});

export class ValkeyClient extends SlotRoutedClient<CoreReq & { key: string }> {
  constructor(
    env: ActorEnv,
    private readonly servers: number,
    initialOwner: readonly number[],
    private readonly w: ValkeyWorkload,
    private readonly rec: KvHistory,
    /** No operator commands from this time on (the final heal: the liveness phase judges a
     * cluster left alone). */
    private readonly failoversUntilUs = Number.POSITIVE_INFINITY,
  ) {
    super(env, initialOwner, w, rec);
  }

  protected anyNode(): number {
    return this.env.rng.int(0, this.servers - 1);
  }

  protected start(now: number): void {
    const env = this.env;
    if (env.rng.chance(this.w.failoverShare) && now < this.failoversUntilUs) {
      // An operator's command: answered or not, it is not part of the history.
      env.send(env.rng.int(0, this.servers - 1), { type: "failover", id: -1, force: env.rng.chance(this.w.forceShare) } satisfies CoreReq);
    }
    const key = env.rng.pick(this.w.keys);
    const slot = keySlot(key, this.route.length);
    const id = ++this.reqId;
    let req: CoreReq & { key: string };
    let input: KvIn;
    if (env.rng.chance(this.w.readShare)) {
      req = { type: "get", id, key };
      input = { f: "get", key };
    } else {
      const token = `${env.id}.${++this.seq},`;
      const wait = env.rng.chance(this.w.waitShare);
      req = { type: "append", id, key, token, wait };
      input = { f: "append", key, value: token, wait };
    }
    const h = this.rec.invoke(this.process, input, now);
    this.pending = { h, req, slot, redirects: 0, deadline: now + this.w.timeoutUs };
    this.send(req, slot);
    env.setTimer(this.pending.deadline);
  }

  onMessage(_from: number, msg: unknown, now: number): void {
    const rep = msg as CoreRep;
    const p = this.pending;
    if (p === null || rep.id !== p.req.id) return;
    if (rep.type === "moved") {
      this.route[rep.slot] = rep.node;
      if (++p.redirects > this.w.maxRedirects) {
        this.rec.close(p.h, "fail", undefined, now);
        this.pending = null;
        return this.think(now, this.w.downBackoffUs);
      }
      return this.send(p.req, p.slot);
    }
    this.pending = null;
    if (rep.type !== "ok") {
      this.rec.close(p.h, "fail", undefined, now);
      this.route[p.slot] = -1;
      return this.think(now, this.w.downBackoffUs);
    }
    this.rec.close(p.h, "ok", p.req.type === "get" ? (rep.value ?? "") : null, now);
    this.think(now, 0);
  }
}
