// The engula system's options (a scenario's `engula:` keys, `--variant`, tests), their defaults
// and their checks. Engula's own numbers are liveness threshold 30 s, heartbeat timeout 4 s and
// interval 26 s (threshold - timeout); the defaults keep those ratios at 1/20 scale (1.5 s,
// 200 ms, 1.3 s) so that a 10 s run sees several detection windows; the "engula-timing"
// variant runs the real numbers (give it runs of a few minutes).
import type { EngulaBugs, EngulaOptions } from "../../../impl/engula/types.js";
import { MS } from "../../../util/time.js";
import { optionKeysOf } from "../../runner/system.js";
import { DEFAULT_WORKLOAD, type EngulaWorkload } from "./client.js";

export interface EngulaSystemOptions {
  /** 1: the control unit lives on the first node; 3 (default): on the root group's leader. */
  readonly rootVoters?: number;
  readonly groups?: number;
  readonly replicas?: number;
  readonly livenessThresholdMs?: number;
  readonly heartbeatTimeoutMs?: number;
  /** Default: threshold - timeout (Engula's rule). */
  readonly heartbeatIntervalMs?: number;
  /** The leader-change allowance in the detection bound (default 2 x the maximum election
   * timeout: a pre-vote and vote round after a timeout, and the new term's first commit). */
  readonly leaderChangeMs?: number;
  readonly workload?: Partial<EngulaWorkload>;
}

export const DEFAULTS = {
  rootVoters: 3,
  groups: 3,
  replicas: 3,
  livenessThresholdMs: 1_500,
  heartbeatTimeoutMs: 200,
  electionMinMs: 150,
  electionMaxMs: 300,
  raftHeartbeatMs: 50,
} as const;

export class EngulaOptionError extends Error {
  constructor(field: string, problem: string) {
    super(`engula option ${field}: ${problem}`);
    this.name = "EngulaOptionError";
  }
}

function int(field: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < lo || v > hi) throw new EngulaOptionError(field, `must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  return v;
}

export interface Resolved {
  readonly node: EngulaOptions;
  readonly leaderChangeUs: number;
  readonly workload: EngulaWorkload;
}

/** EngulaSystemOptions' names (System.optionKeys: what --system-options may name), each read by
 * resolveOptions below, which refuses any other for API callers as the CLI does. */
export const ENGULA_OPTION_KEYS = optionKeysOf<EngulaSystemOptions>()(["rootVoters", "groups", "replicas", "livenessThresholdMs", "heartbeatTimeoutMs", "heartbeatIntervalMs", "leaderChangeMs", "workload"]);

const KNOWN: ReadonlySet<string> = new Set(ENGULA_OPTION_KEYS);

export function resolveOptions(raw: unknown, servers: number, bugs: EngulaBugs, asserts: boolean): Resolved {
  const o = (raw ?? {}) as EngulaSystemOptions;
  if (typeof o !== "object" || Array.isArray(o)) throw new EngulaOptionError("options", "must be an object");
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new EngulaOptionError(k, `unknown option (known: ${[...KNOWN].join(", ")})`);
  const replicas = int("replicas", o.replicas ?? DEFAULTS.replicas, 1, 7);
  if (servers < replicas + 1) throw new EngulaOptionError("servers", `need at least replicas + 1 = ${replicas + 1} nodes (a spare to cure onto), got ${servers}`);
  const rootVoters = int("rootVoters", o.rootVoters ?? DEFAULTS.rootVoters, 1, servers);
  const groups = int("groups", o.groups ?? DEFAULTS.groups, 1, 16);
  const threshold = int("livenessThresholdMs", o.livenessThresholdMs ?? DEFAULTS.livenessThresholdMs, 10, 3_600_000);
  const timeout = int("heartbeatTimeoutMs", o.heartbeatTimeoutMs ?? DEFAULTS.heartbeatTimeoutMs, 1, threshold - 1);
  const interval = int("heartbeatIntervalMs", o.heartbeatIntervalMs ?? threshold - timeout, 1, threshold);
  const leaderChange = int("leaderChangeMs", o.leaderChangeMs ?? 2 * DEFAULTS.electionMaxMs, 0, 3_600_000);
  const workload = { ...DEFAULT_WORKLOAD, ...o.workload };
  return {
    node: {
      servers,
      rootVoters,
      groups,
      replicas,
      livenessThresholdUs: threshold * MS,
      heartbeatTimeoutUs: timeout * MS,
      heartbeatIntervalUs: interval * MS,
      electionMinUs: DEFAULTS.electionMinMs * MS,
      electionMaxUs: DEFAULTS.electionMaxMs * MS,
      raftHeartbeatUs: DEFAULTS.raftHeartbeatMs * MS,
      bugs,
      asserts,
    },
    leaderChangeUs: leaderChange * MS,
    workload,
  };
}
