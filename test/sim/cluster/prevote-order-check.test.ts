// prevote-before-vote, prevote-off and prevote-unforced (src/sim/systems/raft-metadata/
// prevote-order-check.ts): correct campaigns pass; a server broken on purpose (patched here, in
// this process only) — its timer's campaigns skip PreVote, it runs PreVote with PreVote off,
// marks PreVote requests forced, or answers a TimeoutNow with a PreVote round — fails.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { getSystem, runSystem } from "../../../src/api/index.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);
type Opts = { preVote: boolean };
type Env = { send(to: number, m: unknown): void };

/** onTick with the node's options seen as `over` while it runs (a timer's campaign). */
function tickWith(over: Partial<Opts>): void {
  patch("onTick", (orig) => function (this: Patchable & { opts: Opts }, ...a: unknown[]) {
    const saved = this.opts;
    this.opts = { ...saved, ...over };
    try {
      return orig.apply(this, a);
    } finally {
      this.opts = saved;
    }
  });
}

describe("PreVote in a campaign", () => {
  it("passes correct servers: swarm, every fault family, PreVote on and off", () => {
    for (const seed of [1, 2, 3, 4, 5, 166]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every fault" : ""}: ${r.message}`).toBe("ok");
      }
    }
    // Seed 56 (every fault): a candidate's RequestVotes leave once its vote is durable, after
    // its PreVote round for the next term began; swarm 166: a late grant for the term before,
    // which the precandidate counted before PreVote rounds were numbered (and now ignores).
    expect(simulate({ seed: 56, timeUs: 10 * S, sutAsserts: false, everyFamily: true }).result.verdict).toBe("ok");
    // Every-fault 2775: a PreVote for the server's own term from the server it voted for in it
    // may be granted (etcd's canVote: r.Vote == m.From).
    expect(simulate({ seed: 2775, timeUs: 10 * S, sutAsserts: false, everyFamily: true }).result.verdict).toBe("ok");
    // Swarm 31 and 61, disk stalls: a stalled disk holds a candidate's RequestVotes while it
    // campaigns on; they leave at the stall's end for terms it campaigned past long ago (31:
    // terms 29 to 52), or after a configuration change removed it from the voters (61).
    for (const seed of [31, 61]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      expect(r.families, `seed ${seed}`).toContain("disk-stall");
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
    for (const preVote of [true, false]) {
      const r = runSystem(getSystem("raft-metadata"), { seed: 1, timeUs: 5 * S, sutAsserts: false, options: { raft: { preVote } } });
      expect(r.verdict, `preVote ${preVote}: ${r.message}`).toBe("ok");
    }
  });

  it("prevote-before-vote: a server whose election timer starts a real election without a PreVote round", () => {
    tickWith({ preVote: false });
    const r = runSystem(getSystem("raft-metadata"), { seed: 1, timeUs: 5 * S, sutAsserts: false, options: { raft: { preVote: true } } });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^prevote-before-vote at node \d+, t=[\d.]+ms: it sent node \d+ an unforced RequestVote for term \d+, but only 1 of its \d+ voters \[[\d,]+\] \(itself counted if a voter\) granted it a PreVote for that term in its latest PreVote round, not a quorum$/);
  });

  it("prevote-before-vote: a precandidate that counts a late grant of an earlier PreVote round, or of its own term (the tally before rounds were numbered)", () => {
    // The old tally: any granted PreVote answer of the precandidate's term or the next counts.
    patch("step", (orig) => function (this: Patchable & { curRole: string; curTerm: number; preRound: number }, ...a: unknown[]) {
      const m = a[1] as { type: string; pre?: boolean; granted?: boolean; term: number; round?: number };
      if (m.type === "voteResp" && m.pre === true && m.granted === true && this.curRole === "precandidate" && m.term >= this.curTerm) {
        a[1] = { ...m, term: this.curTerm + 1, round: this.preRound };
      }
      return orig.apply(this, a);
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^prevote-before-vote at node \d+, t=[\d.]+ms: it sent node \d+ an unforced RequestVote for term \d+, but only \d+ of its \d+ voters \[[\d,]+\] \(itself counted if a voter\) granted it a PreVote for that term in its latest PreVote round, not a quorum$/);
  });

  it("prevote-off: a server that runs a PreVote round though PreVote is off", () => {
    tickWith({ preVote: true });
    const r = runSystem(getSystem("raft-metadata"), { seed: 1, timeUs: 5 * S, sutAsserts: false, options: { raft: { preVote: false } } });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^prevote-off at node \d+, .*: it sent node \d+ a PreVote request for term \d+, but PreVote is off$/);
  });

  it("prevote-unforced: a server that marks its PreVote requests forced", () => {
    patch("onTick", (orig) => function (this: Patchable & { env: Env }, ...a: unknown[]) {
      const env = this.env;
      const send = env.send;
      env.send = (to: number, m: unknown) => send.call(env, to, (m as { type: string; pre?: boolean }).type === "vote" && (m as { pre?: boolean }).pre === true ? { ...(m as object), force: true } : m);
      try {
        return orig.apply(this, a);
      } finally {
        env.send = send;
      }
    });
    const r = runSystem(getSystem("raft-metadata"), { seed: 1, timeUs: 5 * S, sutAsserts: false, options: { raft: { preVote: true } } });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^prevote-unforced at node \d+, .*: it sent node \d+ a PreVote request for term \d+ marked forced/);
  });

  it("prevote-same-term: a server that grants a PreVote for its own term though it voted or follows a leader in it", () => {
    patch("step", (orig) => function (this: Patchable & { curTerm: number; vote: number; lead: number }, ...a: unknown[]) {
      const m = a[1] as { type: string; term: number; pre?: boolean };
      if (m.type !== "vote" || m.pre !== true || m.term !== this.curTerm) return orig.apply(this, a);
      // As if it had neither voted nor a leader in its term when the PreVote came.
      const vote = this.vote;
      const lead = this.lead;
      this.vote = -1;
      this.lead = -1;
      try {
        return orig.apply(this, a);
      } finally {
        this.vote = vote;
        this.lead = lead;
      }
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^prevote-same-term at node \d+, t=[\d.]+ms: it granted node \d+ a PreVote for its own term \d+, in which it (follows leader|voted for node) \d+$/);
  });

  it("prevote-unforced: a transfer target that answers its TimeoutNow with a PreVote round", () => {
    patch("step", (orig) => function (this: Patchable & { clock: { toLocal(m: number): number }; onTick(l: number): void; curTerm: number }, ...a: unknown[]) {
      const m = a[1] as { type: string; term: number };
      const now = a[2] as number;
      if (m.type === "timeoutNow" && m.term === this.curTerm) {
        // As if the TimeoutNow only expired the election timer: the campaign starts with PreVote.
        this.electionDeadline = now;
        this.onTick(this.clock.toLocal(now));
        return;
      }
      return orig.apply(this, a);
    });
    const r = runSystem(getSystem("raft-metadata"), { seed: 5, timeUs: 10 * S, sutAsserts: false, options: { raft: { preVote: true, readMode: "read-index" } } });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^prevote-unforced at node \d+, .*: it was delivered a TimeoutNow and started a PreVote round/);
  });
});
