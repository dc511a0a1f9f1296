// The Valkey module conformance suite (src/api/valkey-conformance) on gossip-module, the legacy
// cluster bus behind the contract (src/impl/valkey-contract/gossip-module): every check on seeds
// 1-3, as for raft-module (test/api/valkey-conformance.test.ts).
import { describe, expect, it } from "vitest";
import { moduleConformance } from "../../src/api/index.js";
import { gossipModule } from "../../src/impl/valkey-contract/gossip-module/module.js";

const SEEDS = [1, 2, 3];

describe("conformance suite on gossip-module", () => {
  for (const c of moduleConformance(gossipModule(), { seeds: SEEDS })) {
    it(`${c.name} on seeds 1-3`, () => {
      const r = c.run();
      expect(r.failures, r.failures.join("\n")).toEqual([]);
    }, 60_000);
  }
});
