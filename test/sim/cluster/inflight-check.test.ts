// inflight-bound (src/sim/systems/raft-metadata/inflight-check.ts): a leader's unanswered
// non-empty AppendEntries to a follower, counted on the wire (sends, and the answers delivered
// to the leader through the world's onDeliver hook), stay within maxInflight. A correct leader
// passes; a leader whose pipeline bookkeeping is broken (Progress patched here, in this process
// only) pipelines without bound while its own count looks fine, and fails it.
import { describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { simulate } from "../../../src/api/simulate.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Progress.prototype);

describe("inflight-bound", () => {
  it("passes correct leaders (swarm, every fault family, maxInflight 1, 2 and 8)", () => {
    const seen = new Set<number>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every-fault" : ""}: ${r.message}`).toBe("ok");
        seen.add((r.details as { raft: { maxInflight: number } }).raft.maxInflight);
      }
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it("fails a leader that never counts an append in flight (unbounded pipelining)", () => {
    patch("addInflight", () => function () {});
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^inflight-bound at node \d+, t=[\d.]+ms, term \d+, follower \d+: \d+ non-empty appends unanswered on the wire/);
  });

  it("fails a leader whose acknowledgement frees every append in flight, not only those it covers", () => {
    patch("freeTo", () => function (this: Patchable) {
      (this as { count: number }).count = 0;
    });
    let hit = 0;
    for (const seed of [1, 2, 3]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict !== "ok") {
        expect(r.message).toMatch(/^inflight-bound at node \d+/);
        hit++;
      }
    }
    expect(hit).toBeGreaterThan(0);
  });
});
