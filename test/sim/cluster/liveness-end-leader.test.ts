// raft-metadata's liveness phase with livenessStopWhenHealthy (the default, `fast`): once the
// cluster was healthy and the last open operation was answered, the run stopped there and the
// end verdict ("no leader 3.3s after the final heal") was judged at that instant, not at the
// end of the window. A leader that steps down at that instant for a legitimate reason was
// reported as a liveness failure: seed 31640 (the leader commits its own removal, steps down
// and hands over with TimeoutNow, §4.2.2, 20 ms after the heal) and seed 33318 (PreVote off: a
// node whose clock stepped 3.8 s forward just before the heal campaigns in a higher term and
// deposes the leader). Both elect a leader within milliseconds when the run goes on.
import { describe, expect, it } from "vitest";
import { simulate } from "../../../src/api/simulate.js";

const S = 1_000_000;

describe("liveness end verdict: a leader by the end of the window, not at the drain instant", () => {
  for (const seed of [31640, 33318]) {
    for (const sutAsserts of [false, true]) {
      it(`seed ${seed} at 10 s, assertions ${sutAsserts ? "on" : "off"}`, () => {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      });
    }
  }
});
