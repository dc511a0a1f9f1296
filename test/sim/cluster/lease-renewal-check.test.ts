// lease-renewal (src/sim/systems/raft-metadata/lease-renewal-check.ts): a correct lease-mode
// leader renews its lease from a lease read exactly when lease.ts says; one whose renewal rule
// is broken on purpose (patched here, in this process only) — never renewing, renewing at every
// read, renewing with most of its lease left — fails.
import { describe, expect, it } from "vitest";
import { ReadLease } from "../../../src/impl/raft/lease.js";
import { simulate } from "../../../src/api/simulate.js";
import { runCluster } from "../../../src/sim/systems/raft-metadata/run.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const LEASE = { readMode: "lease" } as const;
const READ_HEAVY = { mix: { get: 60, put: 1, delete: 0, cas: 0 } };
const patch = prototypePatcher(ReadLease.prototype);

describe("lease-renewal", () => {
  it("passes correct lease-mode leaders", () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = runCluster({ seed, timeUs: 5 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
    for (const seed of [1, 2, 3]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, systemOptions: { raft: LEASE } }).result;
      expect(r.verdict, `seed ${seed} (swarm, lease mode): ${r.message}`).toBe("ok");
    }
  });

  it("a leader that never renews its lease from a read", () => {
    patch("wantsRenewal", () => () => false);
    const r = runCluster({ seed: 1, timeUs: 5 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-renewal at node \d+, t=[\d.]+ms, term \d+: it answered a read from its lease with \d+µs of \d+µs left \(round: (the last \d+µs ago|none before)\) and started no renewal round$/);
  });

  it("a leader that renews its lease at every read", () => {
    patch("wantsRenewal", () => () => true);
    const r = runCluster({ seed: 1, timeUs: 5 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-renewal at node \d+, .*and started a renewal round it did not need$/);
  });

  it("a leader that renews with more than half its lease left", () => {
    patch("wantsRenewal", () => function (this: Patchable, ...a: unknown[]) {
      const now = a[0] as number;
      return (this.validUntil as number) - now < (this.durationUs as number) && now - (this.lastRoundAt as number) >= (this.durationUs as number) / 10;
    });
    const r = runCluster({ seed: 1, timeUs: 5 * S, faults: [], raft: LEASE, workload: READ_HEAVY });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^lease-renewal at node \d+, .*it did not need$/);
  });
});
