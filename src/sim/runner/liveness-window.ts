// The liveness window after the final heal, for every system: a third of the run, clamped to
// [1 s, 10 s], and never more than half the run. (Elections take well under a second at Raft's
// default timeouts; pingpong needs two ping periods.)
import { S } from "../../util/time.js";

export function livenessWindowUs(timeUs: number): number {
  return Math.min(Math.floor(timeUs / 2), Math.max(1 * S, Math.min(10 * S, Math.floor(timeUs / 3))));
}
