// The valkey system: its checks on hand-made inputs (each must fail where it should and pass
// where it should), and a few runs — the design passes, each unsafe design variant fails on a
// seed that shows it, with the system's own assertions off.
import { describe, expect, it } from "vitest";
import type { Operation } from "../../src/check/history.js";
import { checkOperations } from "../../src/check/linearizability.js";
import { runSystem } from "../../src/sim/runner/run.js";
import { getSystem } from "../../src/sim/systems/index.js";
import type { KvIn } from "../../src/sim/systems/valkey/client.js";
import { lostWaitAcked } from "../../src/sim/systems/valkey/lost-writes.js";
import { resolve } from "../../src/sim/systems/valkey/options.js";
import { shardLogModel, type LogOpIn, type LogOpOut } from "../../src/sim/systems/valkey/shard-log-history.js";

const rev = (i: number): string => JSON.stringify({ k: "s", s: 0, i });
let clock = 0;
function upd(node: number, ops: [string, string | null, string | null][], status: "ok" | "fail" | "info", out?: LogOpOut, span = 1): Operation<LogOpIn, LogOpOut> {
  const call = (clock += 10);
  return {
    client: clock,
    input: { shard: "s0", node, kind: "update", ops: ops.map(([key, value, exp]) => ({ key, value, exp })) },
    call,
    ret: status === "info" ? Infinity : call + span,
    status,
    output: out,
  };
}
const check = (ops: Operation<LogOpIn, LogOpOut>[]) => checkOperations(shardLogModel, ops, { timeoutMs: 5_000 }).verdict;

describe("valkey shard-log model (revision CAS, revisions by payload)", () => {
  it("passes inserts, CAS on the current revision, a conflict on a stale one", () => {
    expect(check([
      upd(0, [["primary", "0", null], ["epoch", "1", null]], "ok", { revs: [rev(3), rev(3)] }),
      upd(1, [["primary", "1", rev(3)], ["epoch", "2", rev(3)]], "ok", { revs: [rev(7), rev(7)] }),
      upd(2, [["primary", "2", rev(3)], ["epoch", "2", rev(3)]], "fail", { failed: 0 }),
    ])).toBe("ok");
  });

  it("fails a CAS that succeeds on a stale revision (a blind write)", () => {
    expect(check([
      upd(0, [["primary", "0", null]], "ok", { revs: [rev(3)] }),
      upd(1, [["primary", "1", rev(3)]], "ok", { revs: [rev(7)] }),
      upd(2, [["primary", "2", rev(3)]], "ok", { revs: [rev(9)] }),
    ])).toBe("illegal");
  });

  it("fails a write whose new revision the key had before (value CAS: A -> B -> A; a version after delete/re-insert)", () => {
    const v = (x: string) => JSON.stringify({ k: "x", s: 0, x });
    expect(check([
      upd(0, [["primary", "A", null]], "ok", { revs: [v("A")] }),
      upd(1, [["primary", "B", v("A")]], "ok", { revs: [v("B")] }),
      upd(0, [["primary", "A", v("B")]], "ok", { revs: [v("A")] }),
    ])).toBe("illegal");
    const ver = (n: number) => JSON.stringify({ k: "v", s: 0, v: n });
    expect(check([
      upd(1, [["fenced", "1", null]], "ok", { revs: [ver(1)] }),
      upd(1, [["fenced", null, ver(1)]], "ok", { revs: [null] }),
      upd(2, [["fenced", "2", null]], "ok", { revs: [ver(1)] }),
    ])).toBe("illegal");
  });

  it("fails a conflict when every compare held, passes an unknown outcome either way", () => {
    expect(check([
      upd(0, [["primary", "0", null]], "ok", { revs: [rev(3)] }),
      upd(1, [["primary", "1", rev(3)]], "fail", { failed: 0 }),
    ])).toBe("illegal");
    expect(check([
      upd(0, [["primary", "0", null]], "ok", { revs: [rev(3)] }),
      upd(1, [["primary", "1", rev(3)]], "info"),
      upd(2, [["primary", "2", rev(3)]], "fail", { failed: 0 }),
    ])).toBe("ok");
  });

  it("checks consistent reads against the state", () => {
    const read = (entries: LogOpOut): Operation<LogOpIn, LogOpOut> => {
      const call = (clock += 10);
      return { client: clock, input: { shard: "s0", node: 5, kind: "read", ops: [{ key: "primary", value: null, exp: null }] }, call, ret: call + 1, status: "ok", output: entries };
    };
    const w = upd(0, [["primary", "0", null]], "ok", { revs: [rev(3)] });
    expect(check([w, read({ entries: [{ value: "0", rev: rev(3) }] })])).toBe("ok");
    expect(check([w, read({ entries: [null] })])).toBe("illegal");
  });
});

describe("valkey lost WAIT-acknowledged writes", () => {
  const op = (f: "get" | "append", key: string, value: string | undefined, wait: boolean, call: number, ret: number, output: string | null): Operation<KvIn, string | null> =>
    ({ client: call, input: { f, key, value, wait }, call, ret, status: "ok", output });
  it("passes a WAIT-acked token seen by later reads and in the final value", () => {
    const ops = [op("append", "a", "1.1,", true, 0, 10, null), op("get", "a", undefined, false, 20, 30, "1.1,")];
    expect(lostWaitAcked(ops, new Map([["a", "1.1,"]])).lost).toBe(0);
  });
  it("fails a WAIT-acked token missing from a later read, or from the final value", () => {
    expect(lostWaitAcked([op("append", "a", "1.1,", true, 0, 10, null), op("get", "a", undefined, false, 20, 30, "")], null).lost).toBe(1);
    expect(lostWaitAcked([op("append", "a", "1.1,", true, 0, 10, null)], new Map([["a", "2.1,"]])).lost).toBe(1);
  });
  it("does not judge plain APPENDs, nor reads that began before the acknowledgement", () => {
    expect(lostWaitAcked([op("append", "a", "1.1,", false, 0, 10, null)], new Map([["a", ""]])).lost).toBe(0);
    expect(lostWaitAcked([op("append", "a", "1.1,", true, 0, 10, null), op("get", "a", undefined, false, 5, 30, "")], null).lost).toBe(0);
  });
});

describe("valkey options", () => {
  it("rejects unknown fields and values, naming the field", () => {
    expect(() => resolve({ revision: "hash" })).toThrow(/valkey option revision: unknown revision "hash"/);
    expect(() => resolve({ module: "paxos" })).toThrow(/valkey option module: unknown module "paxos"; known: raft/);
    expect(() => resolve({ leaseWait: "yes" })).toThrow(/valkey option leaseWait: must be true or false/);
    expect(() => resolve({ colour: 1 })).toThrow(/valkey option colour: unknown option/);
  });
});

describe("valkey runs (10 s, assertions off)", () => {
  const valkey = getSystem("valkey");
  const run = (seed: number, options?: unknown) => runSystem(valkey, { seed, timeUs: 10_000_000, sutAsserts: false, options });
  it("the design passes seed 1 with failovers, and is deterministic", () => {
    const a = run(1);
    expect(a.verdict, a.message ?? "").toBe("ok");
    const d = (a.details as { valkey: Record<string, number> }).valkey;
    expect(d.takeovers).toBeGreaterThan(0);
    expect(d.waitAckedWrites).toBeGreaterThan(0);
    expect(run(1).traceHash).toBe(a.traceHash);
  });
  it.each([
    ["value-cas", { revision: "value" }, 1, /not linearizable against the revision-CAS contract/],
    ["blind-write", { blindWrites: true }, 3, /not linearizable against the revision-CAS contract/],
    ["per-key-version", { revision: "version" }, 15, /not linearizable against the revision-CAS contract/],
    ["no-lease-wait", { leaseWait: false }, 21, /single-writer: shard \d's nodes/],
  ])("unsafe variant %s fails its seed (which the design passes)", (_name, options, seed, msg) => {
    const r = run(seed, options);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(msg);
    expect(run(seed).verdict).toBe("ok");
  });
});
