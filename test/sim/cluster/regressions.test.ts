// Seeds that once found a real bug, kept as permanent regressions: each runs the exact setup
// that failed (default swarm, 10 s) and must now pass. Add one line per fixed finding.
import { describe, expect, it } from "vitest";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";

const S = 1_000_000;

const regressions: readonly { seed: number; why: string }[] = [
  // ack-retained at node 4: a snapshot's WAL base wrote "truncate from 162" before re-writing
  // entry 162, and a crash kept the truncation but not the entries record — losing an entry
  // the node had acknowledged durably (issue 17; fixed in Raft.saveSnapshot).
  { seed: 17275, why: "snapshot base must not truncate durable entries on a partial crash" },
];

describe("regression seeds (default swarm, 10 s)", () => {
  for (const { seed, why } of regressions) {
    it(`seed ${seed}: ${why}`, () => {
      const r = runCluster({ seed, timeUs: 10 * S });
      expect(r.verdict, `${r.message ?? ""} — replay: raftsim run --seed ${seed} --time 10s`).toBe("ok");
    });
  }
});
