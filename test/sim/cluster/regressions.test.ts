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
  // no leader 3.3 s after the heal (PreVote off): node 4, 4 entries behind the longest log,
  // campaigned seven rounds running and each of its failed RequestVotes restarted the election
  // timers of the nodes that could win; the leader came 3.6 s after the heal. A higher-term
  // RequestVote no longer restarts a follower's timer unless it grants the vote (Figure 2).
  { seed: 43933, why: "a losing candidate's RequestVote must not restart the electable nodes' timers" },
];

// The same, for findings of the 30 s sweep (`raftsim run`'s default time).
const regressions30s: readonly { seed: number; why: string }[] = [
  // transfer-completes at node 0: its TimeoutNow reached node 2 during node 2's PreVote round
  // (same term), which dropped it; the leader sends it once, so the transfer timed out.
  { seed: 1103, why: "a precandidate of the leader's term acts on its TimeoutNow" },
  // probe-bound at node 3 (seed 1426) and node 4 (seed 1909): late rejections of appends sent
  // before the follower caught up reached the leader while it probed at the follower's match;
  // it took each for a lost entry and backed off below what the follower held. A rejection at
  // or below match now counts only if it answers the newest probe (AppendRequest.probe).
  { seed: 1426, why: "a late rejection at a probing leader's match is stale, not a lost entry" },
  { seed: 1909, why: "a late rejection at a probing leader's match is stale, not a lost entry" },
];

describe("regression seeds (default swarm, 30 s)", () => {
  for (const { seed, why } of regressions30s) {
    it(`seed ${seed}: ${why}`, () => {
      const r = runCluster({ seed, timeUs: 30 * S });
      expect(r.verdict, `${r.message ?? ""} — replay: raftsim run --seed ${seed} --time 30s`).toBe("ok");
    });
  }
});

describe("regression seeds (default swarm, 10 s)", () => {
  for (const { seed, why } of regressions) {
    it(`seed ${seed}: ${why}`, () => {
      const r = runCluster({ seed, timeUs: 10 * S });
      expect(r.verdict, `${r.message ?? ""} — replay: raftsim run --seed ${seed} --time 10s`).toBe("ok");
    });
  }
});
