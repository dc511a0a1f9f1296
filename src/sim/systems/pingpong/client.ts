// pingpong's client: asks a random server for its counter now and then, and records replies in
// the trace. Exercises the client path of the world host. (Template: a system's clients are
// actors on endpoints N..N+C-1 that talk to servers through the simulated network.)
import type { PRep } from "../../../impl/pingpong/node.js";
import type { Actor, ActorEnv } from "../../kernel/world.js";

export class PingPongClient implements Actor {
  replies = 0;
  constructor(private readonly env: ActorEnv, private readonly servers: number, private readonly periodUs: number) {
    env.setTimer(env.now() + env.rng.int(0, periodUs));
  }
  onTimer(now: number): void {
    this.env.send(this.env.rng.int(0, this.servers - 1), { type: "get" });
    this.env.setTimer(now + this.periodUs);
  }
  onMessage(from: number, msg: unknown, _now: number): void {
    this.replies++;
    this.env.note(1, from, (msg as PRep).counter);
  }
}
