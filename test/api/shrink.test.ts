// Shrinking (src/api/shrink.ts): what "the same failure" is, that a materialised schedule
// replays a generated run exactly, that the reduction keeps only candidates failing the same way
// (a fake replay function makes the choice visible), and real shrinks of two planted bugs.
import { describe, expect, it } from "vitest";
import type { FaultAction } from "../../src/sim/faults/kinds.js";
import { runSystem, type RunOptions } from "../../src/sim/runner/run.js";
import { getSystem } from "../../src/sim/systems/index.js";
import { failureOf, materialise, maxNode, renumbered, sameFailure, shrink, shrinkExplicit, NotFailingError, type Outcome } from "../../src/api/shrink.js";

const outcome = (verdict: Outcome["verdict"], message: string | null, events = 100, keys: string[] = []): Outcome => ({
  verdict,
  message,
  atUs: 0,
  traceHash: "0000000000000000",
  stats: { events, messagesSent: 0, messagesDelivered: 0, messagesDropped: 0, simulatedUs: 1_000_000 },
  history: { ops: 0, ok: 0, fail: 0, info: 0 },
  lin: keys.length === 0 ? null : { verdict: "illegal", partitions: keys.length, ms: 0, reason: undefined, counterexample: { parts: keys.map((k) => ({ partition: k, prefix: [], stateAfterPrefix: "", cannotFollow: [], deadline: null })) } } as unknown as Outcome["lin"],
});

describe("the same failure", () => {
  it("is the verdict and the invariant (the message's first word)", () => {
    const f = failureOf(outcome("violation", "election-legitimacy at node 2, t=3.000ms: ..."))!;
    expect(f).toEqual({ verdict: "violation", check: "election-legitimacy" });
    expect(sameFailure(f, failureOf(outcome("violation", "election-legitimacy at node 0, t=9.000ms: other")))).toBe(true);
    expect(sameFailure(f, failureOf(outcome("violation", "leader-completeness at node 2, t=3.000ms: ...")))).toBe(false);
    expect(sameFailure(f, failureOf(outcome("liveness", "no leader 3.0s after the final heal")))).toBe(false);
    expect(sameFailure(f, failureOf(outcome("ok", null)))).toBe(false);
    expect(failureOf(outcome("unknown", "linearizability check gave up"))).toBeNull();
  });

  it("for linearizability: a failing key in common", () => {
    const f = failureOf(outcome("violation", "history is not linearizable (2 key(s) fail)", 1, ["a", "b"]))!;
    expect(f).toEqual({ verdict: "violation", check: "linearizability", keys: ["a", "b"] });
    expect(sameFailure(f, failureOf(outcome("violation", "history is not linearizable (1 key(s) fail)", 1, ["b"])))).toBe(true);
    expect(sameFailure(f, failureOf(outcome("violation", "history is not linearizable (1 key(s) fail)", 1, ["c"])))).toBe(false);
  });

  it("names a per-node check by what follows the node", () => {
    expect(failureOf(outcome("violation", "node 3: counter 4 below acknowledged durable 5 at t=9us"))?.check).toBe("counter");
  });

  it("liveness: its condition's first two words", () => {
    const f = failureOf(outcome("liveness", "no leader 3.3s after the final heal"))!;
    expect(sameFailure(f, failureOf(outcome("liveness", "no leader 1.0s after the final heal")))).toBe(true);
    expect(sameFailure(f, failureOf(outcome("liveness", "no client operation succeeded in the 3.3s after the final heal")))).toBe(false);
  });
});

describe("the reduction, with a fake replay", () => {
  const A: FaultAction = { at: 1_000_000, kind: "crash", node: 1 };
  const B: FaultAction = { at: 2_000_000, kind: "isolate", node: 2 };
  const C: FaultAction = { at: 3_000_000, kind: "pause", node: 3 };
  const D: FaultAction = { at: 4_000_000, kind: "crash-leader", downUs: 800_000 };
  const base: RunOptions = { seed: 1, timeUs: 10_000_000, servers: 5, clients: 5, faults: [A, B, C, D, { at: 6_666_666, kind: "heal-all" }] };
  const has = (o: RunOptions, f: FaultAction) => (o.faults ?? []).some((g) => g.kind === f.kind);
  const size = (o: RunOptions) => (o.faults ?? []).length * 10 + (o.clients ?? 5) + (o.servers ?? 5) + Math.round(o.timeUs / 100_000);

  it("keeps the faults the failure needs, and rejects a candidate that changes the failure", () => {
    const tried: RunOptions[] = [];
    // alpha needs A and B; without B the same run fails differently (beta): never accepted.
    const replay = (o: RunOptions): Outcome => {
      tried.push(o);
      if (has(o, A) && has(o, B)) return outcome("violation", "alpha at node 1", size(o));
      if (has(o, A)) return outcome("violation", "beta at node 1", size(o));
      return outcome("ok", null, size(o));
    };
    const r = shrinkExplicit(base, { verdict: "violation", check: "alpha" }, replay, { budgetMs: 60_000 });
    expect(r.options.faults!.map((f) => f.kind)).toEqual(["crash", "isolate", "heal-all"]);
    expect(r.after.faults).toBe(2);
    expect(r.before.faults).toBe(4);
    // A candidate without B was replayed (and failed as beta), and was not kept.
    expect(tried.some((o) => has(o, A) && !has(o, B))).toBe(true);
    expect(r.options.clients).toBe(1);
    // Nodes 1 and 2 are named: renumbered 0 and 1, two servers suffice.
    expect(r.options.servers).toBe(2);
    expect(r.options.faults!.slice(0, 2)).toMatchObject([{ kind: "crash", node: 0 }, { kind: "isolate", node: 1 }]);
    expect(r.options.timeUs).toBeLessThan(base.timeUs);
    expect(r.options.faults!.at(-1)!.kind).toBe("heal-all");
  });

  it("shortens durations while the failure recurs, and stops at the budget", () => {
    const replay = (o: RunOptions): Outcome => {
      const d = (o.faults ?? []).find((f) => f.kind === "crash-leader") as { downUs: number } | undefined;
      return d !== undefined && d.downUs >= 100_000 ? outcome("violation", "alpha", size(o)) : outcome("ok", null, size(o));
    };
    const r = shrinkExplicit(base, { verdict: "violation", check: "alpha" }, replay, { budgetMs: 60_000 });
    const d = r.options.faults!.find((f) => f.kind === "crash-leader") as { downUs: number };
    expect(d.downUs).toBeGreaterThanOrEqual(100_000);
    expect(d.downUs).toBeLessThan(200_000);
    let t = 0;
    const slow = shrinkExplicit(base, { verdict: "violation", check: "alpha" }, replay, { budgetMs: 5, now: () => (t += 1) });
    expect(slow.budgetExhausted).toBe(true);
    expect(slow.steps).toBeLessThan(5);
  });

  it("a liveness failure keeps its liveness window: the run gets no shorter than that", async () => {
    const { livenessWindowUs } = await import("../../src/sim/runner/liveness-window.js");
    const tried: RunOptions[] = [];
    const replay = (o: RunOptions): Outcome => {
      tried.push(o);
      return has(o, A) ? outcome("liveness", "no leader 3.3s after the final heal", size(o)) : outcome("ok", null, size(o));
    };
    const r = shrinkExplicit(base, { verdict: "liveness", check: "no leader" }, replay, { budgetMs: 60_000 });
    expect(r.options.faults!.map((f) => f.kind)).toEqual(["crash", "heal-all"]);
    for (const o of tried) expect(livenessWindowUs(o.timeUs)).toBeGreaterThanOrEqual(livenessWindowUs(base.timeUs));
    // The heal may come earlier (a longer liveness phase only gives the system more time).
    expect(r.options.faults!.at(-1)!.at).toBeLessThan(6_666_666);
  });

  it("renumbers the node ids a schedule names", () => {
    expect(renumbered([B, { at: 5, kind: "partition-halves", side: [4, 2] }])).toEqual([{ ...B, node: 0 }, { at: 5, kind: "partition-halves", side: [1, 0] }]);
  });

  it("counts the node ids a schedule names", () => {
    expect(maxNode([A, B])).toBe(2);
    expect(maxNode([{ at: 0, kind: "partition-halves", side: [0, 4] }])).toBe(4);
    expect(maxNode([D])).toBe(-1);
  });
});

describe("shrinking planted bugs", () => {
  it("a materialised schedule replays a generated run exactly (raft config and membership carried over)", () => {
    const sys = getSystem("raft-metadata");
    for (const [bug, seed] of [["membership-before-term-commit", 120], ["count-stale-vote", 13]] as const) {
      const o: RunOptions = { seed, timeUs: 10_000_000, bugs: [bug] };
      const r = runSystem(sys, o);
      const again = runSystem(sys, materialise(sys, o, r));
      expect(again.traceHash).toBe(r.traceHash);
    }
  });

  it("a materialised schedule carries the workload draw (profile, sticky clients, follower reads, asynchronous apply, session expiry) and survives a scenario file", async () => {
    const { scenarioYaml } = await import("../../src/api/shrunk-scenario.js");
    const { parseScenarioText, scenarioBlock } = await import("../../src/api/scenarios.js");
    const { scenarioRunOptions } = await import("../../src/sim/scenario/index.js");
    const sys = getSystem("raft-metadata");
    const drawn = new Set<string>();
    for (let seed = 1; seed <= 16; seed++) {
      const o: RunOptions = { seed, timeUs: 3_000_000 };
      const r = runSystem(sys, o);
      const d = r.details as Record<string, unknown>;
      for (const k of ["followerReads", "applyDelayUs", "sessionTtl"]) if (d[k] !== undefined && d[k] !== false) drawn.add(k);
      if ((d.workload as { stickyUs?: number } | undefined)?.stickyUs !== undefined) drawn.add("sticky");
      if ((d.workload as { readsAnywhere?: boolean } | undefined)?.readsAnywhere === true) drawn.add("readsAnywhere");
      const m = materialise(sys, o, r);
      expect(runSystem(sys, m).traceHash, `seed ${seed}`).toBe(r.traceHash);
      const sc = parseScenarioText(scenarioYaml(sys, m, { name: "m", description: "", expect: "ok" }), "m.yaml");
      expect(runSystem(sys, scenarioRunOptions(sc, scenarioBlock(sc), seed)).traceHash, `seed ${seed} as a file`).toBe(r.traceHash);
    }
    expect([...drawn].sort()).toEqual(["applyDelayUs", "followerReads", "readsAnywhere", "sessionTtl", "sticky"]);
  });

  it("raft-metadata count-stale-vote: fewer faults and events, the same invariant", () => {
    const sys = getSystem("raft-metadata");
    const r = shrink(sys, { seed: 150, timeUs: 10_000_000, bugs: ["count-stale-vote"] }, { budgetMs: 30_000 });
    expect(r.failure).toEqual({ verdict: "violation", check: "election-legitimacy" });
    expect(r.exactReplay).toBe(true);
    expect(r.after.events * 4).toBeLessThan(r.before.events);
    expect(r.after.faults).toBeLessThan(r.before.faults);
    const again = runSystem(sys, r.options);
    expect(again.message).toMatch(/^election-legitimacy /);
    expect(again.traceHash).toBe(r.after.traceHash);
    // Without the bug the shrunk run passes.
    expect(runSystem(sys, { ...r.options, bugs: [] }).verdict).toBe("ok");
  });

  it("pingpong's bug, and a passing run is refused", () => {
    const sys = getSystem("pingpong");
    const r = shrink(sys, { seed: 1, timeUs: 10_000_000, bugs: ["ack-before-durable"] }, { budgetMs: 30_000 });
    expect(r.after.events).toBeLessThan(r.before.events);
    expect(runSystem(sys, r.options).verdict).toBe("violation");
    expect(() => shrink(sys, { seed: 1, timeUs: 2_000_000 })).toThrow(NotFailingError);
  });
});

describe("lighter workloads", () => {
  it("raft-metadata offers fewer operations (longer think times) and one key, lightest first", () => {
    const sys = getSystem("raft-metadata");
    const v = sys.lighter!({ raft: { electionMinUs: 150_000 } }) as { raft: unknown; workload: { thinkMinUs?: number; thinkMaxUs?: number; keys?: string[] } }[];
    expect(v.map((x) => x.workload)).toEqual([{ thinkMinUs: 200_000, thinkMaxUs: 400_000 }, { thinkMinUs: 50_000, thinkMaxUs: 100_000 }, { thinkMinUs: 25_000, thinkMaxUs: 50_000 }, { keys: ["a"] }]);
    for (const x of v) expect(x.raft).toEqual({ electionMinUs: 150_000 });
    expect(sys.lighter!({ workload: { thinkMinUs: 200_000, thinkMaxUs: 400_000, keys: ["a"] } })).toEqual([]);
  });

  it("a shrunk run with a lighter workload is written as a scenario that replays it exactly", async () => {
    const { scenarioYaml } = await import("../../src/api/shrunk-scenario.js");
    const { parseScenarioText, scenarioBlock } = await import("../../src/api/scenarios.js");
    const { scenarioRunOptions } = await import("../../src/sim/scenario/index.js");
    const sys = getSystem("raft-metadata");
    const r = shrink(sys, { seed: 1, timeUs: 10_000_000, bugs: ["ack-before-durable"] }, { budgetMs: 30_000 });
    const w = (r.options.options as { workload?: { thinkMaxUs?: number } }).workload;
    expect(w?.thinkMaxUs).toBeGreaterThan(20_000);
    const text = scenarioYaml(sys, r.options, { name: "shrunk", description: "", expect: "violation" });
    expect(text).toMatch(/^workload:\n(.*\n)* {2}think:\n {4}min: \d+ms\n {4}max: \d+ms$/m);
    const sc = parseScenarioText(text, "shrunk.yaml");
    expect(runSystem(sys, scenarioRunOptions(sc, scenarioBlock(sc), 1)).traceHash).toBe(r.after.traceHash);
  });
});

describe("the shrunk run as a scenario file", () => {
  it("carries Raft's drawn configuration and the membership setup, and replays the shrunk run exactly", async () => {
    const { scenarioYaml } = await import("../../src/api/shrunk-scenario.js");
    const { parseScenarioText, scenarioBlock } = await import("../../src/api/scenarios.js");
    const { scenarioRunOptions } = await import("../../src/sim/scenario/index.js");
    const sys = getSystem("raft-metadata");
    const r = shrink(sys, { seed: 675, timeUs: 10_000_000, bugs: ["membership-before-term-commit"] }, { budgetMs: 30_000 });
    expect((r.options.options as { membership?: unknown }).membership).toBeDefined();
    const text = scenarioYaml(sys, r.options, { name: "shrunk", description: "", expect: "violation" });
    expect(text).toMatch(/^membership:\n {2}initialVoters: \d+\n {2}bootstrap: (true|false)$/m);
    const sc = parseScenarioText(text, "shrunk.yaml");
    const again = runSystem(sys, scenarioRunOptions(sc, scenarioBlock(sc), 675));
    expect(again.traceHash).toBe(r.after.traceHash);
    // The file's keys give back the very system options (fileKeys is options' inverse).
    expect(scenarioBlock(sc).options(sc)).toMatchObject({ membership: (r.options.options as { membership: unknown }).membership, raft: (r.options.options as { raft: unknown }).raft });
  });
});
