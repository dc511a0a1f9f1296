// Time travel (`replay --at`): node snapshots at instants of a run. They only observe — the
// trace hash is the same with and without — and they show the state at the instant asked for,
// not at the end of the run.
import { describe, expect, it } from "vitest";
import { checkInstants, InstantError, nodeStatesAt, simulate, type InstantSnapshot } from "../../../src/api/index.js";
import { termRuns } from "../../../src/sim/systems/raft-metadata/inspect.js";
import { Scheduler } from "../../../src/sim/kernel/scheduler.js";

const S = 1_000_000;

function field(s: InstantSnapshot, node: number, name: string): unknown {
  return s.nodes[node].fields[name];
}

describe("snapshots do not perturb the run", () => {
  const cases: { name: string; o: Parameters<typeof simulate>[0] }[] = [
    { name: "raft seed 1", o: { seed: 1, timeUs: 10 * S } },
    { name: "raft seed 7", o: { seed: 7, timeUs: 10 * S } },
    { name: "raft seed 3, every fault", o: { seed: 3, timeUs: 10 * S, everyFamily: true } },
    { name: "raft seed 11, every fault", o: { seed: 11, timeUs: 10 * S, everyFamily: true } },
    { name: "raft, a planted bug that fails the run", o: { seed: 1, timeUs: 10 * S, bugs: ["ack-before-durable"] } },
    { name: "pingpong seed 2, every fault", o: { system: "pingpong", seed: 2, timeUs: 10 * S, everyFamily: true } },
    { name: "pingpong seed 5", o: { system: "pingpong", seed: 5, timeUs: 5 * S } },
  ];
  for (const c of cases) {
    it(`${c.name}: same trace hash, events and verdict with probes at many instants`, () => {
      const plain = simulate(c.o).result;
      // Instants on event times and between them, repeated, unsorted, at 0 and at the end.
      const at = [c.o.timeUs, 0, 1, 2 * S + 1, 2 * S, 2 * S, 3_250_000, 7 * S + 12_345, c.o.timeUs - 1];
      const probed = simulate({ ...c.o, at }).result;
      expect(probed.traceHash).toBe(plain.traceHash);
      expect(probed.stats).toEqual(plain.stats);
      expect(probed.verdict).toBe(plain.verdict);
      expect(probed.snapshots!.map((s) => s.atUs)).toEqual([...at].sort((x, y) => x - y));
      for (const s of probed.snapshots!) expect(s.nodes).toHaveLength(5);
    });
  }
});

describe("raft-metadata snapshots", () => {
  // fast: false runs to the end (the default fast model ends once healthy, before 9 s).
  const { snapshots } = nodeStatesAt({ seed: 1, timeUs: 10 * S, systemOptions: { fast: false } }, [1 * S, 5 * S, 9 * S]);
  const [at1, at5, at9] = snapshots;

  it("seed 1 after the heal (9 s): exactly one leader, in the highest term among up nodes", () => {
    const up = at9.nodes.filter((n) => n.fields.status === "up");
    const maxTerm = Math.max(...up.map((n) => n.fields.term as number));
    const leaders = up.filter((n) => n.fields.role === "leader" && n.fields.term === maxTerm);
    expect(leaders).toHaveLength(1);
    for (const n of up) expect(n.fields.leader).toBe(leaders[0].node);
  });

  it("at every instant: at most one leader per term; commit ≤ last index; applied ≤ commit; revision = applied", () => {
    for (const s of snapshots) {
      const up = s.nodes.filter((n) => n.fields.role !== undefined);
      expect(up.length).toBeGreaterThan(0);
      const leaderTerms = up.filter((n) => n.fields.role === "leader").map((n) => n.fields.term);
      expect(new Set(leaderTerms).size).toBe(leaderTerms.length);
      for (const n of up) {
        const snap = n.fields.snapshot === "-" ? 0 : Number(String(n.fields.snapshot).split("@")[0]);
        const last = n.fields.log === "-" ? snap : Number(String(n.fields.log).split("..")[1]);
        expect(n.fields.commit as number).toBeLessThanOrEqual(last);
        expect(n.fields.applied as number).toBeLessThanOrEqual(n.fields.commit as number);
        expect(n.fields.revision).toBe(n.fields.applied);
        expect(n.fields.terms).toMatch(n.fields.log === "-" ? /^-$/ : /^(\[\d+(\.\.\d+)?\]@\d+ ?)+$/);
      }
    }
  });

  it("shows the state at the instant, not at the end: progress between 1 s and 9 s", () => {
    const sum = (s: InstantSnapshot, f: string) => s.nodes.reduce((a, n) => a + ((n.fields[f] as number | undefined) ?? 0), 0);
    expect(sum(at1, "commit")).toBeLessThan(sum(at9, "commit"));
    expect(sum(at1, "revision")).toBeLessThan(sum(at5, "revision"));
    expect(at1.reached && at5.reached && at9.reached).toBe(true);
  });

  it("the generic fields are there for every node", () => {
    for (const n of at5.nodes) {
      expect(Object.keys(n.fields).slice(0, 5)).toEqual(["status", "clockUs", "driftPpm", "unsynced", "fsyncs"]);
      expect(field(at5, n.node, "clockUs")).toEqual(expect.any(Number));
    }
  });

  it("a crashed node shows its status and no system fields", () => {
    // Every-fault seeds crash nodes; find an instant where one is down.
    const at = Array.from({ length: 40 }, (_, i) => Math.round((i + 1) * 0.25 * S));
    const { snapshots: ss } = nodeStatesAt({ seed: 3, timeUs: 10 * S, everyFamily: true }, at);
    const down = ss.flatMap((s) => s.nodes).filter((n) => n.fields.status === "down");
    expect(down.length).toBeGreaterThan(0);
    for (const n of down) expect(n.fields.role).toBeUndefined();
  });

  it("a run that stops at a violation before the instant says so", () => {
    const plain = simulate({ seed: 1, timeUs: 10 * S, bugs: ["ack-before-durable"] }).result;
    expect(plain.verdict).toBe("violation");
    const after = Math.min(10 * S, plain.atUs + 1);
    const { snapshots: ss } = nodeStatesAt({ seed: 1, timeUs: 10 * S, bugs: ["ack-before-durable"] }, [0, after]);
    expect(plain.stats.simulatedUs).toBeLessThan(after);
    expect(ss[0].reached).toBe(true);
    expect(ss[1].reached).toBe(false);
    expect(ss[1].stoppedAtUs).toBe(plain.stats.simulatedUs);
  });
});

describe("an instant after the end of the run", () => {
  it("is not reached: the nodes as they were at the end", () => {
    const r = simulate({ seed: 1, timeUs: 2 * S, at: [S, 50 * S] }).result;
    expect(r.snapshots!.map((s) => [s.reached, s.stoppedAtUs])).toEqual([[true, undefined], [false, r.stats.simulatedUs]]);
  });
});

describe("pingpong snapshots", () => {
  it("counters grow between two instants", () => {
    const { snapshots } = nodeStatesAt({ system: "pingpong", seed: 1, timeUs: 5 * S }, [1 * S, 4 * S]);
    const total = (s: InstantSnapshot) => s.nodes.reduce((a, n) => a + ((n.fields.counter as number | undefined) ?? 0), 0);
    expect(total(snapshots[0])).toBeGreaterThan(0);
    expect(total(snapshots[0])).toBeLessThan(total(snapshots[1]));
    expect(snapshots[1].nodes.every((n) => typeof n.fields.counter === "number" && typeof n.fields.pongsFrom === "string")).toBe(true);
  });
});

describe("instants", () => {
  it("must be within the run", () => {
    expect(() => checkInstants([-1], 10)).toThrow(InstantError);
    expect(() => checkInstants([11], 10)).toThrow(/after the end of the run/);
    expect(() => checkInstants([0, 10], 10)).not.toThrow();
  });
  it("termRuns compresses terms into runs", () => {
    const terms = [0, 1, 1, 1, 3, 3, 4];
    expect(termRuns(1, 6, (i) => terms[i])).toBe("[1..3]@1 [4..5]@3 [6]@4");
    expect(termRuns(5, 4, () => 1)).toBe("-");
  });
});

describe("scheduler watch", () => {
  it("fires before the first event later than the instant, after every event at or before it", () => {
    const s = new Scheduler();
    const seen: string[] = [];
    for (const t of [5, 10, 10, 15]) s.push(t, 1, t, 0, undefined);
    s.setWatch(10, () => seen.push(`watch@${s.now}`));
    s.runUntil({ handle: (_k, a) => seen.push(`ev${a}`) }, 100);
    expect(seen).toEqual(["ev5", "ev10", "ev10", "watch@10", "ev15"]);
  });
  it("does not fire for an event beyond the runUntil limit", () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.push(20, 1, 20, 0, undefined);
    s.setWatch(10, () => seen.push("watch"));
    s.runUntil({ handle: () => seen.push("ev") }, 15);
    expect(seen).toEqual([]);
    s.runUntil({ handle: () => seen.push("ev") }, 30);
    expect(seen).toEqual(["watch", "ev"]);
  });
});
