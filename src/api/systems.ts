// The registered systems, as plain data for `raftsim systems` and library users.
// Library users add their own systems with registerSystem (in this process: a sweep of a
// user system runs its seeds in this thread, since worker threads know the built-in ones only).
import { DEFAULT_SYSTEM, findSystem, SYSTEMS, UnknownSystemError } from "../sim/systems/index.js";
import type { PlantedBug, System, SystemVariant } from "../sim/runner/system.js";

export { DEFAULT_SYSTEM, UnknownSystemError };
export type { PlantedBug, System, SystemVariant };

const userSystems = new Map<string, System>();

/** Makes a system of your own known by name to simulate, replay, sweep (jobs 1) and simProperty.
 * A built-in name cannot be taken; registering the same object twice is harmless. */
export function registerSystem(system: System): void {
  if (findSystem(system.name) !== undefined) throw new Error(`system name ${JSON.stringify(system.name)} is taken by a built-in system`);
  const had = userSystems.get(system.name);
  if (had !== undefined && had !== system) throw new Error(`a system named ${JSON.stringify(system.name)} is already registered`);
  userSystems.set(system.name, system);
}

/** Whether a system is one of raftsim's own (worker threads can run only those). */
export function isBuiltinSystem(name: string): boolean {
  return findSystem(name) !== undefined;
}

/** The built-in systems, then the registered ones. */
export function allSystems(): System[] {
  return [...SYSTEMS, ...userSystems.values()];
}

export function getSystem(name: string): System {
  const s = findSystem(name) ?? userSystems.get(name);
  if (s === undefined) throw new UnknownSystemError(name);
  return s;
}

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
  return allSystems().map((s) => {
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

export class UnknownDetectorError extends Error {
  constructor(readonly system: string, readonly requested: string, readonly known: readonly string[]) {
    super(known.length === 0 ? `system ${system} takes no --detector` : `unknown detector "${requested}" for system ${system}; known detectors: ${known.join(", ")}`);
    this.name = "UnknownDetectorError";
  }
}

/** A --detector name checked against the system's detector families. */
export function resolveDetector(system: System, name: string): string {
  const known = system.detectors ?? [];
  if (!known.includes(name)) throw new UnknownDetectorError(system.name, name, known);
  return name;
}

/** Bug names checked against the system's catalogue (UnknownBugError names the known ones). */
export function resolveBugs(system: System, names: readonly string[]): string[] {
  const known = system.bugs.map((b) => b.name);
  for (const n of names) if (!known.includes(n)) throw new UnknownBugError(system.name, n, known);
  return [...new Set(names)];
}
