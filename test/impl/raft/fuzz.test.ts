// Randomized safety check of the correct implementation (no planted bugs): random delivery
// order, loss, duplication, partitions, crashes that lose unsynced writes, restarts, late
// fsyncs. Checks Election Safety and State Machine Safety online (the implementation's own
// invariant assertions run too), then liveness after healing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RaftBugName } from "../../../src/impl/raft/api.js";
import { Net, mulberry32 } from "./harness.js";

export interface FuzzOutcome {
  violation: string | null;
}

export function fuzz(seed: number, bugs: RaftBugName[] = [], steps = 4000): FuzzOutcome {
  const ids = [1, 2, 3, 4, 5];
  const net = new Net(ids, { maxBatch: 3, maxInflight: 2 }, bugs, seed);
  net.autoSync = false;
  const rng = mulberry32(seed ^ 0x5eed);
  const leaderOf = new Map<number, number>();
  const appliedAt = new Map<number, string>();
  let violation: string | null = null;
  let proposals = 0;

  const check = (): void => {
    for (const n of net.nodes.values()) {
      const r = n.raft;
      if (r.role() === "leader") {
        const prev = leaderOf.get(r.term());
        if (prev !== undefined && prev !== n.id) violation ??= `two leaders in term ${r.term()}: ${prev}, ${n.id}`;
        leaderOf.set(r.term(), n.id);
      }
      for (const e of n.applied) {
        const key = `${e.term}:${String(e.data)}`;
        const prev = appliedAt.get(e.index);
        if (prev !== undefined && prev !== key) violation ??= `index ${e.index} applied as ${prev} and ${key}`;
        appliedAt.set(e.index, key);
      }
    }
  };

  for (let step = 0; step < steps && violation === null; step++) {
    const x = rng.float();
    if (x < 0.55 && net.queue.length > 0) {
      const k = rng.int(0, net.queue.length - 1);
      const s = net.queue[k];
      if (rng.float() < 0.8) net.queue.splice(k, 1); // else: duplicate (stays queued)
      const to = net.node(s.to);
      if (to.up && rng.float() > 0.1) to.raft.onMessage(s.from, s.msg, net.now);
    } else if (x < 0.75) {
      const n = net.node(rng.int(1, 5));
      if (n.up) n.sync();
    } else if (x < 0.87) {
      net.now += rng.int(10, 400);
      for (const n of net.nodes.values()) if (n.up && n.wake <= net.now) n.raft.onTick(net.now);
    } else if (x < 0.95) {
      for (const n of net.nodes.values()) {
        if (n.up && n.raft.role() === "leader") {
          n.raft.propose(`p${proposals++}`, net.now);
          if (rng.float() < 0.3) n.raft.readIndex(proposals, net.now);
        }
      }
    } else if (x < 0.975) {
      const n = net.node(rng.int(1, 5));
      if (n.up) {
        // crash: a random prefix of the unsynced writes survives
        const keep = rng.int(0, n.pending.length);
        for (let j = 0; j < keep; j++) n.durable.push(...n.pending[j].recs);
        n.pending = [];
        n.up = false;
      }
    } else {
      const down = [...net.nodes.values()].filter((n) => !n.up);
      if (down.length > 0) {
        const n = down[rng.int(0, down.length - 1)];
        n.up = true;
        n.restart();
      }
    }
    check();
  }
  if (violation !== null) return { violation };
  // heal: everyone up, reliable network, fsyncs immediate
  for (const n of net.nodes.values()) if (!n.up) {
    n.up = true;
    n.restart();
  }
  net.autoSync = true;
  net.run(net.now + 30_000);
  check();
  const leaders = net.leaders();
  if (violation === null && leaders.length !== 1) violation = `liveness: ${leaders.length} leaders after heal`;
  if (violation === null) {
    const l = net.raft(leaders[0]);
    l.propose("final", net.now);
    net.run(net.now + 5000);
    check();
    for (const n of net.nodes.values()) {
      if (n.raft.commitIndex() !== l.lastIndex()) violation ??= `liveness: node ${n.id} commit ${n.raft.commitIndex()} != ${l.lastIndex()}`;
    }
  }
  return { violation };
}

describe("randomized safety", () => {
  it("no violations over many seeds with faults (no planted bugs)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const out = fuzz(seed);
        expect(out.violation).toBeNull();
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});
