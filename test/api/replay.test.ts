import { describe, expect, it } from "vitest";
import { replayLine, rerunLine } from "../../src/api/replay.js";

describe("replay lines", () => {
  const s = { seed: 3, timeUs: 10_000_000, scenarioRef: "scenarios/partition-halves.yaml", bugs: ["no-session-dedup", "stale-local-read"], everyFault: true };
  it("replay form: seed, time, scenario, bugs, --every-fault, hash", () => {
    expect(replayLine(s, "b6943cd62927454e")).toBe(
      "raftsim replay --seed 3 --time 10s --scenario scenarios/partition-halves.yaml --bug no-session-dedup --bug stale-local-read --every-fault --expect-hash b6943cd62927454e",
    );
    expect(replayLine({ seed: 7, timeUs: 30_000_000, bugs: [], everyFault: false }, "00ff")).toBe("raftsim replay --seed 7 --time 30s --expect-hash 00ff");
  });
  it("run form (sweep failures): scenario first, no hash; odd paths are shell-quoted", () => {
    expect(rerunLine({ ...s, bugs: ["no-session-dedup"] })).toBe(
      "raftsim run --scenario scenarios/partition-halves.yaml --seed 3 --time 10s --bug no-session-dedup --every-fault",
    );
    expect(rerunLine({ seed: 1, timeUs: 1_500_000, scenarioRef: "my dir/it's.yaml", bugs: [], everyFault: false })).toBe(
      "raftsim run --scenario 'my dir/it'\\''s.yaml' --seed 1 --time 1500ms",
    );
  });
});
