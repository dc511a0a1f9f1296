// simProperty and faults.schedule: fast-check draws seeds and fault schedules, a failure names
// the seed, the schedule and a replay command that reruns it exactly, and shrinking works over
// the schedule.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSimProperty, faults, simProperty } from "../../src/api/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "dist/src/cli/main.js");

describe("faults.schedule", () => {
  it("draws sorted actions of generic kinds inside the window", () => {
    fc.assert(
      fc.property(faults.schedule({ servers: 3, durationMs: 2000, maxFaults: 6 }), (s) => {
        for (let i = 0; i < s.length; i++) {
          expect(s[i].at).toBeGreaterThanOrEqual(0);
          expect(s[i].at).toBeLessThan(2_000_000);
          if (i > 0) expect(s[i].at).toBeGreaterThanOrEqual(s[i - 1].at);
          expect(faults.kinds).toContain(s[i].kind);
        }
        expect(faults.count(s)).toBeLessThanOrEqual(6);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("shrinks to fewer and shorter faults", () => {
    // Fails whenever a node is crashed for more than 100 ms: the minimum is one crash of 101 ms.
    const d = fc.check(
      fc.property(faults.episodes({ servers: 5, durationMs: 5000, maxFaults: 8, families: ["crash", "pause"] }), (es) => !es.some((e) => e.kind === "crash" && e.durMs > 100)),
      { seed: 7, numRuns: 500 },
    );
    expect(d.failed).toBe(true);
    expect(d.counterexample![0]).toEqual([{ kind: "crash", at: 0, durMs: 101, node: 0 }]);
  });
});

describe("simProperty", () => {
  it("finds a planted bug, shrinks its schedule, and prints a replay command that reruns it exactly", () => {
    const r = checkSimProperty({ system: "pingpong", bugs: ["ack-before-durable"], timeMs: 5000, numRuns: 200, fcSeed: 1 });
    expect(r.failed).toBe(true);
    expect(r.numRuns).toBeLessThanOrEqual(200);
    expect(r.faults).toBeLessThanOrEqual(3);
    const c = r.counterexample!;
    expect(r.message).toContain(`seed:     ${c.seed}`);
    expect(r.message).toContain(JSON.stringify(c.schedule));
    const line = /replay: {3}(raftsim replay .*)$/m.exec(r.message)![1];
    expect(line).toContain("--faults '");
    const argv = line.match(/'[^']*'|\S+/g)!.map((w) => w.replace(/^'|'$/g, "")).slice(1);
    const out = spawnSync(process.execPath, [BIN, ...argv, "--json"], { cwd: ROOT, encoding: "utf8" });
    expect(out.status).toBe(1); // the violation again, and the same trace
    const j = JSON.parse(out.stdout);
    expect(j.match).toBe(true);
    expect(j.verdict).toBe("violation");
    expect(() => simProperty({ system: "pingpong", bugs: ["ack-before-durable"], timeMs: 5000, numRuns: 200, fcSeed: 1 })).toThrow(/seed: +\d+[\s\S]*raftsim replay/);
  });

  it("passes when the system is correct", () => {
    expect(() => simProperty({ system: "pingpong", timeMs: 4000, numRuns: 25, fcSeed: 3 })).not.toThrow();
  });
});
