// Check (c) of the valkey system: no WAIT-acknowledged write is lost. A WAIT-acknowledged APPEND
// token must be in every successful GET of its key that was invoked after the acknowledgement
// returned, and (when the run settled) in the key's final value on its shard's primary. Values are
// comma-separated tokens (APPEND of "c.n,"). Plain (non-WAIT) APPENDs are acknowledged before any
// replica has them: Valkey may lose them in a failover, so they are not judged.
import type { Operation } from "../../../check/history.js";
import type { KvIn } from "./client.js";

export interface LostWrites {
  readonly lost: number;
  readonly acked: number;
  /** The first loss, described (empty: none). */
  readonly first: string;
}

export function lostWaitAcked(ops: readonly Operation<KvIn, string | null>[], finals: ReadonlyMap<string, string> | null): LostWrites {
  const gets = new Map<string, { call: number; tokens: Set<string>; ret: number }[]>();
  for (const op of ops) {
    if (op.input.f !== "get" || op.status !== "ok") continue;
    const l = gets.get(op.input.key) ?? [];
    l.push({ call: op.call, ret: op.ret, tokens: new Set((op.output ?? "").split(",").filter((t) => t !== "")) });
    gets.set(op.input.key, l);
  }
  let lost = 0;
  let acked = 0;
  let first = "";
  for (const op of ops) {
    if (op.input.f !== "append" || op.input.wait !== true || op.status !== "ok") continue;
    acked++;
    const token = op.input.value!.slice(0, -1);
    const key = op.input.key;
    const g = (gets.get(key) ?? []).find((x) => x.call > op.ret && !x.tokens.has(token));
    const f = finals?.get(key);
    const inFinal = f === undefined || f.split(",").includes(token);
    if (g === undefined && inFinal) continue;
    lost++;
    if (first === "") {
      first = g !== undefined
        ? `APPEND ${key} ${token} acknowledged (WAIT) at ${(op.ret / 1000).toFixed(1)} ms, missing from a GET invoked at ${(g.call / 1000).toFixed(1)} ms`
        : `APPEND ${key} ${token} acknowledged (WAIT) at ${(op.ret / 1000).toFixed(1)} ms, missing from the key's final value`;
    }
  }
  return { lost, acked, first };
}
