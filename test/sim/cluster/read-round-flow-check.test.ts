// read-round-flow (src/sim/systems/raft-metadata/read-round-flow-check.ts): with coalesced
// heartbeats a correct leader sends a read round at a registration only when none is in flight,
// and on a heartbeat answer only when it confirmed the one in flight and a read waits. Leaders
// broken on purpose (patched here, in this process only) fail: one that forgets its round is in
// flight, one that starts rounds no read needs.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { sendReadRound } from "../../../src/impl/raft/replication.js";
import { simulate } from "../../../src/api/simulate.js";
import type { RaftState } from "../../../src/impl/raft/state.js";
import { prototypePatcher } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);
type Fields = { curRole: string; readRoundOut: boolean; reads: unknown[]; readHead: number; lease: unknown };

/** The first failing seed of swarm 1..n, and its message ("" if none fails). */
function firstFailure(n: number): string {
  for (let seed = 1; seed <= n; seed++) {
    const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
    if (r.verdict !== "ok") return r.message ?? "";
  }
  return "";
}

describe("read-round-flow", () => {
  it("passes correct leaders: swarm and every fault family", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every fault" : ""}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("a leader that forgets the round in flight when a read registers", () => {
    patch("readIndex", (orig) => function (this: Fields, ...a: unknown[]) {
      this.readRoundOut = false;
      return orig.apply(this, a);
    });
    expect(firstFailure(10)).toMatch(/^read-round-flow at node \d+, t=[\d.]+ms, term \d+: it started round \d+ while round \d+ awaited its quorum, neither at a heartbeat tick nor on the answer that confirmed it$/);
  });

  it("a leader that starts a read round on every heartbeat answer", () => {
    patch("onMessage", (orig) => function (this: Fields, ...a: unknown[]) {
      const res = orig.apply(this, a);
      const m = a[1] as { type: string };
      if (m.type === "hbResp" && this.curRole === "leader" && this.lease === null && this.readHead === this.reads.length) sendReadRound(this as unknown as RaftState<unknown>, a[2] as number);
      return res;
    });
    expect(firstFailure(10)).toMatch(/^read-round-flow at node \d+, .*: a heartbeat answer started round \d+(, which no pending read waits for| while round \d+ still awaited its quorum)$/);
  });
});
