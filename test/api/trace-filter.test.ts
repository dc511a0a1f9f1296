// The trace filters behind --trace-node, --trace-kind and --trace-window.
import { describe, expect, it } from "vitest";
import { keepRecord, parseTraceKinds, parseTraceNodes, parseTraceWindow, simulate, systems, traceKindNames, TraceFilterError, filterTrace } from "../../src/api/index.js";

const raft = systems.get("raft-metadata");

describe("parsing", () => {
  it("kinds: kernel kinds and the system's notes; an unknown one is named, with the valid list", () => {
    expect(traceKindNames(raft)).toEqual(expect.arrayContaining(["deliver", "crash", "note", "note:role", "note:commit"]));
    expect(traceKindNames(systems.get("pingpong"))).not.toContain("note:role");
    expect(parseTraceKinds(" deliver , note:role", raft)).toEqual(["deliver", "note:role"]);
    expect(() => parseTraceKinds("deliver,note:rol", raft)).toThrow(/unknown record kind "note:rol"; valid: deliver, drop/);
    expect(() => parseTraceKinds(",", raft)).toThrow(TraceFilterError);
  });
  it("nodes", () => {
    expect(parseTraceNodes("0, 2,2")).toEqual([0, 2]);
    for (const bad of ["", "a", "-1", "1.5", "1,,2"]) expect(() => parseTraceNodes(bad)).toThrow(TraceFilterError);
  });
  it("windows: durations with dots, open ends, order", () => {
    expect(parseTraceWindow("1.5s..3.25s")).toEqual({ fromUs: 1_500_000, toUs: 3_250_000 });
    expect(parseTraceWindow("0..500ms")).toEqual({ fromUs: 0, toUs: 500_000 });
    expect(parseTraceWindow("2s..")).toEqual({ fromUs: 2_000_000, toUs: Number.MAX_SAFE_INTEGER });
    expect(parseTraceWindow("..2s")).toEqual({ fromUs: 0, toUs: 2_000_000 });
    for (const bad of ["2s", "3s..1s", "x..2s", "1s..2"]) expect(() => parseTraceWindow(bad)).toThrow(TraceFilterError);
  });
});

describe("filtering", () => {
  const records = [...simulate({ seed: 2, timeUs: 3_000_000, everyFamily: true, keepTrace: true }).result.trace.records()];

  it("a message record is about its sender and receiver; a fault record about no node", () => {
    const f = { nodes: [1] };
    expect(keepRecord(f, { i: 0, kind: "deliver", t: 0, a: 1, b: 3, c: 0, d: 0 })).toBe(true);
    expect(keepRecord(f, { i: 0, kind: "deliver", t: 0, a: 3, b: 1, c: 0, d: 0 })).toBe(true);
    expect(keepRecord(f, { i: 0, kind: "deliver", t: 0, a: 3, b: 2, c: 0, d: 0 })).toBe(false);
    expect(keepRecord(f, { i: 0, kind: "fault", t: 0, a: 1, b: 1, c: 1, d: 1 })).toBe(false);
    expect(keepRecord(f, { i: 0, kind: "tick", t: 0, a: 1, b: 0, c: 0, d: 0 })).toBe(true);
  });

  it("filters compose (and): kind, node and window together", () => {
    // A window around the run's first commit, on the node that made it (where commits fall
    // depends on the seed's schedule), so both expected kinds are present.
    const first = records.find((r) => r.note === "commit")!;
    const node = first.a;
    const fromUs = Math.max(0, first.t - 500_000), toUs = first.t + 500_000;
    const f = { kinds: ["note:commit", "tick"], nodes: [node], fromUs, toUs };
    const got = [...filterTrace(records, f)];
    expect(got.length).toBeGreaterThan(0);
    for (const r of got) {
      expect(r.a).toBe(node);
      expect(r.t).toBeGreaterThanOrEqual(fromUs);
      expect(r.t).toBeLessThanOrEqual(toUs);
      expect(r.kind === "tick" || r.note === "commit").toBe(true);
    }
    expect(new Set(got.map((r) => r.kind))).toEqual(new Set(["tick", "note"]));
    // "note" keeps every note
    const notes = [...filterTrace(records, { kinds: ["note"] })];
    expect(new Set(notes.map((r) => r.note)).size).toBeGreaterThan(1);
  });
});
