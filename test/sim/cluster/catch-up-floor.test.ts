// The catch-up floor of raft-metadata's liveness phase (src/sim/systems/raft-metadata/
// liveness.ts): once the faults heal, the cluster must be healthy — every client served, a
// leader followed by a majority, every member applied what that leader had committed — within
// 60% of the liveness window. Correct runs get there in at most ~1 s of the 2 s (10-s runs);
// a leader whose pipeline never releases a slot for a lost append (Progress patched here, in
// this process only) leaves a follower behind for good: slow, not wrong, and only this says so.
import { afterEach, describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { simulate } from "../../../src/api/simulate.js";

const S = 1_000_000;
type Patchable = Record<string, unknown>;
const proto = Progress.prototype as unknown as Patchable;
const saved = new Map<string, unknown>();
afterEach(() => {
  for (const [k, v] of saved) proto[k] = v;
  saved.clear();
});

describe("catch-up floor", () => {
  it("passes correct runs", () => {
    for (const seed of [22, 31, 41]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
  });

  it("fails a leader whose full pipeline never frees a slot on a heartbeat answer (freeFirst broken)", () => {
    saved.set("freeFirst", proto.freeFirst);
    proto.freeFirst = function () {};
    const messages: string[] = [];
    // (Seeds 22 and, since the window families, 31 are failed first by the older liveness
    // message: their clients' operations stay unanswered.)
    for (const seed of [41, 56]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict !== "ok") messages.push(r.message ?? "");
    }
    expect(messages.length).toBeGreaterThan(0);
    // catch-up-on-heartbeat-answer (heartbeat-commit-check.ts) judges online what this liveness
    // message judges after the heal: a leader that hears a lagging member's heartbeat answer and
    // sends it nothing. On the merged main it fails these seeds first; either is this bug's.
    for (const m of messages) expect(m).toMatch(/^(replication did not catch up: the cluster was not healthy 2\.0s after the final heal \(member \d+ applied \d+, leader \d+ had committed \d+\)$|catch-up-on-heartbeat-answer at node \d+, t=[\d.]+ms)/);
  });
});
