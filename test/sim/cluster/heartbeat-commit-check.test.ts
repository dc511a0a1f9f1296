// heartbeat-commit-bound (src/sim/systems/raft-metadata/heartbeat-commit-check.ts): a leader's
// heartbeat carries a commit index no higher than its own and than what the recipient
// acknowledged to it in its term (etcd's sendHeartbeat). On views built here, on correct runs,
// and on a leader broken on purpose.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { callRewritingSends, prototypePatcher, type Patchable } from "./patch-prototype.js";
import { simulate } from "../../../src/api/simulate.js";
import { HeartbeatCommitCheck } from "../../../src/sim/systems/raft-metadata/heartbeat-commit-check.js";
import { TOUCHED_ALL } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";

const S = 1_000_000;
const patchRaft = prototypePatcher(Raft.prototype);
const world = (commit: number): AnyWorld => ({ now: 9_000, nodes: [{ raft: { commitIndex: () => commit } }, null, null] }) as unknown as AnyWorld;
const hb = (commit: number, term = 2) => ({ type: "hb", term, commit });

describe("heartbeat-commit-bound", () => {
  it("fails a heartbeat whose commit index is above the recipient's acknowledgement or the leader's commit", () => {
    const c = new HeartbeatCommitCheck(3);
    expect(c.sentHeartbeat(world(9), 0, 1, hb(5))).toBe("heartbeat-commit-bound at node 0, t=9.000ms, term 2: its heartbeat to node 1 carries commit 5, but node 1 acknowledged at most 0 to it in this term (a heartbeat has no consistency check: etcd's sendHeartbeat sends min(match, committed))");
    c.answerDelivered(1, 0, { type: "appResp", term: 2, index: 7, success: true });
    expect(c.sentHeartbeat(world(9), 0, 1, hb(5))).toBeNull();
    expect(c.sentHeartbeat(world(4), 0, 1, hb(5))).toBe("heartbeat-commit-bound at node 0, t=9.000ms, term 2: its heartbeat to node 1 carries commit 5, above its own commit index 4");
    // A finished snapshot acknowledges its index; a chunk request, a rejection and another term's answer do not.
    c.answerDelivered(2, 0, { type: "snapResp", term: 2, index: 3, next: 1 });
    c.answerDelivered(2, 0, { type: "appResp", term: 2, index: 6, success: false });
    expect(c.sentHeartbeat(world(9), 0, 2, hb(3))).toMatch(/acknowledged at most 0/);
    c.answerDelivered(2, 0, { type: "snapResp", term: 2, index: 3, next: -1 });
    expect(c.sentHeartbeat(world(9), 0, 2, hb(3))).toBeNull();
    expect(c.sentHeartbeat(world(9), 0, 2, hb(3, 3))).toMatch(/acknowledged at most 0 to it in this term/);
    c.answerDelivered(2, 0, { type: "appResp", term: 1, index: 8, success: true }); // older term: kept out
    expect(c.sentHeartbeat(world(9), 0, 2, hb(4))).toMatch(/acknowledged at most 3/);
    expect(c.sentHeartbeat(world(9), 0, 2, hb(0))).toBeNull();
  });

  it("passes correct runs", () => {
    for (const seed of [1, 2, 3]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails a leader whose heartbeats carry its whole commit index (swarm seed 2)", () => {
    patchRaft("onMessage", (orig) => function (this: Patchable, from: unknown, m: unknown, now: unknown) {
      const r = this as unknown as Raft<unknown>;
      return callRewritingSends(this, orig, [from, m, now], (msg) => (msg.type === "hb" ? { ...msg, commit: r.commitIndex() } : msg));
    });
    const r = simulate({ seed: 2, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^heartbeat-commit-bound at node \d+, t=[\d.]+ms, term \d+: its heartbeat to node \d+ carries commit \d+, but node \d+ acknowledged at most/);
  });
});

describe("catch-up-on-heartbeat-answer", () => {
  /** Node 0 leads term 2 with last index `last`; node 1 is a member. */
  const leaderView = (last: number, role = "leader"): AnyWorld =>
    ({ now: 9_000, nodes: [{ raft: { role: () => role, term: () => 2, prs: [undefined, {}, undefined], log: { lastIndex: () => last }, commitIndex: () => 0 } }, null, null] }) as unknown as AnyWorld;
  const hbResp = { type: "hbResp", term: 2 };

  it("fails a leader that sends a lagging member nothing when it answers a heartbeat; passes one that does", () => {
    const c = new HeartbeatCommitCheck(3);
    c.answerDelivered(1, 0, { type: "appResp", term: 2, index: 7, success: true });
    c.deliveredHeartbeatAnswer(leaderView(9), 1, 0, hbResp);
    expect(c.afterEvent(leaderView(9), 0)).toBe("catch-up-on-heartbeat-answer at node 0, t=9.000ms: node 1 answered its heartbeat having acknowledged at most 7 of its 9 entries in this term, and the leader sent it no append or snapshot chunk in that step (etcd stepLeader MsgHeartbeatResp)");
    c.deliveredHeartbeatAnswer(leaderView(9), 1, 0, hbResp);
    c.sentEntries(0, 1);
    expect(c.afterEvent(leaderView(9), 0)).toBeNull();
  });

  it("owes nothing to a caught-up member, a non-member, from a non-leader, or in a fault event", () => {
    const c = new HeartbeatCommitCheck(3);
    c.answerDelivered(1, 0, { type: "appResp", term: 2, index: 9, success: true });
    c.deliveredHeartbeatAnswer(leaderView(9), 1, 0, hbResp);
    expect(c.afterEvent(leaderView(9), 0)).toBeNull();
    c.deliveredHeartbeatAnswer(leaderView(9), 2, 0, hbResp); // no progress for node 2
    c.deliveredHeartbeatAnswer(leaderView(12, "follower"), 1, 0, hbResp);
    expect(c.afterEvent(leaderView(12), 0)).toBeNull();
    c.deliveredHeartbeatAnswer(leaderView(12), 1, 0, hbResp);
    expect(c.afterEvent(leaderView(12), TOUCHED_ALL)).toBeNull();
  });

  it("fails a leader that sends nothing in answer to a heartbeat answer (swarm seed 1)", () => {
    patchRaft("onMessage", (orig) => function (this: Patchable, from: unknown, m: unknown, now: unknown) {
      if ((m as { type: string }).type !== "hbResp") return orig.call(this, from, m, now);
      return callRewritingSends(this, orig, [from, m, now], (msg) => (msg.type === "app" || msg.type === "snap" ? undefined : msg));
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^catch-up-on-heartbeat-answer at node \d+, t=[\d.]+ms: node \d+ answered its heartbeat/);
  });
});
