// The registered systems, as plain data for `raftsim systems` and library users.
import { DEFAULT_SYSTEM, getSystem, SYSTEMS, UnknownSystemError } from "../sim/systems/index.js";
import type { PlantedBug, System } from "../sim/runner/system.js";

export { DEFAULT_SYSTEM, getSystem, UnknownSystemError };
export type { PlantedBug, System };

export interface SystemInfo {
  readonly name: string;
  readonly description: string;
  readonly bugs: readonly string[];
  readonly families: readonly string[];
  readonly faultKinds: readonly string[];
  readonly targets: readonly string[];
  readonly servers: number;
  readonly clients: number;
  /** What its runs check: a history model, or none. */
  readonly historyModel: string | null;
}

export function listSystems(): SystemInfo[] {
  return SYSTEMS.map((s) => {
    // The model is part of a run's setup; ask a throwaway setup (cheap: nothing runs).
    const probe = s.setup({ seed: 0, timeUs: 10_000_000, healAtUs: 0, servers: s.defaults.servers, clients: s.defaults.clients, bugs: [], generated: null, explicitFaults: [], options: undefined });
    return {
      name: s.name,
      description: s.description,
      bugs: s.bugs.map((b) => b.name),
      families: s.families.map((f) => f.name),
      faultKinds: s.faultKinds,
      targets: s.targets,
      servers: s.defaults.servers,
      clients: s.defaults.clients,
      historyModel: probe.history?.model.name ?? null,
    };
  });
}

export class UnknownBugError extends Error {
  constructor(readonly system: string, readonly requested: string, readonly known: readonly string[]) {
    super(`unknown bug "${requested}" for system ${system}; ${known.length > 0 ? `one of: ${known.join(", ")}` : "it has no planted bugs"}`);
    this.name = "UnknownBugError";
  }
}

/** Bug names checked against the system's catalogue (UnknownBugError names the known ones). */
export function resolveBugs(system: System, names: readonly string[]): string[] {
  const known = system.bugs.map((b) => b.name);
  for (const n of names) if (!known.includes(n)) throw new UnknownBugError(system.name, n, known);
  return [...new Set(names)];
}
