// The engula system end to end: a calm run, bootstrap and joins, detection and cure after a
// crash, each planted bug found by its seed (and by a schedule aimed at it) and absent without
// it, the online checks failing where they must, and a small sweep without violations.
import { describe, expect, it } from "vitest";
import type { FaultAction } from "../../../src/sim/faults/index.js";
import { runSystem, type RunResult } from "../../../src/sim/runner/run.js";
import { getSystem } from "../../../src/sim/systems/index.js";
import { blameCure, hasLiveQuorum } from "../../../src/sim/systems/engula/observer.js";
import type { EngulaNode } from "../../../src/impl/engula/node.js";
import { resolveOptions } from "../../../src/sim/systems/engula/options.js";

const engula = getSystem("engula");
const S = 1_000_000;
const MS = 1_000;
const run = (seed: number, more: Partial<Parameters<typeof runSystem>[1]> = {}): RunResult => runSystem(engula, { seed, timeUs: 10 * S, sutAsserts: false, ...more });

/** Bug #12's schedule: crash a non-root node, then change the control unit every threshold/2. */
function churn(): FaultAction[] {
  const out: FaultAction[] = [{ at: 1_200 * MS, kind: "crash", node: 4 }];
  for (let t = 1_500 * MS; t < 6_500 * MS; t += 750 * MS) out.push({ at: t, kind: "isolate-leader" }, { at: t + 400 * MS, kind: "heal" });
  return out;
}

describe("engula system", () => {
  it("a calm run: every node joins, the history is linearizable, no cure, nothing detected", () => {
    let joined: boolean[] = [];
    let nodes: number[] = [];
    const r = run(1, { faults: [], inspect: (w) => {
      joined = w.nodes.map((n) => (n as EngulaNode).joined);
      const cu = w.nodes.find((n) => (n as EngulaNode).cu !== null) as EngulaNode;
      nodes = [...cu.universe.nodes];
    } });
    expect(r.verdict, r.message ?? "").toBe("ok");
    expect(joined).toEqual([true, true, true, true, true]);
    expect(nodes).toEqual([0, 1, 2, 3, 4]);
    expect(r.lin?.verdict).toBe("ok");
    expect(r.history!.ok).toBeGreaterThan(50);
    expect(r.details.cures).toBe(0);
    expect((r.details.detection as { detections: number }).detections).toBe(0);
  });

  it("bootstrap and join: joins are in the history, the first three nodes form the root group", () => {
    let rootVoters: number[] = [];
    const r = run(2, { faults: [], inspect: (w) => {
      const cu = w.nodes.find((n) => (n as EngulaNode).cu !== null) as EngulaNode;
      rootVoters = [...cu.host.get(0)!.voters()].sort();
      expect(cu.universe.members).toEqual(rootVoters);
    } });
    expect(r.verdict, r.message ?? "").toBe("ok");
    const joins = r.operations.filter((o) => (o.input as { f: string }).f === "join");
    expect(joins.length).toBe(4);
    expect(rootVoters.length).toBe(3);
    expect(rootVoters[0]).toBe(0);
  });

  it("the first-node variant keeps the control unit on node 0", () => {
    let cus: number[] = [];
    const r = run(3, { faults: [], options: { rootVoters: 1 }, inspect: (w) => {
      cus = w.nodes.map((n, i) => ((n as EngulaNode).cu !== null ? i : -1)).filter((i) => i >= 0);
    } });
    expect(r.verdict, r.message ?? "").toBe("ok");
    expect(cus).toEqual([0]);
  });

  it("a crashed node is declared dead within the threshold and its groups are cured", () => {
    const r = run(4, { faults: [{ at: 1 * S, kind: "crash", node: 3 }] });
    expect(r.verdict, r.message ?? "").toBe("ok");
    const d = r.details.detection as { detections: number; maxMs: number; checked: number };
    expect(d.detections).toBe(1);
    expect(d.maxMs).toBeLessThanOrEqual(1_500 + 200 + 50);
    expect(d.checked).toBeGreaterThan(0);
    // Node 3 held voters of groups 2 and 3: add a replacement, then remove it, in each.
    expect(r.details.cures as number).toBeGreaterThanOrEqual(4);
    expect(r.details.quorumLosses).toBe(0);
  });

  it("liveness-reset: control-unit churn keeps a crashed node alive past the bound (P-C1); the fix detects it", () => {
    const bad = run(1, { faults: churn(), bugs: ["liveness-reset"] });
    expect(bad.verdict).toBe("violation");
    expect(bad.message).toMatch(/^P-C1: node 4 down since/);
    const good = run(1, { faults: churn() });
    expect(good.verdict, good.message ?? "").toBe("ok");
    expect((good.details.detection as { checked: number }).checked).toBeGreaterThan(0);
  });

  for (const bug of engula.bugs) {
    it(`${bug.name}: seed ${bug.detectingSeed} finds it with assertions off, and passes without it`, () => {
      const withBug = run(bug.detectingSeed!, { bugs: [bug.name] });
      expect(withBug.verdict, withBug.message ?? "").toBe("violation");
      const without = run(bug.detectingSeed!);
      expect(without.verdict, without.message ?? "").toBe("ok");
    });
  }

  it("a small sweep of the default swarm has no violation", () => {
    for (let seed = 101; seed <= 110; seed++) {
      const r = run(seed);
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
  });

  it("same seed, same trace hash", () => {
    expect(run(7).traceHash).toBe(run(7).traceHash);
  });
});

describe("no quorum lost through a cure", () => {
  const up = (downs: number[]) => (n: number) => !downs.includes(n);
  it("blames a removal from an odd configuration that a survivor's crash then stops", () => {
    expect(blameCure([0, 1, 2], [0, 1], up([0]))).toMatch(/before the removal of 2/);
  });
  it("does not blame the faults alone, an addition, or a removal from an even configuration", () => {
    expect(blameCure([0, 1, 2], [0, 1], up([0, 2]))).toBeNull(); // the old one had lost it too
    expect(blameCure([0, 1, 2], [0, 1, 2, 3], up([0, 3]))).toBeNull(); // an addition
    for (const downs of [[0], [0, 1], [1, 3], [0, 3], [3]]) expect(blameCure([0, 1, 2, 3], [0, 1, 3], up(downs))).toBeNull();
    expect(blameCure(null, [0, 1], up([0]))).toBeNull();
  });
  it("counts live quorums", () => {
    expect(hasLiveQuorum([0, 1, 2], up([2]))).toBe(true);
    expect(hasLiveQuorum([0, 1, 2, 3], up([2, 3]))).toBe(false);
  });
});

describe("engula options", () => {
  it("name the field and the problem", () => {
    expect(() => resolveOptions({ replicas: 9 }, 5, {}, true)).toThrow("engula option replicas: must be an integer in [1, 7], got 9");
    expect(() => resolveOptions({ replicas: 5 }, 5, {}, true)).toThrow("engula option servers: need at least replicas + 1 = 6 nodes");
    expect(() => resolveOptions({ threshold: 3 }, 5, {}, true)).toThrow(/engula option threshold: unknown option/);
    expect(() => resolveOptions({ livenessThresholdMs: 1000, heartbeatTimeoutMs: 1000 }, 5, {}, true)).toThrow(/heartbeatTimeoutMs/);
  });
  it("default the interval to threshold - timeout, as Engula does", () => {
    const r = resolveOptions({ livenessThresholdMs: 30_000, heartbeatTimeoutMs: 4_000 }, 5, {}, true);
    expect(r.node.heartbeatIntervalUs).toBe(26_000_000);
  });
});
