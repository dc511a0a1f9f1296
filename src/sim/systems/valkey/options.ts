// The valkey system's options (RunOptions.options, a scenario's system block) and its design
// variants (issue 15 part 5). Defaults: raft-module, store-wide revision CAS, reads of the
// expected revision from the local view, the 2L lease wait on.
import { REVISION_KINDS, type RevisionKind } from "../../../impl/valkey-contract/raft-module/module.js";
import { optionKeysOf, type SystemVariant } from "../../runner/system.js";
import { DEFAULT_WORKLOAD, type ValkeyWorkload } from "./client.js";
import { MODULES } from "./modules.js";

export interface ValkeySystemOptions {
  /** The Clustering module (modules.ts). */
  readonly module?: string;
  /** What a shard-log revision is: "index" (store-wide), "term-index", "version" (per key),
   * "value" (value-compare CAS). */
  readonly revision?: string;
  /** The module writes blindly: the Core's own read-compare is all (Kvrocks' UpdateCluster). */
  readonly blindWrites?: boolean;
  /** The new primary waits leaseWaitMult x L after its takeover before serving. */
  readonly leaseWait?: boolean;
  readonly leaseWaitMult?: number;
  /** The takeover's expected revisions: "local" view or "consistent" read (ReadIndex). */
  readonly readMode?: string;
  /** L, µs (the module's heartbeat TTL). */
  readonly leaseUs?: number;
  readonly slots?: number;
  readonly workload?: Partial<ValkeyWorkload>;
}

export class ValkeyOptionError extends Error {
  constructor(field: string, problem: string) {
    super(`valkey option ${field}: ${problem}`);
    this.name = "ValkeyOptionError";
  }
}

export interface Resolved {
  readonly module: string;
  readonly revision: RevisionKind;
  readonly blindWrites: boolean;
  readonly leaseWait: boolean;
  readonly leaseWaitMult: number;
  readonly readMode: "local" | "consistent";
  readonly leaseUs: number;
  readonly slots: number;
  readonly workload: ValkeyWorkload;
}

/** ValkeySystemOptions' names (System.optionKeys: what --system-options may name), each read by
 * resolve below, which refuses any other for API callers as the CLI does. */
export const VALKEY_OPTION_KEYS = optionKeysOf<ValkeySystemOptions>()(["module", "revision", "blindWrites", "leaseWait", "leaseWaitMult", "readMode", "leaseUs", "slots", "workload"]);

export function resolve(raw: unknown): Resolved {
  const o = (raw ?? {}) as ValkeySystemOptions & Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(VALKEY_OPTION_KEYS as readonly string[]).includes(k)) throw new ValkeyOptionError(k, `unknown option; known: ${VALKEY_OPTION_KEYS.join(", ")}`);
  const module = o.module ?? "raft";
  if (MODULES[module] === undefined) throw new ValkeyOptionError("module", `unknown module "${module}"; known: ${Object.keys(MODULES).join(", ")}`);
  const revision = (o.revision ?? "index") as RevisionKind;
  if (!REVISION_KINDS.includes(revision)) throw new ValkeyOptionError("revision", `unknown revision "${String(o.revision)}"; known: ${REVISION_KINDS.join(", ")}`);
  const readMode = o.readMode ?? "local";
  if (readMode !== "local" && readMode !== "consistent") throw new ValkeyOptionError("readMode", `must be "local" or "consistent", got ${JSON.stringify(readMode)}`);
  const bool = (f: string, v: unknown, d: boolean): boolean => {
    if (v === undefined) return d;
    if (typeof v !== "boolean") throw new ValkeyOptionError(f, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  const num = (f: string, v: unknown, d: number, min: number): number => {
    if (v === undefined) return d;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min) throw new ValkeyOptionError(f, `must be a number >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    module,
    revision,
    blindWrites: bool("blindWrites", o.blindWrites, false),
    leaseWait: bool("leaseWait", o.leaseWait, true),
    leaseWaitMult: num("leaseWaitMult", o.leaseWaitMult, 2, 0),
    readMode,
    leaseUs: num("leaseUs", o.leaseUs, 400_000, 10_000),
    slots: num("slots", o.slots, 48, 1),
    workload: { ...DEFAULT_WORKLOAD, ...o.workload },
  };
}

/** `raftsim compare --system valkey --variants ...`. */
export const VARIANTS: readonly SystemVariant[] = [
  { name: "revision", description: "store-wide revision CAS (the Raft index of the key's last write), local read, 2L wait: the design", options: {} },
  { name: "term-index", description: "(term, index) revision CAS, as the RFC suggests", options: { revision: "term-index" } },
  { name: "per-key-version", description: "etcd-style per-key version as the revision: resets to 1 when a key is deleted and re-created (the FENCED marker)", options: { revision: "version" } },
  { name: "value-cas", description: "value-compare CAS: the revision is the value (primary A -> B -> A passes a stale compare)", options: { revision: "value" } },
  { name: "blind-write", description: "read, compare in the Core, then a blind write (the Kvrocks controller's UpdateCluster pattern)", options: { blindWrites: true } },
  { name: "no-lease-wait", description: "the new primary serves as soon as its takeover CAS succeeds (no 2L wait for the old lease)", options: { leaseWait: false } },
  { name: "readindex", description: "the expected revisions read through ReadIndex (readShardLogConsistent), not the local view", options: { readMode: "consistent" } },
  { name: "module-raft", description: "raft-module (the default module), for the module rows of the table", options: { module: "raft" } },
  { name: "module-gossip", description: "gossip-module: the shard log carried by the legacy cluster bus (epoch-stamped writes accepted by a majority, locks that time out, no order across keys), PFAIL/FAIL by failure reports", options: { module: "gossip" } },
];
