// `--detector timeout|phi|swim|oracle`: a point-to-point detector hosted in every Valkey-like
// node as its PFAIL input (src/impl/failover/valkey/fd-host.ts), with its spec's defaults
// (FAILURE-DETECTION.md §e; `raftsim detectors`) and its bound B_D for the online checks.
import { akkaRestartBoundUs, DETECTOR_SPECS, OracleDetector, PhiDetector, SwimDetector, TimeoutDetector, type DetectorSpec, type PhiParams, type SwimParams, type TimeoutParams, type OracleParams } from "../../../impl/failover/detectors/index.js";
import type { DetectorFactory } from "../../../impl/failover/valkey/fd-host.js";
import type { ValkeyNode } from "../../../impl/failover/valkey/node.js";
import { NodeStatus } from "../../kernel/world.js";
import type { AnyWorld } from "../../runner/system.js";

export type HostedName = "timeout" | "phi" | "swim" | "oracle";

export interface Hosted {
  readonly factory: DetectorFactory;
  /** B_D (local µs) for n members and the run's round trip. */
  readonly boundUs: number;
  readonly formula: string;
  /** How long before a crash the run must have been calm for the bounded checks (µs). */
  readonly lookbackUs: number;
  /** How long after an observer starts its bound may still be late: phi (Akka) records its
   * first heartbeat expectedResponseAfter after monitoring starts when none came, so a target
   * that crashed before answering is suspected tPhi after that, not after the crash (µs). */
  readonly warmupUs?: number;
  /** B_D for a crash whose observer or target restarted earlier in the run (phi: a short
   * interval may be in the history, see akkaRestartBoundUs); absent: boundUs. */
  readonly restartBoundUs?: number;
  readonly params: Readonly<Record<string, unknown>>;
  /** Per event (oracle only): tell the live nodes' oracles which nodes are down. */
  readonly afterEvent?: (w: AnyWorld) => void;
}

function phiWarmup(p: PhiParams, rttUs: number): { warmupUs: number; restartBoundUs?: number } {
  return p.variant === "akka" ? { warmupUs: p.expectedResponseAfterUs, restartBoundUs: akkaRestartBoundUs(p, rttUs) } : { warmupUs: 0 };
}

export function hostedDetector(name: HostedName, overrides: Readonly<Record<string, number | string>> | undefined, n: number, rttUs: number, runUs: number): Hosted {
  const spec = DETECTOR_SPECS[name] as DetectorSpec<unknown>;
  const params = { ...(spec.defaults as object), ...overrides } as Record<string, unknown>;
  const b = spec.bound(params, { n, rttUs });
  // What a detector remembers of a disturbance: timeout and oracle nothing past one bound;
  // SWIM its Lifeguard score (decays by one per successful probe: a bound's worth of probes);
  // phi its whole heartbeat history (up to maxSampleSize intervals): the run's start.
  const lookbackUs = name === "phi" ? runUs : 2 * b.suspectUs;
  switch (name) {
    case "timeout":
      return { boundUs: b.suspectUs, formula: b.formula, lookbackUs, params, factory: (self, members, _rng, now) => new TimeoutDetector(self, members.filter((m) => m !== self), params as unknown as TimeoutParams, now) };
    case "phi":
      return { boundUs: b.suspectUs, formula: b.formula, lookbackUs, params, ...phiWarmup(params as unknown as PhiParams, rttUs), factory: (self, members, _rng, now, inc) => new PhiDetector(self, members.filter((m) => m !== self), params as unknown as PhiParams, now, inc) };
    case "swim":
      return { boundUs: b.suspectUs, formula: b.formula, lookbackUs, params, factory: (self, members, rng, now, inc) => new SwimDetector(self, members, rng, params as unknown as SwimParams, now, inc) };
    case "oracle": {
      let seen: (ValkeyNode | null)[] = [];
      let status: number[] = [];
      return {
        boundUs: b.suspectUs,
        formula: b.formula,
        lookbackUs,
        params,
        factory: (self, members) => new OracleDetector(self, members.filter((m) => m !== self), params as unknown as OracleParams),
        // Ground truth: a node is down while crashed or paused. A new node object (a restart)
        // learns the whole truth; the others learn the changes.
        afterEvent(w) {
          const N = w.nodes.length;
          if (seen.length === 0) {
            seen = new Array(N).fill(null);
            status = new Array(N).fill(-1);
          }
          for (let i = 0; i < N; i++) {
            const node = w.nodes[i] as ValkeyNode | null;
            const fresh = node !== null && node !== seen[i];
            seen[i] = node;
            if (fresh) {
              const o = node.fd!.detector as OracleDetector;
              for (let j = 0; j < N; j++) if (j !== i && w.status[j] !== NodeStatus.up) o.setTruth(j, false, w.localNow(i));
              node.fd!.changed();
            }
            if (w.status[i] === status[i]) continue;
            status[i] = w.status[i];
            const up = w.status[i] === NodeStatus.up;
            for (let p = 0; p < N; p++) {
              const o = p === i ? null : (w.nodes[p] as ValkeyNode | null);
              if (o !== null && o.fd !== null) {
                (o.fd.detector as OracleDetector).setTruth(i, up, w.localNow(p));
                o.fd.changed();
              }
            }
          }
        },
      };
    }
  }
}
