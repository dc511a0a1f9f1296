// Generated histories that are hard for a linearizability checker, deterministic from a seed,
// for the checker's benchmark and tests (issue 12): many clients on one register, long
// operations overlapping thousands of others, many indeterminate (info) operations, and long
// histories (10^5 operations). Each is built from a reference execution, so its verdict is
// known: clients run one operation at a time, each operation takes effect at a point inside its
// interval (an info operation at some point after its call, or never), and outputs are what a
// register gives in the order of those points. "-bad" variants change one read's output to a
// value no write ever wrote: not linearizable, found only after the search has seen everything
// before it. Judged with the cas-register model (nil start, fail = not executed).
import type { Operation, Status } from "./history.js";
import type { RegisterInput, RegisterValue } from "./models/register-values.js";

export type AdversarialKind = "many-clients" | "long-overlap" | "many-info" | "long" | "many-clients-bad" | "long-bad" | "concurrent-writes-bad";

export interface AdversarialSpec {
  readonly kind: AdversarialKind;
  readonly ops: number;
  readonly seed: number;
  readonly expected: "ok" | "illegal";
}

/** The benchmark's set: what each kind is sized to (the "long" ones are 10^5 operations). */
export const ADVERSARIAL_SET: readonly AdversarialSpec[] = [
  { kind: "many-clients", ops: 2_000, seed: 1, expected: "ok" },
  { kind: "many-clients-bad", ops: 2_000, seed: 2, expected: "illegal" },
  { kind: "long-overlap", ops: 5_000, seed: 3, expected: "ok" },
  { kind: "many-info", ops: 5_000, seed: 4, expected: "ok" },
  { kind: "long", ops: 100_000, seed: 5, expected: "ok" },
  { kind: "long-bad", ops: 100_000, seed: 6, expected: "illegal" },
  { kind: "concurrent-writes-bad", ops: 14, seed: 7, expected: "illegal" },
];

type RegisterOp = Operation<RegisterInput, unknown>;

/** mulberry32: small, fast, deterministic (the checker's tests draw their histories with it too). */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Shape {
  clients: number;
  values: number; // writes draw from 0..values-1; 0: every write a new value (Jepsen's unique writes)
  think: number; // mean pause between a client's operations
  duration: number; // mean operation length
  longShare: number; // share of operations lasting longAfter times as long
  longAfter: number;
  infoShare: number; // share of operations that end indeterminate
  lostShare: number; // share of those that never take effect (each stays a candidate to the end: the search's cost doubles with each one pending)
  reads: number; // share of reads (the rest: writes, and cas for a third of them)
}

const SHAPES: Record<"many-clients" | "long-overlap" | "many-info" | "long", Shape> = {
  // 64 clients on one key: every operation overlaps dozens of others.
  "many-clients": { clients: 16, values: 0, think: 40, duration: 40, longShare: 0, longAfter: 1, infoShare: 0, lostShare: 0, reads: 0.5 },
  // 8 clients with short operations, 2% of operations last ~500 times as long.
  "long-overlap": { clients: 8, values: 0, think: 20, duration: 20, longShare: 0.02, longAfter: 500, infoShare: 0, lostShare: 0, reads: 0.5 },
  // a fifth of the operations time out: applied at some later point, a few never.
  "many-info": { clients: 8, values: 0, think: 20, duration: 40, longShare: 0, longAfter: 1, infoShare: 0.2, lostShare: 0.005, reads: 0.5 },
  // a long run of a small cluster's clients, a few timeouts.
  long: { clients: 8, values: 0, think: 20, duration: 30, longShare: 0.001, longAfter: 100, infoShare: 0.01, lostShare: 0, reads: 0.5 },
};

/** A history of the given kind, `ops` operations long, the same for the same arguments. */
export function adversarialHistory(kind: AdversarialKind, ops: number, seed: number): RegisterOp[] {
  if (kind === "concurrent-writes-bad") return concurrentWrites(ops, seed);
  const base = kind === "many-clients-bad" ? "many-clients" : kind === "long-bad" ? "long" : kind;
  const h = reference(SHAPES[base], ops, seed);
  if (kind === "many-clients-bad" || kind === "long-bad") corruptLateRead(h);
  return h;
}

function reference(s: Shape, n: number, seed: number): RegisterOp[] {
  const rand = mulberry32(seed);
  const free = new Float64Array(s.clients); // when each client may call again
  for (let c = 0; c < s.clients; c++) free[c] = Math.floor(rand() * s.think * s.clients);
  type Draft = { client: number; input: RegisterInput; call: number; ret: number; status: Status; point: number };
  const drafts: Draft[] = [];
  for (let i = 0; i < n; i++) {
    // the client that is free first calls next
    let c = 0;
    for (let k = 1; k < s.clients; k++) if (free[k] < free[c]) c = k;
    const call = free[c];
    const long = rand() < s.longShare;
    const len = 1 + Math.floor(rand() * 2 * s.duration * (long ? s.longAfter : 1));
    const u = rand();
    // a value to write; a cas expects one of the last few values written
    const fresh = () => (s.values === 0 ? i : Math.floor(rand() * s.values));
    const recent = () => (s.values === 0 ? Math.max(0, i - 1 - Math.floor(rand() * 2 * s.clients)) : Math.floor(rand() * s.values));
    const input: RegisterInput =
      u < s.reads
        ? { f: "read", value: null }
        : u < s.reads + (1 - s.reads) * (2 / 3)
          ? { f: "write", value: fresh() }
          : { f: "cas", value: [recent(), fresh()] };
    const info = rand() < s.infoShare;
    // An info op takes effect within 3 lengths of its call, or never. (An info read never
    // takes effect as far as the checker is concerned: it has no output.)
    const point = info ? (rand() < s.lostShare ? Infinity : call + 0.5 + rand() * 3 * len) : call + 0.5 + rand() * (len - 1);
    drafts.push({ client: c, input, call, ret: call + len, status: info ? "info" : "ok", point });
    free[c] = call + len + 1 + Math.floor(rand() * 2 * s.think);
  }
  // Outputs from the register, in the order of the points.
  const order = drafts.map((_, i) => i).sort((a, b) => drafts[a].point - drafts[b].point || a - b);
  const outputs: unknown[] = new Array(n).fill(undefined);
  let value: RegisterValue = null;
  for (const i of order) {
    const d = drafts[i];
    if (d.point === Infinity) break;
    if (d.input.f === "read") outputs[i] = value;
    else if (d.input.f === "write") value = d.input.value;
    else {
      const ok = value === d.input.value[0];
      if (ok) value = d.input.value[1];
      outputs[i] = ok;
    }
  }
  return drafts.map((d, i) => ({
    client: d.client,
    input: d.input,
    call: d.call,
    ret: d.status === "info" ? Infinity : d.ret,
    status: d.status,
    output: d.status === "info" ? undefined : outputs[i],
  }));
}

/** The last ok read in the final tenth of the history reads a value no write wrote. */
function corruptLateRead(h: RegisterOp[]): void {
  for (let i = h.length - 1; i >= Math.floor(h.length * 0.9); i--) {
    const op = h[i];
    if (op.input.f === "read" && op.status === "ok") {
      h[i] = { ...op, output: -1 };
      return;
    }
  }
  throw new Error("adversarial: no read to corrupt");
}

/**
 * n-1 writes of distinct values, all concurrent, then a read of a value none of them wrote:
 * illegal, but only after trying every subset of the writes (about 2^(n-1) configurations).
 * The memory budget's test case: past the budget the verdict is "unknown".
 */
function concurrentWrites(n: number, seed: number): RegisterOp[] {
  const rand = mulberry32(seed);
  const h: RegisterOp[] = [];
  for (let i = 0; i < n - 1; i++) {
    h.push({ client: i, input: { f: "write", value: i }, call: Math.floor(rand() * 10), ret: 1000 + Math.floor(rand() * 10), status: "ok", output: undefined });
  }
  h.push({ client: n, input: { f: "read", value: null }, call: 2000, ret: 2001, status: "ok", output: -1 });
  return h;
}
