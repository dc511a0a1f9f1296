// Property tests: histories made by running ops one at a time on a reference implementation,
// then widening each op's interval around its linearization point, are linearizable;
// corrupting one read makes them illegal; the verdict ignores the order ops are listed in.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Operation, Status } from "../../src/check/history.js";
import { checkOperations } from "../../src/check/linearizability.js";
import { casRegister, porcupineKv, type RegisterInput } from "../../src/check/models/index.js";
import { metadataKv } from "../../src/sim/models/metadata-kv.js";
import type { MetaOp, MetaResult } from "../../src/impl/metadata/ops.js";

/** How each generated op completes: normally, as info (took effect or not), or failed (not executed). */
const fate = fc.constantFrom<"ok" | "info-applied" | "info-lost" | "fail">("ok", "ok", "ok", "ok", "ok", "info-applied", "info-lost", "fail");
const widen = fc.record({ before: fc.integer({ min: 0, max: 35 }), after: fc.integer({ min: 0, max: 35 }) });

function place<I, O>(i: number, input: I, output: O | undefined, f: string, w: { before: number; after: number }): Operation<I, O> {
  const point = 10 * (i + 1); // linearization point
  const status: Status = f === "ok" ? "ok" : f === "fail" ? "fail" : "info";
  return {
    client: i,
    input,
    call: point - w.before,
    ret: status === "info" ? Infinity : point + w.after,
    status,
    output: status === "ok" ? output : undefined,
  };
}

// ---- CAS register (values 0..3 written; 99 is never written) ----
const regOp = fc.oneof(
  fc.constant<RegisterInput>({ f: "read", value: null }),
  fc.integer({ min: 0, max: 3 }).map((v): RegisterInput => ({ f: "write", value: v })),
  fc.tuple(fc.constantFrom(null, 0, 1, 2, 3), fc.integer({ min: 0, max: 3 })).map(([a, b]): RegisterInput => ({ f: "cas", value: [a, b] })),
);

const registerHistory = fc.array(fc.tuple(regOp, fate, widen), { minLength: 1, maxLength: 14 }).map((steps) => {
  let value: number | null = null;
  return steps.map(([input, f, w], i) => {
    const applied = f === "ok" || f === "info-applied";
    let output: unknown;
    if (input.f === "read") output = value;
    else if (input.f === "write") {
      if (applied) value = input.value as number;
    } else {
      const ok = value === input.value[0];
      output = ok;
      if (ok && applied) value = input.value[1] as number;
    }
    return place(i, input, output, f, w);
  });
});

// ---- metadata KV: a reference store with Raft-like revisions (gaps between indices) ----
const metaOp = fc.oneof(
  fc.record({ f: fc.constant("get" as const), key: fc.constantFrom("a", "b") }),
  fc.record({ f: fc.constant("exists" as const), key: fc.constantFrom("a", "b") }),
  fc.record({ f: fc.constant("put" as const), key: fc.constantFrom("a", "b"), value: fc.constantFrom("x", "y", "z") }),
  fc.record({ f: fc.constant("delete" as const), key: fc.constantFrom("a", "b") }),
  fc.record({ f: fc.constant("cas" as const), key: fc.constantFrom("a", "b"), value: fc.constantFrom("x", "y"), guess: fc.constantFrom("current", "absent", "random") }),
);

const metaHistory = fc.array(fc.tuple(metaOp, fate, widen, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 12 })), { minLength: 1, maxLength: 14 }).map((steps) => {
  const store = new Map<string, { value: string; revision: number; version: number }>();
  let index = 0;
  return steps.map(([g, f, w, gap, randomRev], i) => {
    const applied = f === "ok" || f === "info-applied";
    const cur = store.get(g.key);
    let input: MetaOp;
    let output: MetaResult;
    const write = (value: string) => {
      index += gap;
      if (applied) store.set(g.key, { value, revision: index, version: cur ? cur.version + 1 : 1 });
      return index;
    };
    switch (g.f) {
      case "get":
        input = { f: "get", key: g.key };
        output = cur ? { f: "get", found: true, value: cur.value, revision: cur.revision, version: cur.version } : { f: "get", found: false };
        break;
      case "exists":
        input = { f: "exists", key: g.key };
        output = { f: "exists", exists: cur !== undefined };
        break;
      case "put":
        input = { f: "put", key: g.key, value: g.value };
        output = { f: "put", revision: write(g.value) };
        break;
      case "delete":
        input = { f: "delete", key: g.key };
        index += gap;
        if (applied) store.delete(g.key);
        output = { f: "delete", deleted: cur !== undefined, revision: index };
        break;
      case "cas": {
        const expected = g.guess === "absent" ? "absent" : g.guess === "current" ? (cur?.revision ?? "absent") : randomRev;
        input = { f: "cas", key: g.key, expected, value: g.value };
        const matches = cur === undefined ? expected === "absent" : expected === cur.revision;
        output = matches ? { f: "cas", ok: true, revision: write(g.value) } : { f: "cas", ok: false, currentRevision: cur?.revision ?? 0 };
        break;
      }
    }
    return place(i, input, output, f, w);
  });
});

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const a = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe("cas-register properties", () => {
  it("a widened sequential execution is linearizable, in any listing order", () => {
    fc.assert(
      fc.property(registerHistory, fc.integer(), (h, seed) => {
        expect(checkOperations(casRegister, h).verdict).toBe("ok");
        expect(checkOperations(casRegister, shuffled(h, seed)).verdict).toBe("ok");
      }),
    );
  });

  it("a completed read of a value never written makes it illegal, in any listing order", () => {
    fc.assert(
      fc.property(registerHistory, fc.nat(), fc.integer(), (h, pick, seed) => {
        const reads = h.map((op, i) => [op, i] as const).filter(([op]) => op.input.f === "read" && op.status === "ok");
        fc.pre(reads.length > 0);
        const [op, i] = reads[pick % reads.length];
        const bad = [...h];
        bad[i] = { ...op, output: 99 };
        const r = checkOperations(casRegister, bad);
        expect(r.verdict).toBe("illegal");
        expect(r.counterexample!.parts[0].cannotFollow.length + r.counterexample!.parts[0].prefix.length).toBeGreaterThan(0);
        expect(checkOperations(casRegister, shuffled(bad, seed)).verdict).toBe("illegal");
      }),
    );
  });
});

describe("metadata-kv properties", () => {
  it("a widened sequential execution of the store is linearizable, in any listing order", () => {
    fc.assert(
      fc.property(metaHistory, fc.integer(), (h, seed) => {
        expect(checkOperations(metadataKv, h).verdict).toBe("ok");
        expect(checkOperations(metadataKv, shuffled(h, seed)).verdict).toBe("ok");
      }),
    );
  });

  it("a get of a value never written makes it illegal, in any listing order", () => {
    fc.assert(
      fc.property(metaHistory, fc.nat(), fc.integer(), (h, pick, seed) => {
        const gets = h.map((op, i) => [op, i] as const).filter(([op]) => op.status === "ok" && op.output?.f === "get" && op.output.found);
        fc.pre(gets.length > 0);
        const [op, i] = gets[pick % gets.length];
        const bad = [...h];
        bad[i] = { ...op, output: { ...(op.output as MetaResult & { f: "get"; found: true }), value: "never-written" } };
        expect(checkOperations(metadataKv, bad).verdict).toBe("illegal");
        expect(checkOperations(metadataKv, shuffled(bad, seed)).verdict).toBe("illegal");
      }),
    );
  });
});

describe("porcupine-kv properties", () => {
  const kvHistory = fc
    .array(fc.tuple(fc.constantFrom("get", "put", "append"), fc.constantFrom("k", "j"), fc.constantFrom("a", "b"), fate, widen), { minLength: 1, maxLength: 14 })
    .map((steps) => {
      const store = new Map<string, string>();
      return steps.map(([f, key, v, fa, w], i) => {
        const cur = store.get(key) ?? "";
        const applied = fa === "ok" || fa === "info-applied";
        if (applied && f === "put") store.set(key, v);
        if (applied && f === "append") store.set(key, cur + v);
        return place(i, { f: f as "get" | "put" | "append", key, value: f === "get" ? null : v }, f === "get" ? cur : null, fa, w);
      });
    });
  it("is linearizable in any order, and illegal after corrupting a get", () => {
    fc.assert(
      fc.property(kvHistory, fc.integer(), (h, seed) => {
        expect(checkOperations(porcupineKv, shuffled(h, seed)).verdict).toBe("ok");
        const i = h.findIndex((op) => op.input.f === "get" && op.status === "ok");
        if (i >= 0) {
          const bad = [...h];
          bad[i] = { ...h[i], output: "never" };
          expect(checkOperations(porcupineKv, shuffled(bad, seed)).verdict).toBe("illegal");
        }
      }),
    );
  });
});
