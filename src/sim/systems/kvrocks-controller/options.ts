// The kvrocks-controller system's options (RunOptions.options, a scenario's system block):
// the engine, the ReadIndex option, the fixes, the shape, the timing and the workload.
// Defaults: the embedded engine with ReadIndex and every fix on, 3 controllers, 2 shards of
// 1 master + 2 replicas, the kvrocks timing (probe 3 s, 5 misses, session TTL 6 s).
import { ALL_FIXES, DEFAULT_TIMING, serversOf, type EngineKind, type Fixes, type Layout, type Timing } from "../../../impl/kvrocks/types.js";
import { DEFAULT_WORKLOAD, type Workload } from "./client.js";
import { optionKeysOf } from "../../runner/system.js";

export const ENGINES = ["embedded", "external"] as const;
export const FIX_NAMES = ["votes", "quorumCheck", "demote", "casUpdate", "lease"] as const;

export interface KvrocksSystemOptions {
  readonly engine?: string;
  readonly readIndex?: boolean;
  /** Fixes over ALL_FIXES (a list of names turns on exactly those). */
  readonly fixes?: Partial<Fixes> | readonly string[];
  readonly controllers?: number;
  readonly replicas?: number;
  readonly slots?: number;
  readonly timing?: Partial<Timing>;
  readonly workload?: Partial<Workload>;
  /** Tests only: the data nodes' write lease, when it should differ from the lease the
   * controllers reckon with (timing.leaseUs), to show that P-FO4 can fail. */
  readonly dataLeaseUs?: number;
}

/** KvrocksSystemOptions' names (System.optionKeys: what --system-options may name): engine,
 * fixes, controllers, replicas, slots, timing and workload are read by the readers below,
 * readIndex and dataLeaseUs by system.ts's setup. */
export const KVROCKS_OPTION_KEYS = optionKeysOf<KvrocksSystemOptions>()(["engine", "readIndex", "fixes", "controllers", "replicas", "slots", "timing", "workload", "dataLeaseUs"]);

export class KvrocksOptionError extends Error {
  constructor(field: string, problem: string) {
    super(`kvrocks-controller option ${field}: ${problem}`);
    this.name = "KvrocksOptionError";
  }
}

export function engineOf(o: KvrocksSystemOptions): EngineKind {
  const e = o.engine ?? "embedded";
  if (!(ENGINES as readonly string[]).includes(e)) throw new KvrocksOptionError("engine", `unknown engine "${e}"; known: ${ENGINES.join(", ")}`);
  return e as EngineKind;
}

export function fixesOf(o: KvrocksSystemOptions): Fixes {
  const f = o.fixes;
  if (f === undefined) return ALL_FIXES;
  if (Array.isArray(f)) {
    for (const n of f) if (!(FIX_NAMES as readonly string[]).includes(n)) throw new KvrocksOptionError("fixes", `unknown fix "${n}"; known: ${FIX_NAMES.join(", ")}`);
    const out: Record<string, boolean> = {};
    for (const n of FIX_NAMES) out[n] = f.includes(n);
    return out as unknown as Fixes;
  }
  return { ...ALL_FIXES, ...(f as Partial<Fixes>) };
}

/** The layout for `servers` servers: controllers first, then shards, then the store node. */
export function layoutFor(servers: number, o: KvrocksSystemOptions): Layout {
  const controllers = o.controllers ?? 3;
  const replicas = o.replicas ?? 2;
  const data = servers - controllers - 1;
  const per = replicas + 1;
  if (!Number.isInteger(controllers) || controllers < 1) throw new KvrocksOptionError("controllers", `must be a positive integer, got ${controllers}`);
  if (data < per || data % per !== 0) throw new KvrocksOptionError("servers", `${servers} servers leave ${data} data nodes after ${controllers} controllers and the store node: not shards of ${per} (1 master + ${replicas} replicas)`);
  const l: Layout = { controllers, shards: data / per, replicas, slots: o.slots ?? 16 };
  if (serversOf(l) !== servers) throw new KvrocksOptionError("servers", "layout mismatch");
  return l;
}

export function timingOf(o: KvrocksSystemOptions): Timing {
  return { ...DEFAULT_TIMING, ...o.timing };
}

export function workloadOf(o: KvrocksSystemOptions): Workload {
  return { ...DEFAULT_WORKLOAD, ...o.workload };
}
