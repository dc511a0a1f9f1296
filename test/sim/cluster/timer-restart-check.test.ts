// deposed-leader-waits and vote-request-keeps-timer (src/sim/systems/raft-metadata/
// timer-restart-check.ts): correct servers pass; a server whose step-down keeps a deposed
// leader's stale election deadline (it campaigns at once), and one that restarts its timer on a
// higher-term RequestVote it does not grant (etcd's choice, not ours: raft.ts step()), each
// patched here in this process only, fail the rule they break.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { getSystem, runSystem } from "../../../src/api/index.js";
import { prototypePatcher } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);
type Fields = { curRole: string; electionDeadline: number };

describe("timer-restart checks", () => {
  it("pass correct servers: swarm, every fault family, PreVote and CheckQuorum on and off", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every fault" : ""}: ${r.message}`).toBe("ok");
      }
    }
    for (const preVote of [true, false]) {
      for (const checkQuorum of [true, false]) {
        const r = runSystem(getSystem("raft-metadata"), { seed: 3, timeUs: 10 * S, sutAsserts: false, options: { raft: { preVote, checkQuorum } } });
        expect(r.verdict, `preVote ${preVote} checkQuorum ${checkQuorum}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("deposed-leader-waits: a deposed leader that keeps the election deadline it had before it led", () => {
    patch("becomeFollower", (orig) => function (this: Fields, ...a: unknown[]) {
      const wasLeader = this.curRole === "leader";
      const before = this.electionDeadline;
      const res = orig.apply(this, a);
      if (wasLeader) this.electionDeadline = before; // long past: it campaigns at its next tick
      return res;
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^deposed-leader-waits at node \d+, t=[\d.]+ms: it became (precandidate|candidate) of term \d+ [\d.]+ms \(its Raft clock\) after it stopped leading, within the minimum election timeout/);
  });

  it("vote-request-keeps-timer: a server that restarts its timer on every step to a higher term", () => {
    patch("becomeFollower", (orig) => function (this: unknown, term: unknown, leader: unknown, now: unknown) {
      return orig.call(this, term, leader, now, true);
    });
    // Seed 2: seed 1 showed it until precandidates stopped counting late PreVote answers of an
    // earlier round, which moved its run.
    const r = simulate({ seed: 2, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^vote-request-keeps-timer at node \d+, t=[\d.]+ms: a RequestVote request from node \d+ for term \d+, not granted, moved its election deadline/);
  });
});
