// runSimulation: one pingpong run through the generic runner (the kernel tests and benchmarks
// call it by this name).
import { runSystem, type RunOptions, type RunResult } from "../../runner/run.js";
import { pingpong } from "./system.js";

export type { RunResult } from "../../runner/run.js";

export function runSimulation(opts: Omit<RunOptions, "options">): RunResult {
  return runSystem(pingpong, opts);
}
