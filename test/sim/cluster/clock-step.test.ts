// Regression: Raft timed its elections on a clock that can step backward, so a 5 s step left
// the cluster leaderless for 5 s after every fault had healed (10,000-seed sweep, seed 52 with
// --every-fault). Elections now run on monotonic time (src/impl/raft/monotonic.ts).
import { describe, expect, it } from "vitest";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";
import type { FaultAction } from "../../../src/sim/faults/index.js";

const S = 1_000_000;

describe("clock steps", () => {
  it("a backward step of every clock does not stall the election after the heal", () => {
    const faults: FaultAction[] = [];
    for (let n = 0; n < 5; n++) faults.push({ at: 1 * S, kind: "clock-offset", node: n, us: 6 * S });
    // The leader dies first, so the followers' election deadlines were all set before the step.
    faults.push({ at: 2900_000, kind: "crash-leader", downUs: 10 * S });
    for (let n = 0; n < 5; n++) faults.push({ at: 2950_000, kind: "clock-offset", node: n, us: 1 * S }); // 5 s back
    faults.push({ at: 3 * S, kind: "heal-all" });
    for (const seed of [1, 2, 3]) {
      const r = runCluster({ seed, timeUs: 6 * S, faults });
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
  });
});
