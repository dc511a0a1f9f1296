// Glue between the world host's actor contract (src/sim/world.ts) and WorkloadClient: client
// actors live on endpoints firstEndpoint..firstEndpoint+clientCount-1; the client (session) id
// is endpoint - firstEndpoint. Messages from servers are ServerReply objects.
import type { ServerReply } from "../../../../impl/metadata/protocol.js";
import type { Actor, ActorEnv, ActorFactory } from "../../../kernel/world.js";
import { WorkloadClient } from "./client.js";
import type { WorkloadConfig } from "./config.js";
import type { HistoryRecorder } from "./recorder.js";

/** Sees every reply delivered to a client, late and foreign ones too (the wire, for checks). */
export type ReplyTap = (from: number, reply: ServerReply, nowUs: number) => void;

export class WorkloadActor implements Actor {
  readonly client: WorkloadClient;
  constructor(clientId: number, cfg: WorkloadConfig, env: ActorEnv, recorder: HistoryRecorder, private readonly tap?: ReplyTap) {
    this.client = new WorkloadClient(
      clientId,
      cfg,
      {
        rng: env.rng,
        // Txn draws from a stream of their own (forking by label draws nothing from env.rng).
        ...((cfg.txnP ?? 0) > 0 ? { txnRng: env.rng.fork("txn") } : {}),
        send: (to, req) => env.send(to, req),
        setTimer: (at) => env.setTimer(at),
        note: (kind, a, b) => env.note(kind, a, b),
      },
      recorder,
    );
    this.client.start(env.now());
  }
  onMessage(from: number, msg: unknown, nowUs: number): void {
    this.tap?.(from, msg as ServerReply, nowUs);
    this.client.onReply(from, msg as ServerReply, nowUs);
  }
  onTimer(nowUs: number): void {
    this.client.onTimer(nowUs);
  }
}

/** An ActorFactory for the world; `actors` collects the clients (for stop/abandon/counters). */
export function workloadActorFactory(
  cfg: WorkloadConfig,
  recorder: HistoryRecorder,
  firstEndpoint: number,
  actors: WorkloadActor[] = [],
  tap?: ReplyTap,
): ActorFactory {
  return (id, env) => {
    const a = new WorkloadActor(id - firstEndpoint, cfg, env, recorder, tap);
    actors.push(a);
    return a;
  };
}
