// vote-durable and timeout-now-campaigns (src/sim/systems/raft-metadata/vote-durable-check.ts,
// timeout-now-check.ts): correct servers pass; a server whose vote never reaches its disk (the
// planted bug vote-not-persisted), one that answers before its hard-state write is durable, and
// one that ignores TimeoutNow (patched here, in this process only) fail.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { prototypePatcher } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);

describe("election step checks", () => {
  it("pass correct servers: swarm and every fault family", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every fault" : ""}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("vote-durable: the vote never reaches the disk (planted bug vote-not-persisted)", () => {
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false, bugs: ["vote-not-persisted"] }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^vote-durable at node \d+, t=[\d.]+ms: it sent a RequestVote for term \d+ while its durable hard state was term \d+, vote -1$/);
  });

  it("vote-durable: a server that answers before its term and vote are durable", () => {
    // The write is issued, but the server forgets that it is in flight: respond() then sends at
    // once what it should hold back until the fsync completes.
    patch("setTermAndVote", (orig) => function (this: Raft<unknown>, ...a: unknown[]) {
      orig.apply(this, a);
      const r = this as unknown as { wTokens: number[]; wIndex: number[] };
      r.wTokens.pop();
      r.wIndex.pop();
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^vote-durable at node \d+, t=[\d.]+ms: it (sent a RequestVote|granted node \d+ its vote|refused node \d+ its vote|became leader) /);
  });

  it("timeout-now-campaigns: a follower that ignores TimeoutNow", () => {
    patch("onMessage", (orig) => function (this: Raft<unknown>, ...a: unknown[]) {
      if ((a[1] as { type: string }).type === "timeoutNow") return;
      orig.apply(this, a);
    });
    // Swarm seed 3: the first whose leader hands over by TimeoutNow.
    const r = simulate({ seed: 3, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^timeout-now-campaigns at node \d+, t=[\d.]+ms: it was delivered a TimeoutNow for term \d+ as a voter, unfenced follower of term \d+, and is follower of term \d+ after the step, not a candidate of term \d+$/);
  });
});
