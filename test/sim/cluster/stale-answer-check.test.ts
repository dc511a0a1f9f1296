// stale-answer and resend-below-ack (src/sim/systems/raft-metadata/stale-answer-check.ts): a
// leader ignores answers older than what the follower last told it, and never re-sends from
// below what the follower acknowledged. Judged on messages built here (each rule must pass and
// must fail), on correct runs (must pass), and on runs of leaders broken on purpose, in this
// process only: one that acts on every rejection as if it answered its current probe (a Raft
// without etcd's MaybeDecrTo staleness test), one that backs off below the follower's match.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { simulate } from "../../../src/api/simulate.js";
import { StaleAnswerCheck } from "../../../src/sim/systems/raft-metadata/stale-answer-check.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Progress.prototype);

// The broken leader of "acts on every rejection": the real handler, told each rejection is the
// answer to the probe it waits for (switched on per test).
const broken = vi.hoisted(() => ({ actOnEveryRejection: false }));
vi.mock("../../../src/impl/raft/step-leader.js", async (importOriginal) => {
  const mod = await importOriginal<typeof import("../../../src/impl/raft/step-leader.js")>();
  return {
    ...mod,
    stepLeader: (r: Parameters<typeof mod.stepLeader>[0], from: number, m: Parameters<typeof mod.stepLeader>[2], now: number) => {
      const pr = r.prs[from];
      if (broken.actOnEveryRejection && m.type === "appResp" && !m.success && m.index > 0 && pr !== undefined) {
        if (pr.replicate) pr.becomeProbe(pr.next);
        pr.next = m.index + 1;
        if (pr.match >= m.index) pr.match = m.index - 1;
      }
      mod.stepLeader(r, from, m, now);
    },
  };
});
afterEach(() => {
  broken.actOnEveryRejection = false;
});

/** A world of n nodes where `leader` leads term `term`; the event number is set per step. */
function fakeWorld(n: number, leader: number, term: number): AnyWorld & { sched: { executed: number } } {
  const nodes = [];
  for (let i = 0; i < n; i++) nodes.push({ raft: { term: () => term, role: () => (i === leader ? "leader" : "follower"), prs: [] } });
  return { nodes, sched: { executed: 1 }, now: 0, restores: new Int32Array(n), incarnation: () => 0 } as unknown as AnyWorld & { sched: { executed: number } };
}

const app = (prevIndex: number, term = 2) => ({ type: "app", term, prevIndex, entries: [] });
const ack = (index: number, term = 2) => ({ type: "appResp", term, success: true, index, hintIndex: 0, hintTerm: 0 });
const rej = (index: number, hintIndex: number, term = 2) => ({ type: "appResp", term, success: false, index, hintIndex, hintTerm: 0 });
const chunk = (index: number, term = 2) => ({ type: "snap", term, index, chunk: 0 });
const wants = (index: number, next: number, term = 2) => ({ type: "snapResp", term, index, next });

describe("stale-answer and resend-below-ack on messages", () => {
  it("a leader that backs off below an acknowledgement fails; at or above it passes", () => {
    const c = new StaleAnswerCheck(3);
    const w = fakeWorld(3, 0, 2);
    expect(c.onSend(w, 0, 1, app(0))).toBeNull();
    c.onDeliver(w, 1, 0, ack(10));
    w.sched.executed++;
    expect(c.onSend(w, 0, 1, app(10))).toBeNull();
    expect(c.onSend(w, 0, 1, app(9))).toMatch(/^resend-below-ack at node 0, t=0.000ms, term 2: the leader sent follower 1 an append from prevIndex 9, but the follower had acknowledged up to 10 in this term$/);
    // Another term starts afresh (a new leader knows nothing of the follower).
    expect(c.onSend(w, 0, 1, app(3, 3))).toBeNull();
    // A snapshot the follower already acknowledged.
    c.onDeliver(fakeWorld(3, 0, 3), 1, 0, ack(20, 3));
    expect(c.onSend(w, 0, 1, chunk(20, 3))).toMatch(/^resend-below-ack .*a chunk of the snapshot at 20, but the follower had acknowledged up to 20/);
  });

  it("a follower restarted or restored, or tracked afresh by the leader, starts a new floor", () => {
    const c = new StaleAnswerCheck(3);
    const inc = [0, 0, 0];
    const w = fakeWorld(3, 0, 2);
    (w as unknown as { incarnation: (i: number) => number }).incarnation = (i) => inc[i];
    c.onDeliver(w, 1, 0, ack(10));
    w.sched.executed++;
    expect(c.onSend(w, 0, 1, app(3))).toMatch(/^resend-below-ack/);
    inc[1]++; // follower 1 restarted: what it acknowledged before may be lost
    expect(c.onSend(w, 0, 1, app(3))).toBeNull();
    c.onDeliver(w, 1, 0, ack(10));
    w.sched.executed++;
    (w.nodes[0] as unknown as { raft: { prs: unknown[] } }).raft.prs[1] = {}; // a new Progress
    expect(c.onSend(w, 0, 1, app(3))).toBeNull();
  });

  it("a rejection acted on whose hint says the follower holds less lowers the floor (it lost data)", () => {
    const c = new StaleAnswerCheck(3);
    const w = fakeWorld(3, 0, 2);
    c.onDeliver(w, 1, 0, ack(10));
    w.sched.executed++;
    c.onDeliver(w, 1, 0, rej(10, 6));
    expect(c.onSend(w, 0, 1, app(6))).toBeNull();
    w.sched.executed++;
    expect(c.onSend(w, 0, 1, app(5))).toMatch(/^resend-below-ack/);
  });

  it("a rejection below the floor, or not below one acted on, gets no probe in its step", () => {
    const c = new StaleAnswerCheck(3);
    const w = fakeWorld(3, 0, 2);
    c.onDeliver(w, 1, 0, ack(10));
    w.sched.executed++;
    c.onDeliver(w, 1, 0, rej(8, 5));
    expect(c.onSend(w, 0, 1, app(10))).toMatch(/^stale-answer at node 0, t=0.000ms, term 2: follower 1 sent a rejection of index 8, below the 10 it had acknowledged \(stale\), and in that step the leader sent it an append from index 10$/);
    // A rejection above the floor is acted on (a probe below it); a later one at or above it is stale.
    w.sched.executed++;
    c.onDeliver(w, 1, 0, rej(30, 20));
    expect(c.onSend(w, 0, 1, app(20))).toBeNull();
    w.sched.executed++;
    c.onDeliver(w, 1, 0, rej(30, 20));
    expect(c.onSend(w, 0, 1, app(20))).toMatch(/rejection of index 30, not below the rejection of 30 already acted on/);
    // The next step is another event: a send there is not this answer's.
    w.sched.executed++;
    expect(c.onSend(w, 0, 1, app(20))).toBeNull();
    // Below the one acted on: acted on again; an acknowledgement ends the episode.
    c.onDeliver(w, 1, 0, rej(20, 15));
    expect(c.onSend(w, 0, 1, app(15))).toBeNull();
    w.sched.executed++;
    c.onDeliver(w, 1, 0, ack(15));
    w.sched.executed++;
    c.onDeliver(w, 1, 0, rej(30, 25));
    expect(c.onSend(w, 0, 1, app(25))).toBeNull();
  });

  it("a chunk request of a snapshot acknowledged, or not the one last sent, gets no chunk in its step", () => {
    const c = new StaleAnswerCheck(3);
    const w = fakeWorld(3, 0, 2);
    expect(c.onSend(w, 0, 2, chunk(40))).toBeNull();
    w.sched.executed++;
    c.onDeliver(w, 2, 0, wants(40, 1));
    expect(c.onSend(w, 0, 2, chunk(40))).toBeNull();
    w.sched.executed++;
    c.onDeliver(w, 2, 0, wants(30, 1));
    expect(c.onSend(w, 0, 2, chunk(40))).toMatch(/follower 2 sent a request for a chunk of the snapshot at 30, not the one last sent to it \(at 40\) \(stale\)/);
    w.sched.executed++;
    c.onDeliver(w, 2, 0, wants(40, -1));
    expect(c.onSend(w, 0, 2, app(40))).toBeNull();
    w.sched.executed++;
    c.onDeliver(w, 2, 0, wants(40, 2));
    expect(c.onSend(w, 0, 2, app(40))).toMatch(/snapshot at 40, which it had already acknowledged \(up to 40\)/);
  });

  it("answers of another term, or to a node not leading, are not judged", () => {
    const c = new StaleAnswerCheck(3);
    const w = fakeWorld(3, 1, 2);
    c.onDeliver(w, 1, 0, ack(10)); // node 0 is not the leader
    expect(c.onSend(w, 0, 1, app(3))).toBeNull();
    c.onDeliver(fakeWorld(3, 0, 3), 1, 0, ack(10, 2)); // the leader is in term 3
    expect(c.onSend(w, 0, 1, app(3))).toBeNull();
  });
});

describe("stale-answer and resend-below-ack on runs", () => {
  it("passes correct leaders", () => {
    for (const seed of [1, 2, 3, 7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails a leader that acts on every rejection as the answer to its current probe", () => {
    broken.actOnEveryRejection = true;
    const found: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation" && /^(stale-answer|resend-below-ack) /.test(r.message ?? "")) found.push(r.message!);
    }
    expect(found.length, found.join("\n")).toBeGreaterThanOrEqual(2);
  });

  it("fails a leader that backs off below the follower's match", () => {
    patch("becomeProbe", (orig) => function (this: Patchable, ...a: unknown[]) {
      const self = this as { match: number };
      const next = a[0] as number;
      // Two entries below what the rejection allowed, even below match.
      orig.apply(this, [self.match > 2 && next > 3 ? next - 3 : next]);
    });
    const found: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation" && /^resend-below-ack /.test(r.message ?? "")) found.push(r.message!);
    }
    expect(found.length, found.join("\n")).toBeGreaterThanOrEqual(2);
  });
});
