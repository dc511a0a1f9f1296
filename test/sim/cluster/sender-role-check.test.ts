// leader-sends (src/sim/systems/raft-metadata/sender-role-check.ts): only the leader of a term
// sends that term's AppendEntries, heartbeats, snapshot chunks and TimeoutNow. A node patched
// here (in this process only) to send one more heartbeat after stepping down fails; the judge
// itself is tested on views.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { leaderOnlySend } from "../../../src/sim/systems/raft-metadata/sender-role-check.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);

/** A world of one server in `role` at `term` (only what the judge reads). */
const world = (role: string, term: number): AnyWorld => ({ now: 1000, nodes: [{ raft: { role: () => role, term: () => term } }] }) as unknown as AnyWorld;

describe("leader-sends", () => {
  it("judges the sender's role and term at the send", () => {
    expect(leaderOnlySend(world("leader", 3), 0, { type: "app", term: 3 })).toBeNull();
    expect(leaderOnlySend(world("leader", 3), 0, { type: "hb", term: 3 })).toBeNull();
    expect(leaderOnlySend(world("follower", 3), 0, { type: "appResp", term: 3 })).toBeNull(); // answers are anyone's
    expect(leaderOnlySend(world("candidate", 4), 0, { type: "vote", term: 4 })).toBeNull();
    expect(leaderOnlySend(world("follower", 3), 0, { type: "app", term: 3 })).toBe("leader-sends at node 0, t=1.000ms: sent an AppendEntries of term 3 as follower of term 3");
    expect(leaderOnlySend(world("leader", 4), 0, { type: "snap", term: 3 })).toBe("leader-sends at node 0, t=1.000ms: sent a snapshot chunk of term 3 as leader of term 4");
    expect(leaderOnlySend(world("candidate", 5), 0, { type: "timeoutNow", term: 4 })).toMatch(/TimeoutNow of term 4 as candidate of term 5$/);
  });

  it("passes correct runs", () => {
    for (const seed of [1, 2, 3]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails a leader that sends one more heartbeat after stepping down", () => {
    patch("becomeFollower", (orig) => function (this: Patchable, ...a: unknown[]) {
      const self = this as unknown as { curRole: string; curTerm: number; id: number; peers: number[]; env: { send(to: number, m: unknown): void } };
      const was = self.curRole;
      const term = self.curTerm;
      orig.apply(this, a);
      if (was === "leader" && self.peers.length > 0) self.env.send(self.peers[0], { type: "hb", term, from: self.id, commit: 0, seq: 0 });
    });
    const found: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily: true }).result;
      if (r.verdict === "violation") found.push(r.message ?? "");
    }
    expect(found.length).toBeGreaterThan(0);
    for (const m of found) expect(m).toMatch(/^leader-sends at node \d+, t=[\d.]+ms: sent a heartbeat of term \d+ as follower of term \d+$/);
  });
});
