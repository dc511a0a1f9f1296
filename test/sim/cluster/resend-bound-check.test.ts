// resend-bound (src/sim/systems/raft-metadata/resend-bound-check.ts): the probe after a
// rejection starts no lower than the rejection's conflict hint shows the logs agree. The bound on
// logs built here, correct runs (must pass), and a leader broken on purpose (Progress patched, in
// this process only) that backs off one entry further than the hint allows (must fail).
import { describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { simulate } from "../../../src/api/simulate.js";
import { justifiedProbe, ResendBoundCheck } from "../../../src/sim/systems/raft-metadata/resend-bound-check.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Progress.prototype);

/** A log view from its terms (index 1..), optionally compacted up to `snap`. */
function log(terms: number[], snap = 0): Parameters<typeof justifiedProbe>[0] {
  return {
    lastIndex: () => terms.length,
    snapshotIndex: () => snap,
    snapshotTerm: () => (snap === 0 ? 0 : terms[snap - 1]),
    entry: (i: number) => (i > snap && i <= terms.length ? { term: terms[i - 1] } : undefined),
  };
}

describe("resend-bound", () => {
  it("the lowest probe a hint justifies", () => {
    // The follower's log ends at 4 (hint term 0): probe from 4, or below the rejected index.
    expect(justifiedProbe(log([1, 1, 2, 2, 2, 2, 2]), 7, 4, 0)).toBe(4);
    expect(justifiedProbe(log([1, 1, 2, 2, 2, 2, 2]), 3, 4, 0)).toBe(2);
    // The follower has term 2 from 3 to 7; the leader has term 2 up to 5: they agree up to 5.
    expect(justifiedProbe(log([1, 1, 2, 2, 2, 3, 3, 3]), 7, 3, 2)).toBe(5);
    // The leader has no entry of term 2 at or above the hint's 3: only below 3 can they agree.
    expect(justifiedProbe(log([1, 1, 3, 3, 3, 3, 3]), 7, 3, 2)).toBe(2);
    // Compacted below: the walk stops at the leader's snapshot.
    expect(justifiedProbe(log([1, 1, 2, 2, 3, 3, 3], 5), 7, 3, 2)).toBe(2);
  });

  it("judges the probe sent in the step of the rejection, and only it", () => {
    const leader = { term: () => 2, role: () => "leader", ...log([1, 1, 2, 2, 2, 3, 3, 3]) };
    const w = { nodes: [{ raft: leader }, null], sched: { executed: 1 }, now: 0 } as unknown as AnyWorld & { sched: { executed: number } };
    const c = new ResendBoundCheck(2);
    c.onDeliver(w, 1, 0, { type: "appResp", term: 2, success: false, index: 7, hintIndex: 3, hintTerm: 2 });
    expect(c.onSend(w, 0, 1, { type: "app", term: 2, prevIndex: 4 })).toMatch(/^resend-bound at node 0, t=0.000ms, term 2: follower 1 rejected index 7 with a hint that shows it holds the leader's entries up to 5, and the leader's next probe was an append from prevIndex 4$/);
    c.onDeliver(w, 1, 0, { type: "appResp", term: 2, success: false, index: 7, hintIndex: 3, hintTerm: 2 });
    expect(c.onSend(w, 0, 1, { type: "app", term: 2, prevIndex: 5 })).toBeNull();
    expect(c.onSend(w, 0, 1, { type: "app", term: 2, prevIndex: 1 })).toBeNull(); // not the probe
    w.sched.executed++;
    c.onDeliver(w, 1, 0, { type: "appResp", term: 2, success: false, index: 7, hintIndex: 3, hintTerm: 2 });
    expect(c.onSend(w, 0, 1, { type: "snap", term: 2, index: 5 })).toMatch(/a snapshot at 5 instead of the entries after 5$/);
    c.onDeliver(w, 1, 0, { type: "appResp", term: 2, success: false, index: 7, hintIndex: 3, hintTerm: 2 });
    expect(c.onSend(w, 0, 1, { type: "snap", term: 2, index: 6 })).toBeNull();
    w.sched.executed++;
    expect(c.onSend(w, 0, 1, { type: "app", term: 2, prevIndex: 0 })).toBeNull(); // another step
  });

  it("passes correct leaders", () => {
    for (const seed of [1, 2, 3, 7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails a leader that backs off one entry further than the hint", () => {
    patch("becomeProbe", (orig) => function (this: Patchable, ...a: unknown[]) {
      const self = this as { match: number; replicate: boolean; next: number };
      const next = a[0] as number;
      // Only after a rejection (next lower than before, not a snapshot's done): one lower.
      orig.apply(this, [next < self.next && next - 1 > self.match ? next - 1 : next]);
    });
    const found: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation" && /^resend-bound /.test(r.message ?? "")) found.push(r.message!);
    }
    expect(found.length, found.join("\n")).toBeGreaterThanOrEqual(3);
  });
});
