// raft-metadata's onlineChecks option (system.ts; bench:check-share measures what the checks
// cost with it): "all" (the default), "starting" (the checks raft-metadata had when issue 12
// began) and "none" (the history check only). The checks only read, so every mode runs the
// same events; a planted bug that only a newer check sees passes with fewer checks.
import { beforeAll, describe, expect, it } from "vitest";
import { simulate } from "../../../src/api/simulate.js";
import { buildCli, cli } from "../../support/cli.js";

const S = 1_000_000;
const MODES = ["all", "starting", "none"] as const;
const run = (seed: number, onlineChecks: (typeof MODES)[number], bugs: string[] = []) =>
  simulate({ seed, timeUs: 10 * S, sutAsserts: false, bugs, systemOptions: { onlineChecks } }).result;

describe("onlineChecks", () => {
  it("runs the same events in every mode (same trace hash), and correct runs pass in each", () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const [a, b, c] = MODES.map((m) => run(seed, m));
      expect(a!.verdict, `seed ${seed}: ${a!.message}`).toBe("ok");
      expect(b!.verdict).toBe("ok");
      expect(c!.verdict).toBe("ok");
      expect(b!.traceHash, `seed ${seed}`).toBe(a!.traceHash);
      expect(c!.traceHash, `seed ${seed}`).toBe(a!.traceHash);
    }
  });

  it("fewer checks find less: commit-previous-term at seed 2 is seen only by a check added since (commit-current-term)", () => {
    expect(run(2, "all", ["commit-previous-term"]).message).toMatch(/^commit-current-term/);
    expect(run(2, "starting", ["commit-previous-term"]).verdict).toBe("ok");
    expect(run(2, "none", ["commit-previous-term"]).verdict).toBe("ok");
  });

  it("the starting set still has the Raft invariants; none has only the history check", () => {
    expect(run(17, "starting", ["count-stale-vote"]).message).toMatch(/^election-legitimacy/);
    expect(run(17, "none", ["count-stale-vote"]).verdict).toBe("ok");
  });
});

describe("onlineChecks from the command line", () => {
  beforeAll(buildCli, 120_000);

  it("takes it in --system-options, and refuses a value it does not know (exit 64, the field named)", () => {
    const ok = JSON.parse(cli("run", "--seed", "2", "--time", "3s", "--system-options", '{"onlineChecks":"starting"}', "--json").out);
    const dflt = JSON.parse(cli("run", "--seed", "2", "--time", "3s", "--json").out);
    expect(ok.verdict).toBe("ok");
    expect(ok.traceHash).toBe(dflt.traceHash);
    const bad = cli("run", "--seed", "2", "--time", "3s", "--system-options", '{"onlineChecks":"some"}');
    expect(bad.code).toBe(64);
    expect(bad.err).toMatch(/onlineChecks is raft-metadata's, one of "all", "starting", "none" \(got "some"/);
    const other = cli("run", "--seed", "2", "--time", "3s", "--system", "pingpong", "--system-options", '{"onlineChecks":"none"}');
    expect(other.code).toBe(64);
  });
});
