// The search orders call and return entries by time. It merges calls and returns, each put in
// order by an insertion sort, when the ops are listed near call order (the usual case), and
// falls back to a comparator sort when they are far from it. Both must give the same search:
// with distinct times the entry order is fixed by the times alone, so listing the same ops in
// call order, reversed, or shuffled must give the same verdict and the same counterexample up
// to the ops' positions in the list.
import { describe, expect, it } from "vitest";
import type { Operation } from "../../src/check/history.js";
import { checkOperations, type CheckResult } from "../../src/check/linearizability.js";
import { casRegister, type RegisterInput } from "../../src/check/models/index.js";
import { mulberry32 as rng } from "../../src/check/adversarial.js";

type Op = Operation<RegisterInput, unknown>;

/**
 * n ops run one at a time on a register (op i takes effect at 10(i+1)), each interval widened
 * by up to 35 on either side, so that neighbours overlap. Calls end in .3, returns in .6, plus
 * i·1e-6: no two entries share a time. With `corrupt`, one read near the end returns a value never written.
 */
function history(n: number, seed: number, corrupt: boolean): Op[] {
  const r = rng(seed);
  let value: number | null = null;
  const ops: Op[] = [];
  let pending = corrupt;
  for (let i = 0; i < n; i++) {
    const point = 10 * (i + 1);
    const call = point - Math.floor(r() * 36) + 0.3 + i * 1e-6;
    const ret = point + Math.floor(r() * 36) + 0.6 + i * 1e-6;
    const k = r();
    if (k < 0.45) {
      const bad = pending && i >= n - 40;
      if (bad) pending = false;
      ops.push({ client: i, input: { f: "read" }, call, ret, status: "ok", output: bad ? 99 : value });
    }
    else if (k < 0.8) {
      value = Math.floor(r() * 4);
      ops.push({ client: i, input: { f: "write", value }, call, ret, status: "ok", output: undefined });
    } else {
      const from = Math.floor(r() * 4);
      const to = Math.floor(r() * 4);
      const ok = value === from;
      if (ok) value = to;
      ops.push({ client: i, input: { f: "cas", value: [from, to] }, call, ret, status: "ok", output: ok });
    }
  }
  ops.sort((a, b) => a.call - b.call); // listed in call order
  return ops;
}

/** The result without timing, with each op named by its call time instead of its list position. */
function normalise(r: CheckResult, ops: readonly Op[]): unknown {
  const { ms: _ms, ...rest } = r;
  return JSON.parse(JSON.stringify(rest, (k, v) => (k === "index" ? ops[v as number].call : v)));
}

describe("entry order", () => {
  for (const corrupt of [false, true]) {
    it(`the same ops listed in call order, reversed or shuffled give the same ${corrupt ? "counterexample" : "verdict"}`, () => {
      const inOrder = history(600, 7, corrupt);
      const reversed = [...inOrder].reverse(); // ~n²/2 insertion moves: past the budget, so the comparator sort runs
      const r = rng(11);
      const shuffled = [...inOrder];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      const expected = normalise(checkOperations(casRegister, inOrder), inOrder);
      expect((expected as { verdict: string }).verdict).toBe(corrupt ? "illegal" : "ok");
      expect(normalise(checkOperations(casRegister, reversed), reversed)).toEqual(expected);
      expect(normalise(checkOperations(casRegister, shuffled), shuffled)).toEqual(expected);
    });
  }

  it("orders ties as before: at equal times calls first, then by list position", () => {
    // write(1) returns at 5 as the first read is called at 5: touching intervals overlap. The
    // writes of 2 and 3 are both called at 6: the one listed first is tried first, so the
    // deepest prefix holds both in list order and the read of 4 cannot follow.
    const ops: Op[] = [
      { client: 0, input: { f: "write", value: 1 }, call: 0, ret: 5, status: "ok", output: undefined },
      { client: 1, input: { f: "read" }, call: 5, ret: 9, status: "ok", output: 1 },
      { client: 2, input: { f: "write", value: 2 }, call: 6, ret: 8, status: "ok", output: undefined },
      { client: 3, input: { f: "write", value: 3 }, call: 6, ret: 8, status: "ok", output: undefined },
      { client: 4, input: { f: "read" }, call: 8, ret: 12, status: "ok", output: 3 },
      { client: 5, input: { f: "read" }, call: 13, ret: 14, status: "ok", output: 4 },
    ];
    const r = checkOperations(casRegister, ops);
    expect(r.verdict).toBe("illegal");
    const part = r.counterexample!.parts[0];
    expect(part.prefix.map((v) => v.index)).toEqual([0, 1, 2, 3, 4]);
    expect(part.cannotFollow.map((v) => [v.index, v.reason])).toEqual([[5, "inconsistent"]]);
  });
});
