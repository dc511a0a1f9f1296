// append-reject, append-ack-index, follower-commit (src/sim/systems/raft-metadata/append-answer-check.ts):
// a follower's answer to an append says what its log holds, and its commit index follows the
// leader's. The rejection rules on logs built here, the check's bookkeeping on a hand-built world,
// correct runs (must pass), and followers broken on purpose (Raft.step patched, in this process
// only) that hint one entry too low, or ignore a heartbeat's commit index (must fail).
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { AppendAnswerCheck, rejectionFault, type FollowerLog } from "../../../src/sim/systems/raft-metadata/append-answer-check.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);

/** A follower's log from its terms (index 1..), compacted up to `snap`, with a commit index. */
function log(terms: number[], commit: number, snap = 0, term = 9, fenced = false): FollowerLog & { commit: number } {
  const l = {
    commit,
    term: () => term,
    role: () => "follower",
    commitIndex: () => l.commit,
    lastIndex: () => terms.length,
    snapshotIndex: () => snap,
    snapshotTerm: () => (snap === 0 ? 0 : terms[snap - 1]),
    fenced: () => fenced,
    entry: (i: number) => (i > snap && i <= terms.length ? { term: terms[i - 1] } : undefined),
  };
  return l;
}
const rej = (index: number, hintIndex: number, hintTerm: number) => ({ type: "appResp", term: 9, success: false, index, hintIndex, hintTerm });

describe("append-reject", () => {
  it("a rejection's hint: the log's end, or the first entry of the conflicting term above the commit", () => {
    const l = log([1, 1, 2, 2, 2, 3, 3], 1);
    expect(rejectionFault(l, 9, 4, rej(9, 7, 0))).toBeNull();
    expect(rejectionFault(l, 9, 4, rej(9, 6, 0))).toMatch(/log ends at 7, before prevIndex 9, but the hint is \(index 6, term 0\)/);
    expect(rejectionFault(l, 7, 4, rej(7, 6, 3))).toBeNull();
    expect(rejectionFault(l, 5, 4, rej(5, 3, 2))).toBeNull();
    expect(rejectionFault(l, 5, 4, rej(5, 4, 2))).toMatch(/hint's index 4 is not the first entry of term 2 above its commit index 1 \(3 has that term too\)/);
    expect(rejectionFault(l, 5, 4, rej(5, 2, 2))).toMatch(/hint's index 2 is not an entry of term 2/);
    expect(rejectionFault(l, 5, 4, rej(5, 3, 3))).toMatch(/entry at prevIndex 5 has term 2, but the hint's term is 3/);
    expect(rejectionFault(l, 5, 2, rej(5, 3, 2))).toMatch(/holds the entry at prevIndex 5 with prevTerm 2/);
    expect(rejectionFault(l, 5, 4, rej(4, 3, 2))).toMatch(/rejected index 4 of an append from prevIndex 5/);
    // The run of term 2 is cut at the commit index + 1.
    const c = log([1, 1, 2, 2, 2, 3, 3], 3);
    expect(rejectionFault(c, 5, 4, rej(5, 4, 2))).toBeNull();
    expect(rejectionFault(c, 5, 4, rej(5, 3, 2))).toMatch(/hint's index 3 is at or below its commit index 3/);
  });

  it("judges only the answer to the append delivered in the event, of its term", () => {
    const l = log([1, 1, 2, 2, 2], 1);
    const w = { nodes: [null, { raft: l }], status: [0, 0], now: 0 } as unknown as AnyWorld;
    const c = new AppendAnswerCheck(2);
    const app = { type: "app", term: 9, commit: 1, prevIndex: 5, prevTerm: 3, entries: [] };
    c.delivered(0, 1, app);
    c.sentAnswer(w, 1, 0, rej(5, 4, 2));
    expect(c.afterEvent(w, 1)).toMatch(/^append-reject at node 1, t=0.000ms, term 9: the hint's index 4 is not the first entry of term 2/);
    c.sentAnswer(w, 1, 0, rej(5, 4, 2)); // no append delivered in this event
    expect(c.afterEvent(w, 1)).toBeNull();
    c.delivered(0, 1, app);
    c.sentAnswer(w, 1, 0, { ...rej(5, 4, 2), term: 8 }); // not the answer of its term
    expect(c.afterEvent(w, 1)).toBeNull();
    c.delivered(0, 1, { ...app, prevIndex: 3, prevTerm: 2, entries: [{ index: 4, term: 2 }, { index: 5, term: 2 }] });
    c.sentAnswer(w, 1, 0, { type: "appResp", term: 9, success: true, index: 4, hintIndex: 0, hintTerm: 0 });
    expect(c.afterEvent(w, 1)).toMatch(/^append-ack-index at node 1, t=0.000ms, term 9: it accepted an append of the entries 4..5 and answered index 4$/);
  });
});

describe("follower-commit", () => {
  it("after an accepted append or a heartbeat, the commit index is at least what they carried", () => {
    const l = log([1, 1, 2, 2, 2], 1);
    const w = { nodes: [null, { raft: l }], status: [0, 0], now: 0 } as unknown as AnyWorld;
    const c = new AppendAnswerCheck(2);
    c.delivered(0, 1, { type: "app", term: 9, commit: 7, prevIndex: 2, prevTerm: 1, entries: [{ index: 3, term: 2 }, { index: 4, term: 2 }] });
    expect(c.afterEvent(w, 1)).toMatch(/^follower-commit at node 1, t=0.000ms, term 9: after an accepted append with leaderCommit 7 and last new entry 4 from 0, its commit index is 1, below 4$/);
    l.commit = 4;
    c.delivered(0, 1, { type: "app", term: 9, commit: 7, prevIndex: 2, prevTerm: 1, entries: [{ index: 3, term: 2 }, { index: 4, term: 2 }] });
    expect(c.afterEvent(w, 1)).toBeNull();
    c.delivered(0, 1, { type: "app", term: 9, commit: 9, prevIndex: 5, prevTerm: 3, entries: [] }); // rejected: not judged
    expect(c.afterEvent(w, 1)).toBeNull();
    c.delivered(0, 1, { type: "hb", term: 9, commit: 9 });
    expect(c.afterEvent(w, 1)).toMatch(/after a heartbeat with commit 9, its log ending at 5 from 0, its commit index is 4, below 5$/);
    c.delivered(0, 1, { type: "hb", term: 8, commit: 9 }); // stale
    expect(c.afterEvent(w, 1)).toBeNull();
    const f = log([1, 1, 2, 2, 2], 1, 0, 9, true);
    const wf = { nodes: [null, { raft: f }], status: [0, 0], now: 0 } as unknown as AnyWorld;
    c.delivered(0, 1, { type: "hb", term: 9, commit: 9 }); // fenced: learns its commit from appends only
    expect(c.afterEvent(wf, 1)).toBeNull();
  });
});

describe("follower answers, whole runs", () => {
  it("passes correct followers", () => {
    for (const seed of [1, 2, 3, 7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails followers that ignore a heartbeat's commit index", () => {
    patch("step", (orig) => function (this: Patchable, ...a: unknown[]) {
      const m = a[1] as { type: string };
      return orig.apply(this, m.type === "hb" ? [a[0], { ...m, commit: 0 }, a[2]] : a);
    });
    const found: string[] = [];
    for (const seed of [1, 2, 3, 4]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation" && /^follower-commit /.test(r.message ?? "")) found.push(r.message!);
    }
    expect(found.length, found.join("\n")).toBeGreaterThanOrEqual(3);
  });

  it("fails followers whose conflict hint points one entry too low", () => {
    patch("step", (orig) => function (this: Patchable, ...a: unknown[]) {
      const m = a[1] as { type: string };
      const env = (this as { env: { send: (to: number, x: unknown) => void } }).env;
      if (m.type !== "app") return orig.apply(this, a);
      const send = env.send;
      env.send = (to, x) => {
        const r = x as { type: string; success: boolean; hintIndex: number };
        send.call(env, to, r.type === "appResp" && !r.success && r.hintIndex > 1 ? { ...r, hintIndex: r.hintIndex - 1 } : x);
      };
      try {
        return orig.apply(this, a);
      } finally {
        env.send = send;
      }
    });
    const found: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation" && /^append-reject /.test(r.message ?? "")) found.push(r.message!);
    }
    expect(found.length, found.join("\n")).toBeGreaterThanOrEqual(2);
  });
});
