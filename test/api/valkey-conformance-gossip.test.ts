// The Valkey module conformance suite (src/api/valkey-conformance) on gossip-module, the legacy
// cluster bus behind the contract (src/impl/valkey-contract/gossip-module): every check on seeds
// 1-3, as for raft-module (test/api/valkey-conformance.test.ts); and the module with each of its
// planted bugs, which the check guarding that promise must catch on every seed.
import { describe, expect, it } from "vitest";
import { ConformanceWorld, moduleConformance, type ConformanceOptions } from "../../src/api/index.js";
import { GOSSIP_MODULE_DEFAULTS, gossipModule, type GossipModuleBug } from "../../src/impl/valkey-contract/gossip-module/module.js";

const SEEDS = [1, 2, 3];

describe("conformance suite on gossip-module", () => {
  for (const c of moduleConformance(gossipModule(), { seeds: SEEDS })) {
    it(`${c.name} on seeds 1-3`, () => {
      const r = c.run();
      expect(r.failures, r.failures.join("\n")).toEqual([]);
    }, 60_000);
  }
});

describe("conformance suite on gossip-module with a planted bug (each must fail its check on every seed)", () => {
  const failuresOf = (bug: GossipModuleBug, check: string, extra: ConformanceOptions = {}): readonly string[] => {
    const c = moduleConformance(gossipModule({ bugs: new Set([bug]) }), { seeds: SEEDS, ...extra }).find((x) => x.name === check)!;
    const r = c.run();
    expect(r.failures.length, r.failures.join("\n")).toBe(SEEDS.length);
    return r.failures;
  };

  it("no-majority (a write acknowledged on the writer's own acceptance): multi-op", () => {
    expect(failuresOf("no-majority", "multi-op").join("\n")).toMatch(/must fail at op 1|all succeeded/);
  });

  it("no-locks (members accept concurrent writes on one revision): multi-op", () => {
    expect(failuresOf("no-locks", "multi-op").join("\n")).toMatch(/concurrent txns on one revision of "a" all succeeded/);
  });

  it("no-epoch-bump (a write reuses its expected revision's epoch): cas", () => {
    expect(failuresOf("no-epoch-bump", "cas").join("\n")).toMatch(/must fail/);
  });

  it("lease-from-arrival (TTL from the PONG's arrival): heartbeat-ttl with the bound at L and late messages", () => {
    // The correct module meets the same bound under the same delays.
    const opts: ConformanceOptions = { ttlBoundUs: GOSSIP_MODULE_DEFAULTS.leaseUs, spikeRate: 0.5, spikeUs: 250_000 };
    expect(moduleConformance(gossipModule(), { seeds: SEEDS, ...opts }).find((x) => x.name === "heartbeat-ttl")!.run().failures).toEqual([]);
    expect(failuresOf("lease-from-arrival", "heartbeat-ttl", opts).join("\n")).toMatch(/without a quorum/);
  });

  it("ok-before-sync (heartbeat before the writes a PONG brought are applied): restart-sync", () => {
    expect(failuresOf("ok-before-sync", "restart-sync").join("\n")).toMatch(/claimed OK/);
  });

  it("refuses an unknown bug, naming it", () => {
    expect(() => new ConformanceWorld({ seed: 1, plan: { shards: [{ shardId: "s", members: [{ nodeId: 0, address: "a" }] }] }, factory: gossipModule({ bugs: new Set(["nope" as GossipModuleBug]) }) })).toThrow(/unknown bug "nope"/);
  });
});
