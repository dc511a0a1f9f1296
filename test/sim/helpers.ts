// Tiny nodes for kernel tests: they record what they see and expose their env.
import type { NodeEnv, Recovered, SimNode } from "../../src/impl/node.js";
import { World, type WorldOptions } from "../../src/sim/kernel/world.js";

export type Msg = { readonly type: "m"; readonly n: number };

export class Probe implements SimNode<Msg, unknown> {
  got: [from: number, n: number, now: number][] = [];
  ticks: number[] = [];
  persisted: number[] = [];
  constructor(readonly env: NodeEnv<Msg, number, unknown>, readonly recovered: Recovered<number> | null) {}
  onMessage(from: number, msg: Msg, now: number): void {
    this.got.push([from, msg.n, now]);
  }
  onTick(now: number): void {
    this.ticks.push(now);
  }
  onClient(): void {}
  onPersisted(token: number): void {
    this.persisted.push(token);
  }
}

export function probeWorld(seed: number, servers: number, extra: Partial<WorldOptions<Msg, unknown, number, unknown>> = {}) {
  const w = new World<Msg, unknown, number, unknown>({
    seed,
    servers,
    factory: (_id, env, rec) => new Probe(env, rec),
    net: { latencyMedianUs: 1000, latencySigma: 0, lossP: 0, dupP: 0 },
    clockOffsetMaxUs: 0,
    ...extra,
  });
  w.start();
  const node = (i: number) => w.nodes[i] as Probe;
  return { w, node };
}
