// Each planted bug is found by a fixed seed (found by `raftsim sweep --bug NAME
// --stop-on-first`), and the same seed passes without the bug: the checkers catch the bug,
// not something else in that run.
import { describe, expect, it } from "vitest";
import { BUGS, type BugName } from "../../../src/sim/systems/raft-metadata/bugs.js";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";

const FINDING_SEED: Record<BugName, number> = {
  "commit-previous-term": 344,
  "vote-without-log-check": 2,
  "vote-not-persisted": 77,
  "count-stale-vote": 33,
  "append-keeps-conflicts": 2,
  "commit-index-decreases": 1,
  "stale-local-read": 1,
  "read-before-term-commit": 1,
  "ack-before-durable": 1,
  "no-session-dedup": 1,
  "restore-unfenced": 7,
  "snapshot-install-drops-newer": 18,
  "membership-concurrent-changes": 28,
  "membership-before-term-commit": 1310,
};

describe("planted bugs", () => {
  it("has a finding seed for every registered bug", () => {
    expect(Object.keys(FINDING_SEED).sort()).toEqual(BUGS.map((b) => b.name).sort());
  });

  for (const bug of BUGS) {
    it(`${bug.name}: seed ${FINDING_SEED[bug.name]} finds it, and passes without it`, () => {
      const seed = FINDING_SEED[bug.name];
      const withBug = runCluster({ seed, timeUs: 10_000_000, bugs: [bug.name] });
      expect(withBug.verdict, withBug.message ?? "").toBe("violation");
      const without = runCluster({ seed, timeUs: 10_000_000 });
      expect(without.verdict, without.message ?? "").toBe("ok");
    });
  }
});
