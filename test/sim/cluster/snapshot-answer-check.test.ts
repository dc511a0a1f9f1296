// snapshot-answer (src/sim/systems/raft-metadata/snapshot-answer-check.ts): a follower asks for a
// snapshot's chunks only while it does not hold the snapshot, and acknowledges it only once it
// does. The rule on hand-built views, correct runs (must pass), and followers broken on purpose
// (Raft.step patched, in this process only) that answer an installed snapshot with a request for
// its chunk 1 (must fail).
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { snapshotAnswerFault } from "../../../src/sim/systems/raft-metadata/snapshot-answer-check.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);

describe("snapshot-answer", () => {
  it("asks for chunks only below the snapshot, acknowledges only at or above it", () => {
    const raft = { commit: 10, commitIndex: () => raft.commit };
    const w = { nodes: [{ raft }], now: 2_000 } as unknown as AnyWorld;
    const ans = (index: number, next: number) => ({ type: "snapResp", term: 3, index, next });
    expect(snapshotAnswerFault(w, 0, ans(12, 0))).toBeNull();
    expect(snapshotAnswerFault(w, 0, ans(12, -1))).toMatch(/^snapshot-answer at node 0, t=2.000ms, term 3: it acknowledges the snapshot at 12 as installed, but its commit index is 10$/);
    expect(snapshotAnswerFault(w, 0, ans(10, 1))).toMatch(/it asks for chunk 1 of the snapshot at 10, but its commit index 10 covers it$/);
    expect(snapshotAnswerFault(w, 0, ans(8, -1))).toBeNull();
  });

  it("passes correct followers", () => {
    for (const seed of [1, 4]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails followers that answer an installed snapshot with a request for more", () => {
    // Its answers go out while it steps a message, or once a write is durable (onPersisted).
    for (const method of ["step", "onPersisted"]) {
      patch(method, (orig) => function (this: Patchable, ...a: unknown[]) {
        const env = (this as { env: { send: (to: number, x: unknown) => void } }).env;
        const send = env.send;
        env.send = (to, x) => {
          const r = x as { type: string; next: number };
          send.call(env, to, r.type === "snapResp" && r.next < 0 ? { ...r, next: 1 } : x);
        };
        try {
          return orig.apply(this, a);
        } finally {
          env.send = send;
        }
      });
    }
    const found: string[] = [];
    for (const seed of [1, 4, 5, 9]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation" && /^snapshot-answer /.test(r.message ?? "")) found.push(r.message!);
    }
    expect(found.length, found.join("\n")).toBeGreaterThanOrEqual(2);
  });
});
