// The conformance suite's world (src/api/valkey-conformance/world.ts) on a trivial module: unsynced
// records are lost on a crash and synced ones come back, a partition drops what is sent across it
// while messages in flight still arrive, loss draws nothing when off, and ticks of a dead
// incarnation never reach the new one.
import { describe, expect, it } from "vitest";
import { ConformanceWorld, MS } from "../../src/api/valkey-conformance/world.js";
import type { ClusteringModule, ClusterPlan, ModuleContext } from "../../src/impl/valkey-contract/contract.js";

const plan: ClusterPlan = { shards: [{ shardId: "s", members: [0, 1].map((nodeId) => ({ nodeId, address: `h${nodeId}` })) }] };

/** Records what it gets; node 0 persists and sends on command. */
class Probe implements ClusteringModule {
  static last = new Map<number, Probe>();
  readonly got: { from: number; msg: unknown; at: number }[] = [];
  ticks = 0;
  constructor(readonly ctx: ModuleContext) {
    Probe.last.set(ctx.id, this);
  }
  onMessage(from: number, msg: unknown, now: number): void {
    this.got.push({ from, msg, at: now });
  }
  onTick(): void {
    this.ticks++;
  }
  onPersisted(): void {}
  joinCluster(): void {}
  removeFromCluster(): void {}
  joinShard(): void {}
  removeFromShard(): void {}
  updateGossip(): void {}
  updateShardLog(): void {}
  readGossip(): null {
    return null;
  }
  readShardLog(): null {
    return null;
  }
}

/** A local time in the past: the world ticks it at once. */
const w0 = (_ctx: ModuleContext): number => -1e12;

const world = (o: { lossRate?: number } = {}) => new ConformanceWorld({ seed: 3, plan, factory: (ctx) => new Probe(ctx), ...o });

describe("conformance world", () => {
  it("a crash loses unsynced records; synced ones come back on restart", () => {
    const w = world();
    const p = Probe.last.get(0)!;
    p.ctx.env.persist(["synced"], true);
    w.run(w.now + 5 * MS);
    p.ctx.env.persist(["unsynced"], false);
    w.crash(0);
    w.restart(0);
    expect(Probe.last.get(0)!.ctx.recovered!.records).toEqual(["synced"]);
  });

  it("a partition drops messages sent across it; one already in flight still arrives", () => {
    const w = world();
    Probe.last.get(0)!.ctx.env.send(1, "before");
    w.partition([0], [1]);
    Probe.last.get(0)!.ctx.env.send(1, "during");
    w.run(w.now + 10 * MS);
    w.healAll();
    Probe.last.get(0)!.ctx.env.send(1, "after");
    w.run(w.now + 10 * MS);
    expect(Probe.last.get(1)!.got.map((g) => g.msg)).toEqual(["before", "after"]);
  });

  it("loses about the share of messages asked for, and the same ones for the same seed", () => {
    const run = (): number => {
      const w = world({ lossRate: 0.3 });
      for (let i = 0; i < 1000; i++) Probe.last.get(0)!.ctx.env.send(1, i);
      w.run(w.now + 10 * MS);
      return Probe.last.get(1)!.got.length;
    };
    const n = run();
    expect(n).toBeGreaterThan(640);
    expect(n).toBeLessThan(760);
    expect(run()).toBe(n);
  });

  it("stops a module that keeps waking itself at the same instant, with a message instead of running out of memory", () => {
    const w = new ConformanceWorld({ seed: 3, plan, factory: (ctx) => {
      const p = new Probe(ctx);
      p.onTick = () => ctx.env.wakeAt(ctx.env.rng.int(0, 0) + w0(ctx)); // always "now" again
      return p;
    } });
    Probe.last.get(0)!.ctx.env.wakeAt(0);
    expect(() => w.run(10 * MS)).toThrow(/events at .*wake-up loop/);
  });

  it("a wake-up asked by a crashed incarnation never ticks the restarted one", () => {
    const w = world();
    Probe.last.get(0)!.ctx.env.wakeAt(Probe.last.get(0)!.ctx.now + 50 * MS);
    w.crash(0);
    w.restart(0);
    w.run(w.now + 100 * MS);
    expect(Probe.last.get(0)!.ticks).toBe(0);
  });
});
