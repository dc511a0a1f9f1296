// transfer-runs-its-timeout (src/sim/systems/raft-metadata/transfer-abort-check.ts): a correct
// leader keeps a leadership transfer until electionMin after the request; one that gives it up
// at its next tick (patched here, in this process only) fails.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { prototypePatcher } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);
type Fields = { curRole: string; transferee: number };

describe("transfer-runs-its-timeout", () => {
  it("passes correct leaders: swarm and every fault family (transfers, window transfers)", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every fault" : ""}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("a leader that gives up a transfer at its next tick", () => {
    patch("onTick", (orig) => function (this: Fields, ...a: unknown[]) {
      const res = orig.apply(this, a);
      if (this.curRole === "leader") this.transferee = -1;
      return res;
    });
    let found = "";
    for (let seed = 1; seed <= 8 && found === ""; seed++) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily: true }).result;
      if (r.verdict !== "ok") found = r.message ?? "";
    }
    expect(found).toMatch(/^transfer-runs-its-timeout at node \d+, t=[\d.]+ms, term \d+: it gave up its leadership transfer to node \d+ [\d.]+ms \(its Raft clock\) after it was asked, before the minimum election timeout/);
  });
});
