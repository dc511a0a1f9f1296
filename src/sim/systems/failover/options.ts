// The failover system's options (RunOptions.options): the detector family, the shape of the
// sharded data plane, the Valkey bus settings and the workload. Defaults: 3 shards of one
// primary and 2 replicas (9 servers), Valkey's test settings (T = 3 s, P = 100 ms).
import type { LeaseTuning } from "./lease/tuning.js";
import { optionKeysOf } from "../../runner/system.js";
import { DEFAULT_VALKEY_OPTIONS, VALKEY_TEST_SETTINGS, type Topology, type ValkeyOptions } from "../../../impl/failover/valkey/types.js";

/** Detector families the failover system runs: gossip (Valkey's own PFAIL rule), the
 * point-to-point detectors hosted in the node (src/impl/failover/valkey/fd-host.ts), and lease:
 * a different failover design, not a PFAIL input (src/impl/failover/lease: primaryship by CAS in
 * a per-shard Raft log, lease-bounded serving; lease/setup.ts). */
export const KNOWN_DETECTORS = ["gossip", "timeout", "phi", "swim", "oracle", "lease"] as const;
export type DetectorName = (typeof KNOWN_DETECTORS)[number];

export class UnknownDetectorError extends Error {
  constructor(readonly requested: string) {
    super(`unknown detector "${requested}"; known detectors: ${KNOWN_DETECTORS.join(", ")}`);
    this.name = "UnknownDetectorError";
  }
}

export function checkDetector(name: string): DetectorName {
  if (!(KNOWN_DETECTORS as readonly string[]).includes(name)) throw new UnknownDetectorError(name);
  return name as DetectorName;
}

export interface FailoverWorkload {
  /** Keys the clients use (spread over the shards by slot). */
  readonly keys: readonly string[];
  /** Think time between operations, µs. */
  readonly thinkMinUs: number;
  readonly thinkMaxUs: number;
  /** A request with no answer after this long is indeterminate (info), µs. */
  readonly timeoutUs: number;
  /** Back-off after a CLUSTERDOWN answer, µs. */
  readonly downBackoffUs: number;
  /** MOVED redirects followed per operation. */
  readonly maxRedirects: number;
  /** Share of GETs (the rest are APPENDs). */
  readonly readShare: number;
}

export const DEFAULT_WORKLOAD: FailoverWorkload = {
  keys: ["a", "b", "c", "d", "e", "f"],
  thinkMinUs: 20_000,
  thinkMaxUs: 100_000,
  timeoutUs: 500_000,
  downBackoffUs: 100_000,
  maxRedirects: 5,
  readShare: 0.5,
};

export interface FailoverOptions {
  /** The detector family (default gossip: Valkey's cluster bus). */
  readonly detector?: string;
  /** A hosted detector's parameters over its spec's defaults (DETECTOR_SPECS[detector]). */
  readonly fd?: Readonly<Record<string, number | string>>;
  /** Replicas per shard (default 2); the shard count is servers / (replicas + 1). */
  readonly replicas?: number;
  /** Hash slots (default 48). */
  readonly slots?: number;
  /** Valkey bus settings over its test settings (T = 3 s, P = 100 ms). */
  readonly valkey?: Partial<Omit<ValkeyOptions, "bugs">>;
  readonly workload?: Partial<FailoverWorkload>;
  /** Tests only: the checkers' bounds (P-FD1, P-FO6) computed from these settings instead of
   * the nodes' own, to show that the bounded-time checks can fail. */
  readonly checkWith?: Partial<Omit<ValkeyOptions, "bugs">>;
  /** Tests only: the checkers' B_D computed from these detector parameters over `fd`. */
  readonly checkFd?: Readonly<Record<string, number | string>>;
  /** Also run the linearizability checker over the client history (a metric for gossip:
   * porcupine-kv over APPEND histories with indeterminate writes is costly; off by default,
   * lost acknowledged writes are counted against the final state either way). */
  readonly checkHistory?: boolean;
  /** Wall-clock budget of that check, ms (default 10000). */
  readonly checkTimeoutMs?: number;
  /** `--detector lease`: the lease design's settings over its defaults (L = 1 s, renewal
   * 250 ms, FAIL after 2L, members refuse a takeover for 2L; src/impl/failover/lease/types.ts). */
  readonly lease?: LeaseTuning;
  /** Tests only: the lease checkers' bounds (P-FD1, P-FO6) from these settings over `lease`. */
  readonly checkLease?: LeaseTuning;
  /** Tests only: the liveness phase's incremental settled check (SettledWatch) also runs the
   * full one after every event and throws if they disagree. Changes nothing else. */
  readonly verifySettledWatch?: boolean;
}

/** FailoverOptions' names (System.optionKeys: what --system-options may name), each read by the
 * setup: detector, replicas, slots, valkey, workload, fd, checkWith, checkFd, checkHistory,
 * checkTimeoutMs and verifySettledWatch by system.ts (and options.ts's shapeFor, valkeyOptions);
 * the lease design (lease/setup.ts) reads replicas, slots, fd, workload, checkHistory and
 * checkTimeoutMs too, and lease and checkLease. */
export const FAILOVER_OPTION_KEYS = optionKeysOf<FailoverOptions>()(["detector", "fd", "replicas", "slots", "valkey", "workload", "checkWith", "checkFd", "checkHistory", "checkTimeoutMs", "lease", "checkLease", "verifySettledWatch"]);

export interface Shape {
  readonly shards: number;
  readonly replicas: number;
  readonly topo: Topology;
  /** Slot -> shard (as created; a failover moves a shard's slots as a whole). */
  readonly shardOfSlot: readonly number[];
}

/** Shard s is nodes s(R+1) .. s(R+1)+R, the first its primary; slots in contiguous ranges. */
export function shapeFor(servers: number, o: FailoverOptions): Shape {
  const replicas = o.replicas ?? 2;
  const slots = o.slots ?? 48;
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`failover: replicas must be a non-negative integer, got ${replicas}`);
  const per = replicas + 1;
  if (servers % per !== 0 || servers < per) throw new Error(`failover: ${servers} servers do not make shards of ${per} (1 primary + ${replicas} replicas); use a multiple of ${per}`);
  const shards = servers / per;
  if (slots < shards) throw new Error(`failover: ${slots} slots for ${shards} shards`);
  const initialOwner: number[] = [];
  const shardOfSlot: number[] = [];
  for (let s = 0; s < slots; s++) {
    const shard = Math.floor((s * shards) / slots);
    shardOfSlot.push(shard);
    initialOwner.push(shard * per);
  }
  const initialPrimaryOf: number[] = [];
  for (let i = 0; i < servers; i++) initialPrimaryOf.push(i % per === 0 ? -1 : i - (i % per));
  return { shards, replicas, topo: { servers, slots, initialOwner, initialPrimaryOf }, shardOfSlot };
}

export function valkeyOptions(o: FailoverOptions, bugs: ValkeyOptions["bugs"]): ValkeyOptions {
  return { ...DEFAULT_VALKEY_OPTIONS, ...VALKEY_TEST_SETTINGS, ...o.valkey, bugs };
}
