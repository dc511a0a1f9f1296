// The failover system's clients: closed-loop actors that GET and APPEND unique tokens, route by
// the slot table they last saw (as created, then what MOVED answers taught them) and follow
// redirects, as a Valkey cluster client does. A request unanswered within the timeout is
// indeterminate (info): the client forgets the route of that slot (the next request goes to a
// random node, which redirects it) and continues under a new process id.
import type { KvInput, KvOutput } from "../../../check/models/index.js";
import { OperationRecorder, type Operation } from "../../../check/history.js";
import { keySlot, type KvRep, type KvReq } from "../../../impl/failover/valkey/types.js";
import type { ActorEnv } from "../../kernel/world.js";
import { SlotRoutedClient, type SlotPending } from "../../runner/slot-client.js";
import type { FailoverWorkload } from "./options.js";

export type KvOperation = Operation<KvInput, KvOutput>;

/** The history of every client, in the checker's per-operation form. */
export class KvRecorder extends OperationRecorder<KvInput, KvOutput> {}

export class FailoverClient extends SlotRoutedClient<KvReq, SlotPending<KvReq> & { sentAt: number }> {
  constructor(
    env: ActorEnv,
    private readonly servers: number,
    initialOwner: readonly number[],
    private readonly w: FailoverWorkload,
    private readonly rec: KvRecorder,
    /** Told of every acknowledged write: the node that acknowledged it, and when the request
     * it answered was sent (virtual µs: the node acknowledged it no earlier). */
    private readonly onWriteAck?: (node: number, sentAt: number) => void,
  ) {
    super(env, initialOwner, w, rec);
  }

  protected anyNode(): number {
    return this.env.rng.int(0, this.servers - 1);
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
    const h = this.rec.invoke(this.process, input, now);
    this.pending = { h, req, slot, redirects: 0, deadline: now + this.w.timeoutUs, sentAt: now };
    this.send(req, slot);
    env.setTimer(this.pending.deadline);
  }

  onMessage(from: number, msg: unknown, now: number): void {
    const rep = msg as KvRep;
    const p = this.pending;
    if (p === null || rep.id !== p.req.id) return; // a late or duplicated answer
    if (rep.type === "moved") {
      this.route[rep.slot] = rep.node;
      if (++p.redirects > this.w.maxRedirects) {
        this.rec.close(p.h, "fail", undefined, now); // a redirect is an answer: nothing was done
        this.pending = null;
        return this.think(now, 0);
      }
      this.env.note(2, rep.slot, rep.node);
      p.sentAt = now;
      return this.send(p.req, p.slot);
    }
    this.pending = null;
    if (rep.type === "down") {
      this.rec.close(p.h, "fail", undefined, now);
      return this.think(now, this.w.downBackoffUs);
    }
    if (p.req.type === "append" && this.onWriteAck !== undefined) this.onWriteAck(from, p.sentAt);
    this.rec.close(p.h, "ok", p.req.type === "get" ? (rep.value ?? "") : null, now);
    this.think(now, 0);
  }
}
