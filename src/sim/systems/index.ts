// The registry of systems under test: the only file that names them all. `--system NAME`
// resolves here; the first is the default.
import type { System } from "../runner/system.js";
import { engula } from "./engula/system.js";
import { failover } from "./failover/system.js";
import { pingpong } from "./pingpong/system.js";
import { kvrocksController } from "./kvrocks-controller/system.js";
import { raftMetadata } from "./raft-metadata/system.js";
import { valkey } from "./valkey/system.js";

export const SYSTEMS: readonly System[] = [raftMetadata, pingpong, failover, engula, kvrocksController, valkey];

export const DEFAULT_SYSTEM = "raft-metadata";

export function findSystem(name: string): System | undefined {
  return SYSTEMS.find((s) => s.name === name);
}

export class UnknownSystemError extends Error {
  constructor(readonly requested: string) {
    super(`unknown system "${requested}"; known systems: ${SYSTEMS.map((s) => s.name).join(", ")}`);
    this.name = "UnknownSystemError";
  }
}

export function getSystem(name: string): System {
  const s = findSystem(name);
  if (s === undefined) throw new UnknownSystemError(name);
  return s;
}
