// The failover system with a hosted point-to-point detector (--detector timeout|phi|swim|oracle)
// as the nodes' PFAIL input: calm runs (P-FD3 armed), a calm primary crash detected within the
// detector's B_D and failed over within the bound, and the bounded check failing when the
// checker's B_D is tighter than the detector.
import { describe, expect, it } from "vitest";
import { runSystem, type RunResult } from "../../../src/sim/runner/run.js";
import { getSystem } from "../../../src/sim/systems/index.js";
import type { FaultAction } from "../../../src/sim/faults/index.js";

const failover = getSystem("failover");
const S = 1_000_000;

type Fd = { name: string; tdP50Ms: number | null; tdP99Ms: number | null; falseSuspicions: number; bdMs: number; checked: { crashes: number; observers: number } };
type Fo = { failovers: number; checked: number };

function run(detector: string, faults: readonly FaultAction[], extra: object = {}, timeUs = 40 * S): RunResult & { fd: Fd; fo: Fo } {
  const r = runSystem(failover, { seed: 1, timeUs, faults, options: { detector, ...extra } });
  return Object.assign(r, { fd: r.details.detector as Fd, fo: r.details.failover as Fo });
}

describe("failover with a hosted detector", () => {
  for (const d of ["timeout", "phi", "swim", "oracle"]) {
    it(`${d}: a calm run has no suspicion at all`, () => {
      const r = run(d, [], {}, 20 * S);
      expect(r.verdict, r.message ?? "").toBe("ok");
      expect(r.fd.name).toBe(d);
      expect(r.fd.falseSuspicions).toBe(0);
    });

    it(`${d}: a calm primary crash is suspected by every observer within B_D and failed over`, () => {
      const r = run(d, [{ at: 5 * S, kind: "crash", node: 0 }]);
      expect(r.verdict, r.message ?? "").toBe("ok");
      expect(r.fd.checked).toEqual({ crashes: 1, observers: 8 });
      expect(r.fd.tdP99Ms!).toBeLessThanOrEqual(r.fd.bdMs + 250);
      expect(r.fo.failovers).toBe(1);
      expect(r.fo.checked).toBe(1);
    });
  }

  it("the detectors differ: B_D of timeout 18 s, phi 6.4 s, swim 16 s, oracle 0", () => {
    const bd = (d: string) => run(d, [], {}, 1 * S).fd.bdMs;
    expect([bd("timeout"), Math.round(bd("phi") / 100) / 10, bd("swim"), bd("oracle")]).toEqual([18_000, 6.4, 16_000, 0]);
  });

  it("P-FD1 fails when the checker's B_D is tighter than the detector (phi threshold 1 for the checker, 8 for the nodes)", () => {
    const r = run("phi", [{ at: 5 * S, kind: "crash", node: 4 }], { checkFd: { threshold: 1, acceptableHeartbeatPauseUs: 0 } });
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^P-FD1: node \d does not suspect node 4/);
  });

  it("detector parameters are options: a faster timeout detector detects sooner", () => {
    const slow = run("timeout", [{ at: 5 * S, kind: "crash", node: 0 }]);
    const fast = run("timeout", [{ at: 5 * S, kind: "crash", node: 0 }], { fd: { intervalUs: 1 * S, maxMisses: 2, probeTimeoutUs: 500_000 } });
    expect(fast.verdict, fast.message ?? "").toBe("ok");
    expect(fast.fd.bdMs).toBe(2_500);
    expect(fast.fd.tdP50Ms!).toBeLessThan(slow.fd.tdP50Ms!);
  });
});
