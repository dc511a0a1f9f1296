import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../../../src/sim/systems/raft-metadata/clients/recorder.js";

describe("HistoryRecorder", () => {
  it("records ok, fail and info ops in invocation order; open ops read as info", () => {
    const r = new HistoryRecorder();
    const a = r.invoke(0, { f: "put", key: "k", value: "v" }, 10);
    const b = r.invoke(1, { f: "get", key: "k" }, 11);
    const c = r.invoke(2, { f: "delete", key: "k" }, 12);
    r.ok(a, { f: "put", revision: 3 }, 20);
    r.fail(b, 21);
    const d = r.invoke(1, { f: "exists", key: "k" }, 22);
    r.info(c, 30);
    expect(r.openCount()).toBe(1);
    const ops = r.operations();
    expect(ops).toEqual([
      { client: 0, input: { f: "put", key: "k", value: "v" }, call: 10, ret: 20, status: "ok", output: { f: "put", revision: 3 } },
      { client: 1, input: { f: "get", key: "k" }, call: 11, ret: 21, status: "fail", output: undefined },
      { client: 2, input: { f: "delete", key: "k" }, call: 12, ret: Infinity, status: "info", output: undefined },
      { client: 1, input: { f: "exists", key: "k" }, call: 22, ret: Infinity, status: "info", output: undefined },
    ]);
    expect(r.totals()).toEqual({ ok: 1, fail: 1, info: 1 });
    expect(d).toBe(3);
  });

  it("asserts one open op per process, monotone times, single completion", () => {
    const r = new HistoryRecorder();
    const a = r.invoke(0, { f: "get", key: "k" }, 10);
    expect(() => r.invoke(0, { f: "get", key: "k" }, 11)).toThrow(/history invariant/);
    expect(() => r.ok(a, { f: "get", found: false }, 5)).toThrow(/history invariant/);
    r.ok(a, { f: "get", found: false }, 12);
    expect(() => r.fail(a, 13)).toThrow(/history invariant/);
  });
});
