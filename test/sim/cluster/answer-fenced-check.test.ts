// answer-fenced-flag, fenced-no-vote, fenced-heartbeat-commit
// (src/sim/systems/raft-metadata/answer-fenced-check.ts): correct servers, restored from backups
// in the swarm, pass; servers that handle one kind of message as if they were not fenced, and
// one that says it is fenced without ever being restored (patched here, in this process only),
// fail the rule they break.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { prototypePatcher } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);

/** Handle messages of `type` with the fence hidden (fenceTerm -1 for the step) or, with
 * `claim`, with a fence the server never had (fenceTerm 0 while it is -1). */
function breakFencing(type: string, claim = false): void {
  patch("onMessage", (orig) => function (this: Raft<unknown>, ...a: unknown[]) {
    const r = this as unknown as { fenceTerm: number };
    if ((a[1] as { type: string }).type !== type || (claim ? r.fenceTerm >= 0 : r.fenceTerm < 0)) return orig.apply(this, a);
    const saved = r.fenceTerm;
    r.fenceTerm = claim ? 0 : -1;
    try {
      return orig.apply(this, a);
    } finally {
      r.fenceTerm = saved;
    }
  });
}

describe("fenced servers' answers, votes and heartbeats", () => {
  it("pass correct servers: swarm seeds with restores (7, 30) and every fault family", () => {
    for (const seed of [1, 7, 30]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every fault" : ""}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("answer-fenced-flag: a fenced server that answers appends as if it were not", () => {
    breakFencing("app");
    // Swarm seed 7: node 3 is restored from a backup early in the run.
    const r = simulate({ seed: 7, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^answer-fenced-flag at node \d+, t=[\d.]+ms: its appResp of term \d+ says it is not fenced, but it is/);
  });

  it("answer-fenced-flag: a server that says it is fenced without ever being restored", () => {
    breakFencing("vote", true);
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^answer-fenced-flag at node \d+, t=[\d.]+ms: its voteResp of term \d+ says it is fenced, but it was never restored from a backup$/);
  });

  it("fenced-no-vote: a fenced server that answers vote requests as if it were not", () => {
    breakFencing("vote");
    const r = simulate({ seed: 7, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^fenced-no-vote at node \d+, t=[\d.]+ms: it granted a (PreVote|vote) for term \d+ while fenced/);
  });

  it("fenced-heartbeat-commit: a fenced server that takes heartbeats as if it were not", () => {
    breakFencing("hb");
    const r = simulate({ seed: 7, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^fenced-heartbeat-commit at node \d+, t=[\d.]+ms: fenced \(restored from a backup, not caught up\), it moved its commit index from \d+ to \d+ on a heartbeat$/);
  });
});
