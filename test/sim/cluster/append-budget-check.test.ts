// append-budget (src/sim/systems/raft-metadata/append-budget-check.ts): a leader sends no
// AppendEntries that tell a follower nothing — no second empty append in a step, no empty append
// to a follower that holds its prevIndex and was told its commit, no entry re-sent while
// replicating. On messages built here (each rule must pass and must fail), on correct runs (must
// pass), and on a leader broken on purpose (Progress patched, in this process only) that rewinds
// its pipeline to every acknowledgement (must fail).
import { describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { simulate } from "../../../src/api/simulate.js";
import { AppendBudgetCheck } from "../../../src/sim/systems/raft-metadata/append-budget-check.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Progress.prototype);

function fakeWorld(n: number, leader: number, term: number): AnyWorld & { sched: { executed: number } } {
  const nodes = [];
  for (let i = 0; i < n; i++) nodes.push({ raft: { term: () => term, role: () => (i === leader ? "leader" : "follower"), prs: [] } });
  return { nodes, sched: { executed: 1 }, now: 0, restores: new Int32Array(n), incarnation: () => 0 } as unknown as AnyWorld & { sched: { executed: number } };
}

const app = (prevIndex: number, entries: number, commit: number) => ({ type: "app", term: 2, prevIndex, commit, entries: new Array(entries).fill(null) });
const ack = (index: number) => ({ type: "appResp", term: 2, success: true, index });
const rej = (index: number) => ({ type: "appResp", term: 2, success: false, index });
const hbResp = { type: "hbResp", term: 2 };

describe("append-budget on messages", () => {
  /** A leader that has replicated entries 1..10 to follower 1 (commit 8 sent with them). */
  function replicating(): { c: AppendBudgetCheck; w: ReturnType<typeof fakeWorld> } {
    const c = new AppendBudgetCheck(2);
    const w = fakeWorld(2, 0, 2);
    expect(c.onSend(w, 0, 1, app(0, 5, 0))).toBeNull(); // the first probe
    w.sched.executed++;
    c.onDeliver(w, 1, 0, ack(5)); // ends probing: the pipeline
    expect(c.onSend(w, 0, 1, app(5, 5, 8))).toBeNull();
    w.sched.executed++;
    c.onDeliver(w, 1, 0, ack(10));
    w.sched.executed++;
    return { c, w };
  }

  it("(a) a second empty append in one step fails; one passes", () => {
    const { c, w } = replicating();
    expect(c.onSend(w, 0, 1, app(10, 1, 11))).toBeNull();
    expect(c.onSend(w, 0, 1, app(11, 0, 11))).toBeNull();
    expect(c.onSend(w, 0, 1, app(11, 0, 11))).toMatch(/^append-budget at node 0, t=0.000ms, term 2: the leader sent follower 1 a second empty append \(prevIndex 11\) in the same step$/);
  });

  it("(b) an empty append to a follower that acknowledged its prevIndex and was told its commit fails", () => {
    const { c, w } = replicating();
    c.onDeliver(w, 1, 0, hbResp);
    expect(c.onSend(w, 0, 1, app(10, 0, 8))).toMatch(/an empty append from prevIndex 10, which it had acknowledged \(up to 10\), with commit 8 it had already been sent \(8\)$/);
    w.sched.executed++;
    expect(c.onSend(w, 0, 1, app(10, 0, 12))).toBeNull(); // a commit it was not told (10): passes
    w.sched.executed++;
    expect(c.onSend(w, 0, 1, app(10, 0, 12))).toMatch(/with commit 12 it had already been sent \(10\)$/);
    w.sched.executed++;
    c.onDeliver(w, 1, 0, rej(10)); // after a rejection it is the probe: passes
    expect(c.onSend(w, 0, 1, app(10, 0, 12))).toBeNull();
  });

  it("(c) entries re-sent while replicating fail; after a rejection, a heartbeat answer or at the end of probing they pass", () => {
    const { c, w } = replicating();
    c.onDeliver(w, 1, 0, ack(10)); // a duplicate acknowledgement
    expect(c.onSend(w, 0, 1, app(8, 2, 10))).toMatch(/the leader sent follower 1 entries 9..10 again \(entries up to 10 already sent\) in a step with no rejection, heartbeat or snapshot answer from it and no end of probing$/);
    w.sched.executed++;
    c.onDeliver(w, 1, 0, hbResp); // a heartbeat answer: a lost append may be re-sent
    expect(c.onSend(w, 0, 1, app(8, 2, 10))).toBeNull();
    w.sched.executed++;
    c.onDeliver(w, 1, 0, rej(10)); // a rejection: probing from 6
    expect(c.onSend(w, 0, 1, app(6, 4, 10))).toBeNull();
    w.sched.executed++;
    c.onDeliver(w, 1, 0, ack(8)); // a late acknowledgement ends probing: replicate from 9
    expect(c.onSend(w, 0, 1, app(8, 2, 10))).toBeNull();
    w.sched.executed++;
    c.onDeliver(w, 1, 0, ack(9));
    expect(c.onSend(w, 0, 1, app(9, 1, 10))).toMatch(/entries 10..10 again/);
  });
});

describe("append-budget on runs", () => {
  it("passes correct leaders", () => {
    for (const seed of [1, 2, 3, 7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails a leader that rewinds its pipeline to every acknowledgement", () => {
    patch("freeTo", (orig) => function (this: Patchable, ...a: unknown[]) {
      const self = this as { next: number; replicate: boolean };
      const index = a[0] as number;
      // Re-send everything after the acknowledged index (the in-flight appends too).
      if (self.replicate && self.next > index + 1) self.next = index + 1;
      orig.apply(this, a);
    });
    const found: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation" && /^append-budget .* again/.test(r.message ?? "")) found.push(r.message!);
    }
    expect(found.length, found.join("\n")).toBeGreaterThanOrEqual(3);
  });
});
