// The detectors and their self-descriptions (for `raftsim detectors --json` and the online
// P-FD1 check). The Valkey cluster-bus `gossip` detector lives with the cluster bus
// (src/impl/failover/valkey/), not here.
import { LEASE_SPEC } from "./lease.js";
import { ORACLE_SPEC } from "./oracle.js";
import { PHI_SPEC } from "./phi.js";
import { SWIM_SPEC } from "./swim.js";
import { TIMEOUT_SPEC } from "./timeout.js";
import { type DetectorDescription, type DetectorName, describeSpec, type DetectorSpec } from "./types.js";

export const DETECTOR_SPECS = {
  timeout: TIMEOUT_SPEC,
  phi: PHI_SPEC,
  swim: SWIM_SPEC,
  lease: LEASE_SPEC,
  oracle: ORACLE_SPEC,
} as const satisfies Record<DetectorName, { readonly name: DetectorName }>;

/** name + description + parameters (with defaults and sources) of every detector, in order. */
export function describeDetectors(): DetectorDescription[] {
  return Object.values(DETECTOR_SPECS).map((s) => describeSpec(s as DetectorSpec<unknown>));
}

export * from "./lease.js";
export * from "./oracle.js";
export * from "./phi.js";
export * from "./swim.js";
export * from "./timeout.js";
export * from "./types.js";
