// rejection-rule.ts: which AppendEntries rejections the checks take a leader to act on (the
// probe-after-reject and probe-bound checks read it). Cases the rule must accept and cases it
// must refuse, one per clause.
import { describe, expect, it } from "vitest";
import { leaderActsOnRejection } from "../../../src/sim/systems/raft-metadata/rejection-rule.js";

const replicate = { replicate: true, match: 10, next: 15, probes: 3 };
const probing = { replicate: false, match: 10, next: 11, probes: 3 };

describe("leaderActsOnRejection", () => {
  it("replicate state: acts on a rejection above match, not at or below it", () => {
    expect(leaderActsOnRejection(replicate, 11, -1)).toBe(true);
    expect(leaderActsOnRejection(replicate, 14, -1)).toBe(true);
    expect(leaderActsOnRejection(replicate, 10, -1)).toBe(false);
    expect(leaderActsOnRejection(replicate, 7, 3)).toBe(false);
  });

  it("probe state: acts only on the rejection of next - 1", () => {
    const above = { ...probing, next: 14 };
    expect(leaderActsOnRejection(above, 13, -1)).toBe(true);
    expect(leaderActsOnRejection(above, 13, 1)).toBe(true);
    expect(leaderActsOnRejection(above, 12, 3)).toBe(false);
    expect(leaderActsOnRejection(above, 14, 3)).toBe(false);
  });

  it("probe state at or below match: only the answer to the newest probe (a lost entry), not a late one", () => {
    expect(leaderActsOnRejection(probing, 10, 3)).toBe(true);
    expect(leaderActsOnRejection(probing, 10, 2)).toBe(false);
    expect(leaderActsOnRejection(probing, 10, -1)).toBe(false);
    const below = { ...probing, next: 8 };
    expect(leaderActsOnRejection(below, 7, 3)).toBe(true);
    expect(leaderActsOnRejection(below, 7, 4)).toBe(false);
  });
});
