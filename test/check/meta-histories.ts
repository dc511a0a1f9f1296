// Random metadata-store histories for the checker's tests: a sequential run of a reference
// store (revisions are the entry indexes, gaps between them allowed), each op's interval widened
// around its point, some ops left indeterminate (applied or lost) or failed; and a corruption
// that makes one completed get read what the store never held there.
import fc from "fast-check";
import type { Operation, Status } from "../../src/check/history.js";
import type { MetaOp, MetaResult } from "../../src/impl/metadata/ops.js";

export type Fate = "ok" | "info-applied" | "info-lost" | "fail";

export const VALUES = ["v1", "v2", "v3", "v4"];

export interface MetaHistory {
  readonly ops: Operation<MetaOp, MetaResult>[];
  /** Positions of the info ops that never took effect (the true account). */
  readonly lost: ReadonlySet<number>;
}

/** Histories of up to maxLength ops on keys a and b; `fates` weighs each op's fate. */
export function metaHistories(o: { readonly maxLength: number; readonly fates: readonly Fate[] }): fc.Arbitrary<MetaHistory> {
  const step = fc.record({
    f: fc.constantFrom("get", "get", "put", "put", "delete", "cas"),
    key: fc.constantFrom("a", "b"),
    value: fc.constantFrom(...VALUES),
    guess: fc.constantFrom("current", "absent", "random"),
    fate: fc.constantFrom<Fate>(...o.fates),
    before: fc.integer({ min: 0, max: 40 }),
    after: fc.integer({ min: 0, max: 40 }),
    gap: fc.integer({ min: 1, max: 3 }),
    rnd: fc.integer({ min: 0, max: 12 }),
  });
  return fc.array(step, { minLength: 1, maxLength: o.maxLength }).map((steps): MetaHistory => {
    const store = new Map<string, { value: string; revision: number; version: number }>();
    const lost = new Set<number>();
    let index = 0;
    const ops = steps.map((g, i): Operation<MetaOp, MetaResult> => {
      const applied = g.fate === "ok" || g.fate === "info-applied";
      if (g.fate === "info-lost") lost.add(i);
      const cur = store.get(g.key);
      const write = (value: string) => {
        index += g.gap;
        if (applied) store.set(g.key, { value, revision: index, version: cur ? cur.version + 1 : 1 });
        return index;
      };
      let input: MetaOp;
      let output: MetaResult;
      if (g.f === "get") {
        input = { f: "get", key: g.key };
        output = cur ? { f: "get", found: true, value: cur.value, revision: cur.revision, version: cur.version } : { f: "get", found: false };
      } else if (g.f === "put") {
        input = { f: "put", key: g.key, value: g.value };
        output = { f: "put", revision: write(g.value) };
      } else if (g.f === "delete") {
        input = { f: "delete", key: g.key };
        index += g.gap;
        if (applied) store.delete(g.key);
        output = { f: "delete", deleted: cur !== undefined, revision: index };
      } else {
        const expected = g.guess === "absent" ? "absent" : g.guess === "current" ? (cur?.revision ?? "absent") : g.rnd;
        input = { f: "cas", key: g.key, expected, value: g.value };
        const matches = cur === undefined ? expected === "absent" : expected === cur.revision;
        output = matches ? { f: "cas", ok: true, revision: write(g.value) } : { f: "cas", ok: false, currentRevision: cur?.revision ?? 0 };
      }
      const point = 10 * (i + 1);
      const status: Status = g.fate === "ok" ? "ok" : g.fate === "fail" ? "fail" : "info";
      return { client: i, input, call: point - g.before, ret: status === "info" ? Infinity : point + g.after, status, output: status === "ok" ? output : undefined };
    });
    return { ops, lost };
  });
}

/** Corrupts one completed get: another written value, or another version; null: no such get. */
export function corruptRead(h: readonly Operation<MetaOp, MetaResult>[], pick: number, how: number): Operation<MetaOp, MetaResult>[] | null {
  const gets = h.map((op, i) => [op, i] as const).filter(([op]) => op.status === "ok" && op.output?.f === "get" && op.output.found);
  if (gets.length === 0) return null;
  const [op, i] = gets[pick % gets.length]!;
  const out = op.output as Extract<MetaResult, { f: "get"; found: true }>;
  const bad = [...h];
  bad[i] = { ...op, output: how % 2 === 0 ? { ...out, value: VALUES[how % VALUES.length]! } : { ...out, version: out.version + 1 } };
  return bad;
}
