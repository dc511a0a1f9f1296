// The failover system's design variants for `raftsim compare` (FAILURE-DETECTION.md §e R4): one
// per detector family, generated from KNOWN_DETECTORS so a detector added there (lease) is a
// variant without another edit, each with the knob `compare --calibrate` tunes, and the
// calibration runs: a calm primary crash, so every variant is brought to the same median
// crash-to-failover time before their safety and mistakes are compared.
import { DETECTOR_SPECS } from "../../../impl/failover/detectors/index.js";
import { GOSSIP_DESCRIPTION } from "../../../impl/failover/valkey/gossip-spec.js";
import type { CompareCalibration, SystemVariant, VariantKnob } from "../../runner/system.js";
import { MS, S } from "../../../util/time.js";
import { KNOWN_DETECTORS } from "./options.js";

function describe(name: string): string {
  if (name === GOSSIP_DESCRIPTION.name) return GOSSIP_DESCRIPTION.description;
  const spec = (DETECTOR_SPECS as Readonly<Record<string, { readonly description: string } | undefined>>)[name];
  return spec?.description ?? `the ${name} detector`;
}

/** Each detector's main timeout, the one parameter its detection time grows with. A detector
 * without an entry here (a new one) is compared uncalibrated, and compare says so. */
const KNOBS: Readonly<Record<string, VariantKnob>> = {
  // The bus's node timeout T (PFAIL after T without a PONG); P stays Valkey's test 100 ms.
  gossip: { name: "valkey.nodeTimeoutMs", lo: 200, hi: 15_000, step: 10, options: (x) => ({ detector: "gossip", valkey: { nodeTimeoutMs: x } }) },
  // kvrocks' probe period P with K = 5 misses (each probe times out at P): suspicion after ~K·P.
  timeout: { name: "fd.intervalUs (= fd.probeTimeoutUs)", lo: 20 * MS, hi: 3 * S, step: 1 * MS, options: (x) => ({ detector: "timeout", fd: { intervalUs: x, probeTimeoutUs: x } }) },
  // Akka's acceptable heartbeat pause: the margin phi adds over the heartbeat history.
  phi: { name: "fd.acceptableHeartbeatPauseUs", lo: 0, hi: 15 * S, step: 1 * MS, options: (x) => ({ detector: "phi", fd: { acceptableHeartbeatPauseUs: x } }) },
  // memberlist's probe interval (suspicion timeouts scale with it); probe timeout half of it.
  swim: { name: "fd.probeIntervalUs (fd.probeTimeoutUs = half)", lo: 20 * MS, hi: 5 * S, step: 1 * MS, options: (x) => ({ detector: "swim", fd: { probeIntervalUs: x, probeTimeoutUs: Math.max(1, Math.round(x / 2)) } }) },
  // The lease design (once `lease` is in KNOWN_DETECTORS): the lease length L, renewed every L/4
  // as LEASE_DEFAULTS does; replicas mark FAIL after 2L. Assumes the design reads its parameters
  // from `fd` over LEASE_DEFAULTS as the hosted detectors do: if it does not, calibration finds
  // the column flat and compare reports the target out of the knob's range.
  lease: { name: "fd.leaseUs (fd.renewIntervalUs = L/4)", lo: 100 * MS, hi: 10 * S, step: 1 * MS, options: (x) => ({ detector: "lease", fd: { leaseUs: x, renewIntervalUs: Math.max(1, Math.round(x / 4)) } }) },
  // The ground-truth puppet's detection delay.
  oracle: { name: "fd.detectDelayUs", lo: 0, hi: 15 * S, step: 1 * MS, options: (x) => ({ detector: "oracle", fd: { detectDelayUs: x } }) },
};

export const failoverVariants: readonly SystemVariant[] = KNOWN_DETECTORS.map((name) => ({
  name,
  description: `--detector ${name}: ${describe(name)}`,
  options: { detector: name },
  ...(KNOBS[name] !== undefined ? { knob: KNOBS[name] } : {}),
}));

/** R4's fairness runs: a slot-owning primary crashes at 5 s in an otherwise calm run and stays
 * down; the median crash-to-failover time over seeds 1..5 is what calibration equalises. */
export const failoverCalibration: CompareCalibration = {
  description: "calm primary crash at 5 s (down 60 s), seeds 1..5, median crash-to-failover",
  faults: [{ at: 5 * S, kind: "crash-leader", downUs: 60 * S }],
  timeUs: 40 * S,
  seeds: [1, 2, 3, 4, 5],
  column: "failoverP50Ms",
};
