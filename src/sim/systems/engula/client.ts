// The engula system's clients: closed-loop actors sending universe-wide requests (create and
// delete units, list units, nodes and members) to a random node and following its redirects to
// the control unit, as the seed's users do ("users can use the URL of any node"). The history
// (with the nodes' joins, recorded by the observer) is checked against the universe model.
import type { Operation } from "../../../check/history.js";
import type { UniverseInput, UniverseOutput } from "../../../check/models/engula-universe.js";
import type { UniverseOp, UniverseReply, UniverseRequest } from "../../../impl/engula/types.js";
import type { Actor, ActorEnv } from "../../kernel/world.js";

export type UniverseOperation = Operation<UniverseInput, UniverseOutput>;

export interface EngulaWorkload {
  readonly units: readonly string[];
  readonly thinkMinUs: number;
  readonly thinkMaxUs: number;
  readonly timeoutUs: number;
  readonly maxRedirects: number;
  /** Wait before asking another node when one knows no control unit. */
  readonly retryUs: number;
}

export const DEFAULT_WORKLOAD: EngulaWorkload = { units: ["a", "b", "c"], thinkMinUs: 50_000, thinkMaxUs: 300_000, timeoutUs: 1_000_000, maxRedirects: 4, retryUs: 100_000 };

/** Every client's and joiner's operations, in the checker's per-operation form. */
export class UniverseRecorder {
  readonly ops: UniverseOperation[] = [];
  private readonly open = new Map<number, { client: number; input: UniverseInput; call: number }>();
  private next = 0;

  invoke(client: number, input: UniverseInput, call: number): number {
    const h = this.next++;
    this.open.set(h, { client, input, call });
    return h;
  }

  close(h: number, status: "ok" | "fail" | "info", output: UniverseOutput | undefined, ret: number): void {
    const o = this.open.get(h);
    if (o === undefined) return;
    this.open.delete(h);
    this.ops.push({ client: o.client, input: o.input, call: o.call, ret: status === "info" ? Infinity : ret, status, output: status === "info" ? undefined : output });
  }

  abandonAll(): void {
    for (const h of [...this.open.keys()]) this.close(h, "info", undefined, 0);
  }
}

export class UniverseClient implements Actor {
  private process: number;
  private reqId = 0;
  private pending: { h: number; req: UniverseRequest; redirects: number; deadline: number; resendAt: number } | null = null;

  constructor(
    private readonly env: ActorEnv,
    private readonly servers: number,
    private readonly w: EngulaWorkload,
    private readonly rec: UniverseRecorder,
  ) {
    this.process = env.id * 1_000_000;
    env.setTimer(env.now() + env.rng.int(w.thinkMinUs, w.thinkMaxUs));
  }

  onTimer(now: number): void {
    const p = this.pending;
    if (p === null) return this.start(now);
    if (p.resendAt >= 0 && now >= p.resendAt && now < p.deadline) {
      p.resendAt = -1;
      this.env.send(this.env.rng.int(0, this.servers - 1), p.req);
      return this.env.setTimer(p.deadline);
    }
    if (now < p.deadline) return this.env.setTimer(p.resendAt >= 0 ? Math.min(p.resendAt, p.deadline) : p.deadline);
    // No answer in time: it may or may not have happened.
    this.rec.close(p.h, "info", undefined, now);
    this.pending = null;
    this.process++;
    this.think(now);
  }

  private start(now: number): void {
    const env = this.env;
    const x = env.rng.float();
    const unit = env.rng.pick(this.w.units);
    const op: UniverseOp = x < 0.25 ? { f: "create-unit", unit } : x < 0.45 ? { f: "delete-unit", unit } : x < 0.7 ? { f: "list-units" } : x < 0.85 ? { f: "list-nodes" } : { f: "list-members" };
    const req: UniverseRequest = { type: "req", id: ++this.reqId, op };
    const h = this.rec.invoke(this.process, op as UniverseInput, now);
    this.pending = { h, req, redirects: 0, deadline: now + this.w.timeoutUs, resendAt: -1 };
    env.send(env.rng.int(0, this.servers - 1), req);
    env.setTimer(this.pending.deadline);
  }

  onMessage(_from: number, msg: unknown, now: number): void {
    const rep = msg as UniverseReply;
    const p = this.pending;
    if (p === null || rep.id !== p.req.id || p.resendAt >= 0) return; // late, duplicated, or already moving on
    if (rep.kind === "redirect") {
      if (++p.redirects > this.w.maxRedirects) {
        // Giving up. Not "fail": a redirect says only that this copy was not carried out, and
        // an earlier hop (or a duplicate of the request on the network) may have been.
        this.rec.close(p.h, "info", undefined, now);
        this.pending = null;
        this.process++;
        return this.think(now);
      }
      if (rep.to >= 0) return this.env.send(rep.to, p.req);
      p.resendAt = now + this.w.retryUs;
      return this.env.setTimer(p.resendAt);
    }
    this.pending = null;
    if (rep.kind === "unavailable") {
      this.rec.close(p.h, "info", undefined, now);
      this.process++;
    } else this.rec.close(p.h, "ok", rep.result, now);
    this.think(now);
  }

  private think(now: number): void {
    this.env.setTimer(now + this.env.rng.int(this.w.thinkMinUs, this.w.thinkMaxUs));
  }
}
