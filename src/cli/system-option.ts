// --system NAME, as a commander argument parser (run, replay, sweep, bugs, scenarios).
import { InvalidArgumentError } from "commander";
import { getSystem, UnknownSystemError } from "../api/systems.js";

/** --system NAME → the name; unknown names list the known ones (exit 64). */
export function parseSystem(text: string): string {
  try {
    return getSystem(text.trim()).name;
  } catch (e) {
    if (e instanceof UnknownSystemError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}

