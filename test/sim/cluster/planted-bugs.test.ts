// Each planted bug is found by a fixed seed (found by `raftsim sweep --bug NAME
// --stop-on-first`), and the same seed passes without the bug: the checkers catch the bug,
// not something else in that run.
import { describe, expect, it } from "vitest";
import { BUGS } from "../../../src/sim/systems/raft-metadata/bugs.js";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";


describe("planted bugs", () => {
  it("every registered bug has a detecting seed", () => {
    for (const b of BUGS) expect(Number.isSafeInteger(b.detectingSeed), b.name).toBe(true);
  });

  for (const bug of BUGS) {
    it(`${bug.name}: seed ${bug.detectingSeed} finds it, and passes without it`, () => {
      const seed = bug.detectingSeed;
      const withBug = runCluster({ seed, timeUs: 10_000_000, bugs: [bug.name] });
      expect(withBug.verdict, withBug.message ?? "").toBe("violation");
      const without = runCluster({ seed, timeUs: 10_000_000 });
      expect(without.verdict, without.message ?? "").toBe("ok");
    });
  }
});
