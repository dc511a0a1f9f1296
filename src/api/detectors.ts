// The failure detectors, as plain data for `raftsim detectors` and library users: the five
// point-to-point detectors of src/impl/failover/detectors (their DetectorSpec) and the Valkey
// cluster bus (`gossip`), each with the systems that can run it (System.detectors).
import { describeDetectors, type ParamDoc } from "../impl/failover/detectors/index.js";
import { GOSSIP_DESCRIPTION } from "../impl/failover/valkey/gossip-spec.js";
import { allSystems } from "./systems.js";

export type { ParamDoc };

export interface DetectorInfo {
  readonly name: string;
  readonly description: string;
  /** "point-to-point": a pure Detector (src/impl/failover/detectors); "cluster-bus": built into
   * a system's node (Valkey's PFAIL/FAIL). */
  readonly kind: "point-to-point" | "cluster-bus";
  /** Parameters with their defaults, units and sources. */
  readonly params: readonly ParamDoc[];
  /** Systems that run it (`--system S --detector NAME`), and whether it is their default. */
  readonly systems: readonly { readonly system: string; readonly default: boolean }[];
}

export function listDetectors(): DetectorInfo[] {
  const systemsFor = (name: string) =>
    allSystems()
      .filter((s) => s.detectors?.includes(name) === true)
      .map((s) => ({ system: s.name, default: s.detectors![0] === name }));
  const out: DetectorInfo[] = [{ ...GOSSIP_DESCRIPTION, kind: "cluster-bus", systems: systemsFor(GOSSIP_DESCRIPTION.name) }];
  for (const d of describeDetectors()) out.push({ name: d.name, description: d.description, kind: "point-to-point", params: d.params, systems: systemsFor(d.name) });
  // Detector families a system names that neither list describes (a user system's own).
  const known = new Set(out.map((d) => d.name));
  for (const s of allSystems()) {
    for (const name of s.detectors ?? []) {
      if (known.has(name)) continue;
      known.add(name);
      out.push({ name, description: `${s.name}'s own detector family`, kind: "cluster-bus", params: [], systems: systemsFor(name) });
    }
  }
  return out;
}
