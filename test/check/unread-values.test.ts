// The metadata models' symmetry reduction (src/sim/models/unread-values.ts: unread values become
// one token, equal indeterminate writes are taken in call order) must never change a verdict:
// on random histories — correct ones and ones with a corrupted read — the reduced models give
// exactly the verdict of the same models without it. And it must decide what the plain search
// could not: every-fault seed 2359's history (38 ops, 15 indeterminate writes).
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Operation, Status } from "../../src/check/history.js";
import { checkOperations } from "../../src/check/linearizability.js";
import type { Model } from "../../src/check/model.js";
import type { MetaOp, MetaResult, StoreOp, StoreResult } from "../../src/impl/metadata/ops.js";
import { metadataKv } from "../../src/sim/models/metadata-kv.js";
import { hideUnreadValues, storeOpInterchangeKey } from "../../src/sim/models/unread-values.js";
import { metadataKvRanges } from "../../src/sim/systems/raft-metadata/model-ranges.js";
import { corruptRead, metaHistories } from "./meta-histories.js";

/** The same model without the reduction. */
function plain<S, I, O>(m: Model<S, I, O>): Model<S, I, O> {
  return { ...m, prepare: undefined, interchangeKey: undefined };
}

/** The random histories of this test (meta-histories.ts), as they were before it was shared. */
const history = metaHistories({ maxLength: 12, fates: ["ok", "ok", "ok", "info-applied", "info-applied", "info-lost", "fail"] }).map((h) => h.ops);
const corrupt = corruptRead;

describe("unread values and interchangeable indeterminate writes (metadata models)", () => {
  it("give the plain search's verdict on correct and corrupted histories (metadata-kv and model-ranges)", () => {
    const verdicts = { ok: 0, illegal: 0 };
    fc.assert(
      fc.property(history, fc.nat(), fc.nat(), (h, pick, how) => {
        const cases = [h, corrupt(h, pick, how)].filter((x): x is Operation<MetaOp, MetaResult>[] => x !== null);
        for (const c of cases) {
          const want = checkOperations(plain(metadataKv), c).verdict;
          expect(checkOperations(metadataKv, c).verdict).toBe(want);
          const ranges = metadataKvRanges([]);
          expect(checkOperations(ranges, c as Operation<StoreOp, StoreResult>[]).verdict).toBe(checkOperations(plain(ranges), c as Operation<StoreOp, StoreResult>[]).verdict);
          if (want === "ok" || want === "illegal") verdicts[want]++;
        }
      }),
      { numRuns: 400 },
    );
    // Not vacuous: both verdicts occur.
    expect(verdicts.ok).toBeGreaterThan(100);
    expect(verdicts.illegal).toBeGreaterThan(20);
  });

  it("hides only values no output shows, with a token that is no value of the history", () => {
    const op = (input: MetaOp, output: MetaResult | undefined, status: Status): Operation<MetaOp, MetaResult> => ({ client: 0, input, call: 0, ret: status === "info" ? Infinity : 1, status, output });
    const h = [
      op({ f: "put", key: "a", value: "seen" }, { f: "put", revision: 1 }, "ok"),
      op({ f: "put", key: "a", value: "\u0000unread" }, undefined, "info"),
      op({ f: "get", key: "a" }, { f: "get", found: true, value: "seen", revision: 1, version: 1 }, "ok"),
    ];
    const out = hideUnreadValues(h);
    expect(out[0]).toBe(h[0]);
    const hidden = (out[1]!.input as { value: string }).value;
    expect(hidden).not.toBe("\u0000unread"); // a value of the history cannot be the token
    expect(hidden.startsWith("\u0000unread")).toBe(true);
    expect(hideUnreadValues([h[0]!, h[2]!])).toEqual([h[0], h[2]]);
  });

  it("names equal writes equally and different ones differently, whatever their strings hold", () => {
    expect(storeOpInterchangeKey({ f: "put", key: "a", value: "x" })).toBe(storeOpInterchangeKey({ f: "put", key: "a", value: "x" }));
    expect(storeOpInterchangeKey({ f: "put", key: "a\u0001b", value: "c" })).not.toBe(storeOpInterchangeKey({ f: "put", key: "a", value: "b\u0001c" }));
    expect(storeOpInterchangeKey({ f: "cas", key: "a", expected: 1, value: "x" })).not.toBe(storeOpInterchangeKey({ f: "cas", key: "a", expected: 2, value: "x" }));
    expect(storeOpInterchangeKey({ f: "get", key: "a" })).toBeUndefined();
  });

  it("decide every-fault seed 2359's history, which the plain search gives up on", () => {
    // The history of `raftsim run --every-fault --seed 2359 --time 10s` (recorded 2026-12-06 on
    // fba1080): keys a and b joined by a txn, 15 indeterminate writes of values no read returns.
    const raw = JSON.parse(readFileSync(new URL("../data/every-fault-2359.history.json", import.meta.url), "utf8")) as (Operation<StoreOp, StoreResult> & { ret: number | null })[];
    const ops = raw.map((o) => ({ ...o, ret: o.ret ?? Infinity }));
    const budget = { maxMemoryStates: 100_000 };
    const m = metadataKvRanges([]);
    expect(checkOperations(m, ops, budget).verdict).toBe("ok");
    const r = checkOperations(plain(m), ops, budget);
    expect(r.verdict).toBe("unknown");
    expect(r.reason).toBe("memory");
  });
});
