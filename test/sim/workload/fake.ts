// Test doubles for the workload client: a seeded rng and an env that records effects.
import type { ImplRng } from "../../../src/impl/node.js";
import type { ClientRequest } from "../../../src/impl/metadata/protocol.js";
import type { ClientEnv } from "../../../src/sim/systems/raft-metadata/clients/client.js";

/** mulberry32: tiny, deterministic. */
export class TestRng implements ImplRng {
  constructor(private s: number) {}
  float(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
}

export class FakeEnv implements ClientEnv {
  readonly rng: ImplRng;
  readonly sends: { to: number; req: ClientRequest }[] = [];
  timer = -1;
  timerCalls = 0;
  constructor(seed = 1) {
    this.rng = new TestRng(seed);
  }
  send(to: number, req: ClientRequest): void {
    this.sends.push({ to, req });
  }
  setTimer(at: number): void {
    this.timer = at;
    this.timerCalls++;
  }
  last(): { to: number; req: ClientRequest } {
    const s = this.sends[this.sends.length - 1];
    if (s === undefined) throw new Error("no sends");
    return s;
  }
}
