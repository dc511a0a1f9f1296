// The memo records a configuration when the search leaves it, not when it reaches it
// (partition-search.ts's header): the same prunes, so the same steps and verdicts, with
// nothing recorded along a path that succeeds.
import { describe, expect, it } from "vitest";
import { adversarialHistory } from "../../src/check/adversarial.js";
import type { StateBudget } from "../../src/check/config-cache.js";
import { acquireSearch, releaseSearch } from "../../src/check/partition-search.js";
import { casRegister } from "../../src/check/models/index.js";
import type { RegisterInput } from "../../src/check/models/register-values.js";
import type { Operation } from "../../src/check/history.js";

const budget = (): StateBudget => ({ states: 0, bytes: 0, maxStates: 1e9, maxBytes: 1e12 });

/** Runs a search of every op in slices of `slice` steps; its verdict, steps and the most
 * configurations the memo held at once. */
function search<I, O>(h: readonly Operation<I, O>[], slice: number): { verdict: string; steps: number; peak: number } {
  const b = budget();
  const s = acquireSearch(casRegister as never, h, h.map((_, i) => i), b);
  try {
    let peak = 0;
    let r = s.run(slice);
    for (; r === "running"; r = s.run(slice)) peak = Math.max(peak, b.states);
    return { verdict: r, steps: s.steps, peak };
  } finally {
    releaseSearch(s);
  }
}

describe("memo recorded on leaving a configuration", () => {
  it("a history that linearizes without backtracking records nothing", () => {
    // Two clients; each write overlaps the read before it, which still returns the old value.
    const h: Operation<RegisterInput, unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      h.push({ client: 0, input: { f: "read" }, call: 10 * i, ret: 10 * i + 6, status: "ok", output: i === 0 ? null : i - 1 });
      h.push({ client: 1, input: { f: "write", value: i }, call: 10 * i + 5, ret: 10 * i + 8, status: "ok", output: undefined });
    }
    const r = search(h, 1);
    expect(r.verdict).toBe("ok");
    expect(r.peak).toBe(0);
    // and a wrong read is still found
    h[300] = { ...h[300]!, output: 7 }; // read 150 returns a value overwritten long before
    expect(search(h, 1).verdict).toBe("illegal");
  });

  // Steps measured with the memo recorded on arrival (2fca06a): recording on leaving prunes
  // exactly the same configurations, so a step budget gives the same verdict as before.
  const pinned: [kind: Parameters<typeof adversarialHistory>[0], n: number, seed: number, verdict: string, steps: number][] = [
    ["concurrent-writes-bad", 12, 7, "illegal", 67_607],
    ["many-info", 300, 4, "ok", 89_761],
    ["many-clients", 400, 3, "ok", 175_099],
    ["many-clients-bad", 200, 2, "illegal", 693_252],
  ];
  for (const [kind, n, seed, verdict, steps] of pinned) {
    it(`${kind} ${n} (seed ${seed}): ${verdict} in the same ${steps} steps as recording on arrival`, () => {
      const r = search(adversarialHistory(kind, n, seed), 5_000);
      expect(r).toMatchObject({ verdict, steps });
      expect(r.peak).toBeGreaterThan(0); // these backtrack: the memo is in use
    });
  }
});
