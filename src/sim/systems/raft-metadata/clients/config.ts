// Workload configuration for the closed-loop metadata clients.

/** Relative weights of the operations a client issues. Zero or absent = never. */
export interface OpMix {
  readonly get: number;
  readonly put: number;
  readonly delete: number;
  readonly cas: number;
  readonly exists?: number;
  readonly list?: number;
}

export interface WorkloadConfig {
  /** Server node ids requests may be sent to. */
  readonly servers: readonly number[];
  /** Keys to operate on: a small set, so operations contend. */
  readonly keys: readonly string[];
  readonly mix: OpMix;
  /** Share of ops that are multi-key transactions (ops.ts TxnOp), in [0, 1]; 0 or absent: none.
   * Whether an op is a txn, and the txn itself, is drawn from the client's "txn" stream, so a
   * workload without txns draws exactly what it drew before txns existed. */
  readonly txnP?: number;
  /** Keys a txn picks from (2 or more of them, at random; default: all of `keys`). */
  readonly txnKeys?: readonly string[];
  /** Prefix used by list ops (default ""). */
  readonly listPrefix?: string;
  /** Reads go to a random server, not the leader guess (for servers with follower reads). */
  readonly readsAnywhere?: boolean;
  /** A client sticks to the server it sent an op to: after a timeout, an "unavailable" or a
   * "not-leader" without a hint it resends to the same server until the op is this old (µs),
   * as a client with one connection does — so it keeps talking to a deposed leader that has
   * not noticed. 0 or absent: it moves on to the next server at once. */
  readonly stickyUs?: number;
  /** Send each request with the seq the client's session began at, for servers whose sessions
   * expire; after "session-expired" the client opens a new session. */
  readonly sessionStarts?: boolean;
  /** Pause between one op's completion and the next op's call, uniform in [min, max] us. */
  readonly thinkMinUs: number;
  readonly thinkMaxUs: number;
  /** How long to wait for an answer to one attempt before retrying elsewhere. */
  readonly timeoutUs: number;
  /** Pause before resending after not-leader without a usable hint, or after unavailable. */
  readonly backoffMinUs: number;
  readonly backoffMaxUs: number;
  /** Sends per operation (first attempt included); >= 1. */
  readonly maxAttempts: number;
  /** An op keeps retrying at least this long after its call, even past maxAttempts (µs). */
  readonly retryForUs: number;
  /** Stop issuing new ops after this many (per client). Undefined = until stop(). */
  readonly opsLimit?: number;
  /** Probability that a cas uses a deliberately stale expected revision. */
  readonly staleCasP: number;
  /** Number of client ids; client ids must lie in [0, clientCount). After an indeterminate op
   * a client continues as process id `client + k * clientCount` (k = 1, 2, ...). */
  readonly clientCount: number;
  /** Record a write that got "not-leader" on every attempt as "fail" (definitely not
   * executed). Only sound when the network never duplicates client requests: a duplicated
   * request can reach a server after it became leader and be executed after the client
   * gave up. When false such writes are recorded "info" (always sound, costlier to check).
   * Unanswered reads are always "fail": they have no effect. */
  readonly writeFailOnNotLeader: boolean;
}

export const defaultOpMix: OpMix = Object.freeze({ get: 3, put: 2, delete: 1, cas: 3, exists: 1 });
/** The same mix under the name the scenario format uses (one definition). */
export const DEFAULT_MIX: OpMix = defaultOpMix;

/** A reasonable configuration; override fields as needed. */
export function defaultWorkloadConfig(
  servers: readonly number[],
  clientCount: number,
  overrides: Partial<WorkloadConfig> = {},
): WorkloadConfig {
  const cfg: WorkloadConfig = {
    servers,
    keys: ["a", "b", "c"],
    mix: defaultOpMix,
    thinkMinUs: 0,
    thinkMaxUs: 20_000,
    timeoutUs: 100_000,
    backoffMinUs: 5_000,
    backoffMaxUs: 20_000,
    maxAttempts: 6,
    retryForUs: 0,
    staleCasP: 0.1,
    clientCount,
    writeFailOnNotLeader: false,
    ...overrides,
  };
  validateWorkloadConfig(cfg);
  return cfg;
}

export function validateWorkloadConfig(cfg: WorkloadConfig): void {
  const bad = (msg: string): never => {
    throw new Error(`workload config: ${msg}`);
  };
  if (cfg.servers.length === 0) bad("servers is empty");
  if (new Set(cfg.servers).size !== cfg.servers.length) bad("servers has duplicates");
  for (const s of cfg.servers) if (!Number.isInteger(s) || s < 0) bad(`server id ${s} is not a non-negative integer`);
  if (cfg.keys.length === 0) bad("keys is empty");
  const m = cfg.mix;
  const weights = [m.get, m.put, m.delete, m.cas, m.exists ?? 0, m.list ?? 0];
  for (const w of weights) if (!Number.isInteger(w) || w < 0) bad(`mix weight ${w} is not a non-negative integer`);
  if (weights.reduce((a, b) => a + b, 0) <= 0) bad("mix weights sum to 0");
  const times = [cfg.thinkMinUs, cfg.thinkMaxUs, cfg.backoffMinUs, cfg.backoffMaxUs, cfg.timeoutUs];
  for (const t of times) if (!Number.isSafeInteger(t) || t < 0) bad(`time ${t} is not a non-negative integer (us)`);
  if (cfg.thinkMaxUs < cfg.thinkMinUs) bad("thinkMaxUs < thinkMinUs");
  if (cfg.backoffMaxUs < cfg.backoffMinUs) bad("backoffMaxUs < backoffMinUs");
  if (cfg.timeoutUs <= 0) bad("timeoutUs must be > 0");
  if (!Number.isInteger(cfg.maxAttempts) || cfg.maxAttempts < 1) bad("maxAttempts must be an integer >= 1");
  if (!(cfg.retryForUs >= 0)) bad("retryForUs must be >= 0");
  if (cfg.stickyUs !== undefined && !(Number.isSafeInteger(cfg.stickyUs) && cfg.stickyUs >= 0)) bad("stickyUs must be a non-negative integer (us)");
  if (cfg.opsLimit !== undefined && (!Number.isInteger(cfg.opsLimit) || cfg.opsLimit < 0)) bad("opsLimit");
  if (!(cfg.staleCasP >= 0 && cfg.staleCasP <= 1)) bad("staleCasP must be in [0, 1]");
  if (cfg.txnP !== undefined && !(cfg.txnP >= 0 && cfg.txnP <= 1)) bad("txnP must be in [0, 1]");
  if (cfg.txnKeys !== undefined && (cfg.txnKeys.length < 2 || new Set(cfg.txnKeys).size !== cfg.txnKeys.length)) bad("txnKeys must name at least 2 distinct keys");
  if (!Number.isInteger(cfg.clientCount) || cfg.clientCount < 1) bad("clientCount must be an integer >= 1");
}

/** `c` with every key present (absent optional ones as undefined), in one order: the swarm's
 * workload draw gives each seed its own key set, and a client's hot reads of its configuration
 * would otherwise meet a new hidden class every few seeds (see impl/raft/options-shape.ts). */
export function fixedShapeWorkload(c: WorkloadConfig): WorkloadConfig {
  const all: { readonly [K in keyof Required<WorkloadConfig>]: WorkloadConfig[K] } = {
    servers: c.servers,
    keys: c.keys,
    mix: c.mix,
    txnP: c.txnP,
    txnKeys: c.txnKeys,
    listPrefix: c.listPrefix,
    readsAnywhere: c.readsAnywhere,
    stickyUs: c.stickyUs,
    sessionStarts: c.sessionStarts,
    thinkMinUs: c.thinkMinUs,
    thinkMaxUs: c.thinkMaxUs,
    timeoutUs: c.timeoutUs,
    backoffMinUs: c.backoffMinUs,
    backoffMaxUs: c.backoffMaxUs,
    maxAttempts: c.maxAttempts,
    retryForUs: c.retryForUs,
    opsLimit: c.opsLimit,
    staleCasP: c.staleCasP,
    clientCount: c.clientCount,
    writeFailOnNotLeader: c.writeFailOnNotLeader,
  };
  return all;
}
