// lease-read-served (src/sim/systems/raft-metadata/lease-read-check.ts): a correct lease-mode
// leader answers reads from a valid lease; one that queues them for a ReadIndex round anyway
// (registerRead made to see a transfer in progress, patched here in this process only), or that takes its
// term's first commit for not yet made, fails.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";
import { prototypePatcher } from "./patch-prototype.js";

const S = 1_000_000;
const LEASE = { readMode: "lease" } as const;
const READ_HEAVY = { mix: { get: 60, put: 1, delete: 0, cas: 0 } };
const patch = prototypePatcher(Raft.prototype);
type Fields = { transferee: number; termStart: number; commit: number };

describe("lease-read-served", () => {
  it("passes correct lease-mode leaders", () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = runCluster({ seed, timeUs: 5 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily, systemOptions: { raft: LEASE } }).result;
        expect(r.verdict, `seed ${seed} (lease mode${everyFamily ? ", every fault" : ""}): ${r.message}`).toBe("ok");
      }
    }
  });

  it("a leader that never answers from its lease", () => {
    patch("readIndex", (orig) => function (this: Fields, ...a: unknown[]) {
      const t = this.transferee;
      this.transferee = 99; // registerRead takes itself for transferring: every read waits for a round
      try {
        return orig.apply(this, a);
      } finally {
        this.transferee = t;
      }
    });
    const r = runCluster({ seed: 1, timeUs: 5 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-read-served at node \d+, t=[\d.]+ms, term \d+: it queued a read for a ReadIndex round \(seq \d+\) while it held a valid read lease \(\d+µs left\)/);
  });

  it("a leader that waits for an entry past its term's first before it reads from its lease", () => {
    patch("readIndex", (orig) => function (this: Fields, ...a: unknown[]) {
      const start = this.termStart;
      if (this.commit === start) this.termStart = start + 1; // the first commit of its term not counted
      try {
        return orig.apply(this, a);
      } finally {
        this.termStart = start;
      }
    });
    let found = "";
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const r = runCluster({ seed, timeUs: 5 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
      if (r.verdict !== "ok") {
        found = r.message ?? "";
        break;
      }
    }
    expect(found).toMatch(/^lease-read-served at node \d+, .*commit (\d+) >= \1\)/);
  });
});
