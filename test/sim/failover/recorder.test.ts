// The failover system in the flight recorder (recorder lanes, split suspicion rows, markers) and
// in time travel (inspectNode: role, shard, epochs, offset, PFAIL/FAIL view, minority flag).
import { describe, expect, it } from "vitest";
import { buildReport, getSystem, nodeStatesAt, reportData, runSystem } from "../../../src/api/index.js";
import type { FaultAction } from "../../../src/sim/faults/index.js";

const failover = getSystem("failover");
const S = 1_000_000;

describe("failover in the flight recorder", () => {
  // Primary 0 crashes at 4 s: every other node suspects it (PFAIL, then FAIL), a replica of
  // shard 0 wins an election.
  const faults: FaultAction[] = [{ at: 4 * S, kind: "crash", node: 0 } as FaultAction];
  const r = runSystem(failover, { seed: 1, timeUs: 30 * S, faults, keepTrace: true });

  it("has a lane per node, suspicion rows split by target, and election markers", () => {
    expect(r.verdict, r.message ?? "").toBe("ok");
    const d = reportData(r, { timeUs: 30 * S });
    expect(d.nodes).toBe(9);
    const lane = (name: string) => d.lanes.findIndex((l) => l.name === name);
    expect(d.lanes.map((l) => l.name)).toEqual(expect.arrayContaining(["shard", "role", "configEpoch", "currentEpoch", "state", "writable", "pfail", "fail"]));
    // Every node has its role and shard rows.
    for (let n = 0; n < 9; n++) {
      expect(d.series.some((s) => s.node === n && s.lane === lane("role") && s.t.length > 0), `role of ${n}`).toBe(true);
      const shard = d.series.find((s) => s.node === n && s.lane === lane("shard"));
      expect(shard?.v[0]).toBe(Math.floor(n / 3));
    }
    // Every live node has a PFAIL row and a FAIL row for target 0, and none for itself.
    for (let n = 1; n < 9; n++) {
      const pf = d.series.find((s) => s.node === n && s.lane === lane("pfail") && s.key === 0);
      expect(pf?.v, `pfail row of ${n} for 0`).toContain(1);
      const f = d.series.find((s) => s.node === n && s.lane === lane("fail") && s.key === 0);
      expect(f !== undefined && f.v.some((v) => v === 1 || v === 2), `fail row of ${n} for 0`).toBe(true);
      expect(d.series.some((s) => s.node === n && s.key === n)).toBe(false);
    }
    const labels = d.marks.label.map((i) => (d as unknown as { strings?: string[] }).strings?.[i] ?? i);
    expect(d.marks.t.length).toBeGreaterThan(0);
    expect(labels.length).toBe(d.marks.t.length);
    const html = buildReport(r, { timeUs: 30 * S });
    expect(html).toContain("won election @");
    expect(html).toContain("FAIL (own)");
  });

  it("inspectNode (3 s: before the crash, after the 2 s writable delay; 10 s: after the failover): role, shard, epochs, offset, the PFAIL/FAIL view and the minority flag", () => {
    const { snapshots: snap } = nodeStatesAt({ system: "failover", seed: 1, timeUs: 30 * S, faults }, [3 * S, 10 * S]);
    const at = (i: number, node: number) => snap[i].nodes.find((n) => n.node === node)!.fields;
    expect(at(0, 0)).toMatchObject({ role: "primary", primary: null, shard: 0, slots: 16, clusterOk: true, minority: false, pfail: "-", fail: "-" });
    expect(at(0, 4)).toMatchObject({ role: "replica", primary: 3, shard: 1, slots: 0 });
    for (const k of ["configEpoch", "currentEpoch", "lastVoteEpoch", "offset", "writable", "electionEpoch"]) expect(at(0, 4)).toHaveProperty(k);
    // At 10 s node 0 is down and FAIL for everyone; one of its replicas took its slots.
    expect(at(1, 0).status).toBe("down");
    expect(at(1, 0)).not.toHaveProperty("role");
    const winners = [1, 2].filter((i) => at(1, i).role === "primary");
    expect(winners).toHaveLength(1);
    expect(at(1, winners[0])).toMatchObject({ shard: 0, slots: 16, fail: "0" });
    expect(Number(at(1, winners[0]).configEpoch)).toBeGreaterThan(0);
    expect(at(1, 3).lastVoteEpoch).toBeGreaterThan(0);
    expect(at(1, 5).fail).toBe("0");
  });
});
