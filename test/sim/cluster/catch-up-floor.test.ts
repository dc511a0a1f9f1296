// The catch-up floor of raft-metadata's liveness phase (src/sim/systems/raft-metadata/
// liveness.ts): once the faults heal, the cluster must be healthy — every client served, a
// leader followed by a majority, every member applied what that leader had committed — within
// 60% of the liveness window. Correct runs get there in at most ~1 s of the 2 s (10-s runs);
// a leader whose pipeline never releases a slot for a lost append (Progress patched here, in
// this process only) leaves a follower behind for good: slow, not wrong, and only this says so.
// Past the floor, the members' remaining backlog buys time at a lower bound of the pipeline's
// rate (a swarm seed may draw one entry per round trip): seeds 28320, 25609 and every-fault
// 16351 failed the floor alone while replication moved steadily, after the operator promoted a
// learner that had not caught up; a member that takes no append still fails.
import { afterEach, describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { MetaServer } from "../../../src/impl/metadata/server.js";
import { Network } from "../../../src/sim/kernel/network.js";
import { simulate } from "../../../src/api/simulate.js";

const S = 1_000_000;
type Patchable = Record<string, unknown>;
const proto = Progress.prototype as unknown as Patchable;
const serverProto = MetaServer.prototype as unknown as Patchable;
const netProto = Network.prototype as unknown as Patchable;
const saved = new Map<string, unknown>();
const savedServer = new Map<string, unknown>();
const savedNet = new Map<string, unknown>();
afterEach(() => {
  for (const [k, v] of saved) proto[k] = v;
  for (const [k, v] of savedServer) serverProto[k] = v;
  for (const [k, v] of savedNet) netProto[k] = v;
  saved.clear();
  savedServer.clear();
  savedNet.clear();
});

/** The runs that failed the floor alone: maxBatch 1 × maxInflight 1, a learner promoted before
 * it caught up (member-change-transfer in 28320 and 16351, member-churn in 25609). */
const NARROW: readonly { seed: number; everyFamily: boolean }[] = [
  { seed: 28320, everyFamily: false },
  { seed: 25609, everyFamily: false },
  { seed: 16351, everyFamily: true },
];

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

describe("catch-up floor on a narrow pipeline (one entry per round trip)", () => {
  for (const { seed, everyFamily } of NARROW) {
    for (const sutAsserts of [false, true]) {
      it(`${everyFamily ? "every-fault " : ""}seed ${seed} at 10 s runs ok, assertions ${sutAsserts ? "on" : "off"}`, () => {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      });
    }
  }

  it("still fails a follower that takes no append after the final heal (the backlog allowance runs out)", () => {
    // From heal-all on (the only caller of Network.clearSlow), the first server an append
    // reaches drops every append: it answers heartbeats, so it stays a follower, and copies
    // nothing. Only the harness's end judgement runs (onlineChecks "none"): it is this rule's.
    let healed = false;
    let victim = -1;
    savedNet.set("clearSlow", netProto.clearSlow);
    const clearSlow = netProto.clearSlow as (this: unknown) => void;
    netProto.clearSlow = function (this: unknown) {
      healed = true;
      clearSlow.call(this);
    };
    savedServer.set("onMessage", serverProto.onMessage);
    const onMessage = serverProto.onMessage as (this: { id: number }, from: number, msg: { type: string }, now: number) => void;
    serverProto.onMessage = function (this: { id: number }, from: number, msg: { type: string }, now: number) {
      if (healed && msg.type === "app") {
        if (victim < 0) victim = this.id;
        if (this.id === victim) return;
      }
      onMessage.call(this, from, msg, now);
    };
    const messages: string[] = [];
    for (const { seed, everyFamily } of NARROW) {
      healed = false;
      victim = -1;
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily, systemOptions: { onlineChecks: "none" } }).result;
      expect(victim, `seed ${seed}`).toBeGreaterThanOrEqual(0);
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("liveness");
      messages.push(r.message ?? "");
    }
    // Where the victim is one of two voters, nothing commits and the older end verdict speaks
    // first (25609 and 16351); where it is not (28320), this rule does, after the allowance.
    for (const m of messages) expect(m).toMatch(/^(replication did not catch up: the cluster was not healthy 2\.0s after the final heal \(.*\)(, nor [\d.]+s after it( \(the end of the window\))?, the time member \d+'s backlog of \d+ entries \([\d.]+s after the heal\) at 1 entry per round trip \(mean [\d.]+ms\) allowed \(.*\))?|no client operation succeeded in the 3\.3s after the final heal)$/);
    expect(messages.filter((m) => m.includes(", nor ")).length).toBeGreaterThan(0);
  });
});
