// Multi-key transactions in raft-metadata's swarm (swarm.ts swarmTxns; clients/client.ts): a
// third of the seeds issue them, checked for linearizability with every key a txn touches in one
// part. Correct runs pass; a store that applies a txn non-atomically, ignores a compare, or names
// the wrong failing compare is found (the store's txn replaced for the run, as a mutant would).
import { afterEach, describe, expect, it } from "vitest";
import { simulate } from "../../../src/api/simulate.js";
import { MetadataStore } from "../../../src/impl/metadata/store.js";
import type { TxnOp, TxnResult } from "../../../src/impl/metadata/ops.js";
import { Rng } from "../../../src/sim/kernel/rng.js";
import { swarmWorkload } from "../../../src/sim/systems/raft-metadata/swarm.js";

/** Swarm seeds that draw txns (seeds 1..40 of the default swarm). */
const TXN_SEEDS = [2, 8, 10, 14, 22];
const run = (seed: number) => simulate({ seed, timeUs: 10_000_000, sutAsserts: false }).result;

interface StoreInternals {
  txn(index: number, op: TxnOp): TxnResult;
  write(index: number, key: string, value: string): number;
  kv: Map<string, { revision: number }>;
}
const proto = MetadataStore.prototype as unknown as StoreInternals;
const original = proto.txn;
afterEach(() => {
  proto.txn = original;
});

function compareHolds(s: StoreInternals, key: string, expected: number | "absent"): { ok: boolean; current: number } {
  const cur = s.kv.get(key);
  return { ok: cur === undefined ? expected === "absent" : expected === cur.revision, current: cur === undefined ? 0 : cur.revision };
}

describe("txn workload", () => {
  it("a third of the seeds draw txns, and seeds that do not draw the workload they drew before", () => {
    let withTxn = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const w = swarmWorkload(Rng.root(seed).fork("workload-mix")).workload;
      if ((w.txnP ?? 0) > 0) withTxn++;
    }
    expect(withTxn).toBeGreaterThan(70);
    expect(withTxn).toBeLessThan(130);
    for (const seed of TXN_SEEDS) expect(swarmWorkload(Rng.root(seed).fork("workload-mix")).workload.txnP).toBeGreaterThan(0);
  });

  it("correct runs with txns pass, with txns that succeed and txns that fail", () => {
    for (const seed of TXN_SEEDS) {
      const r = run(seed);
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      const txns = (r.operations ?? []).filter((o) => (o.input as { f: string }).f === "txn" && o.status === "ok");
      expect(txns.length, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  const broken: Record<string, (this: StoreInternals, index: number, op: TxnOp) => TxnResult> = {
    "applied non-atomically (each write as its compare passes)": function (index, op) {
      for (let i = 0; i < op.ops.length; i++) {
        const w = op.ops[i]!;
        const c = compareHolds(this, w.key, w.expected);
        if (!c.ok) return { f: "txn", ok: false, failed: i, currentRevision: c.current };
        if (w.value === null) this.kv.delete(w.key);
        else this.write(index, w.key, w.value);
      }
      return { f: "txn", ok: true, revision: index };
    },
    "compares ignored": function (index, op) {
      for (const w of op.ops) {
        if (w.value === null) this.kv.delete(w.key);
        else this.write(index, w.key, w.value);
      }
      return { f: "txn", ok: true, revision: index };
    },
    "the first compare named as the failing one": function (index, op) {
      const r = original.call(this, index, op);
      return r.ok ? r : { ...r, failed: 0 };
    },
  };
  for (const [name, txn] of Object.entries(broken)) {
    it(`a store whose txn is ${name} is found`, () => {
      proto.txn = txn;
      const found = TXN_SEEDS.filter((seed) => run(seed).verdict === "violation");
      expect(found.length, name).toBeGreaterThanOrEqual(3);
    });
  }
});
