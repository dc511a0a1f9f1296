// Linearizability of a key-value history of GETs and APPENDs of unique tokens (the failover
// system's workload), in O(n log n): because every token is appended once, the values fix the
// order of the writes, and the history is linearizable iff every operation can sit at its
// point in that order without breaking real time. Per key:
// - the order: the final value's tokens (or, without one, the longest value read); every value
//   read must be a prefix of it, and no token may appear twice;
// - points: an APPEND at its token's position j (1-based); a GET that read k tokens at k + 0.5
//   (after the k-th write, before the next); without a final value, an acknowledged APPEND
//   that nobody read sits after everything read (point length + 1);
// - real time: whenever x completed before y was invoked, point(x) <= point(y).
// An acknowledged APPEND missing from the final value is a lost write; an APPEND that failed
// (status "fail": not executed) must appear nowhere; an indeterminate one may or may not.
// This is the single-object case of Elle's list-append analysis (the version order is known,
// so the real-time and version-order edges form a cycle iff this check fails). The general
// checker (linearizability.ts) agrees on such histories but searches, and gives up on long ones
// with many indeterminate APPENDs.
import type { Operation } from "./history.js";
import type { KvInput, KvOutput } from "./models/index.js";

export type AppendVerdict = { readonly ok: true; readonly keys: number } | { readonly ok: false; readonly key: string; readonly reason: string };

function tokens(v: string): string[] {
  return v.split(",").filter((t) => t.length > 0);
}

export function checkAppendHistory(ops: readonly Operation<KvInput, KvOutput>[], finals: ReadonlyMap<string, string> | null): AppendVerdict {
  const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
  for (const op of ops) {
    const l = byKey.get(op.input.key);
    if (l === undefined) byKey.set(op.input.key, [op]);
    else l.push(op);
  }
  for (const [key, list] of byKey) {
    const bad = checkKey(key, list, finals?.get(key) ?? null);
    if (bad !== null) return { ok: false, key, reason: bad };
  }
  return { ok: true, keys: byKey.size };
}

function checkKey(key: string, ops: readonly Operation<KvInput, KvOutput>[], final: string | null): string | null {
  let base: string[] | null = final === null ? null : tokens(final);
  if (base === null) {
    base = [];
    for (const op of ops) if (op.input.f === "get" && op.status === "ok") {
      const t = tokens(String(op.output ?? ""));
      if (t.length > base.length) base = t;
    }
  }
  const pos = new Map<string, number>();
  for (let i = 0; i < base.length; i++) {
    if (pos.has(base[i])) return `token ${base[i]} appears twice in ${final === null ? "a read" : "the final value"} of "${key}"`;
    pos.set(base[i], i + 1);
  }
  const pts: { call: number; ret: number; point: number; what: string }[] = [];
  for (const op of ops) {
    if (op.input.f === "get") {
      if (op.status !== "ok") continue;
      const t = tokens(String(op.output ?? ""));
      for (let i = 0; i < t.length; i++) {
        if (base[i] !== t[i]) return `get("${key}") at ${op.call} read ${t.join(",")}, not a prefix of ${base.join(",")}`;
      }
      pts.push({ call: op.call, ret: op.ret, point: t.length + 0.5, what: `get("${key}") → ${t.length} tokens` });
      continue;
    }
    const tok = String(op.input.value ?? "").replace(/,$/, "");
    const j = pos.get(tok);
    if (op.status === "fail") {
      if (j !== undefined) return `append("${key}", ${tok}) failed (not executed), yet its token is at position ${j}`;
      continue;
    }
    if (j === undefined) {
      if (op.status !== "ok") continue; // indeterminate: it may never have happened
      if (final !== null) return `append("${key}", ${tok}) was acknowledged and is missing from the final value (a lost write)`;
      // Without a final value: it happened after everything anyone read (ties among such
      // writes are fine: real time orders them at the end).
      pts.push({ call: op.call, ret: op.ret, point: base.length + 1, what: `append("${key}", ${tok}) (read by nobody)` });
      continue;
    }
    pts.push({ call: op.call, ret: op.ret, point: j, what: `append("${key}", ${tok}) at position ${j}` });
  }
  // For each operation, the largest point among operations that completed before its call.
  const byRet = [...pts].sort((a, b) => a.ret - b.ret);
  const prefMax: number[] = [];
  const prefWho: number[] = [];
  for (let i = 0; i < byRet.length; i++) {
    const prev = i === 0 ? -Infinity : prefMax[i - 1];
    prefMax.push(Math.max(prev, byRet[i].point));
    prefWho.push(byRet[i].point >= prev ? i : prefWho[i - 1]);
  }
  for (const y of pts) {
    let lo = 0;
    let hi = byRet.length; // first index with ret >= y.call
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byRet[mid].ret < y.call) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) continue;
    if (prefMax[lo - 1] > y.point) {
      const x = byRet[prefWho[lo - 1]];
      return `${x.what} completed (t=${x.ret}) before ${y.what} was invoked (t=${y.call}), yet comes after it in the order of writes`;
    }
  }
  return null;
}
