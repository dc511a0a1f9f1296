// Checking a Valkey clustering module in your own CI: the conformance suite is part of raftsim's
// public API. Replace raftModule() with your module's factory (a ModuleFactory: it gets the node's
// env, the Core's callbacks, its recovered disk and the cluster plan, and returns a
// ClusteringModule). Each check runs a scripted experiment per seed and returns its failures.
import { describe, expect, it } from "vitest";
import { moduleConformance, raftModule } from "raftsim";

describe("raft-module conforms to the Valkey modular-clustering contract", () => {
  for (const check of moduleConformance(raftModule(), { seeds: [1, 2] })) {
    it(`${check.name}: ${check.description}`, () => {
      expect(check.run().failures).toEqual([]);
    });
  }
});
