// MetaServer's asynchronous apply (applyDelayUs) timed its channel with the `now` Raft hands
// apply(): Raft's own monotonic time, ahead of the local clock by every backward step Raft has
// seen. The server read it into its own MonotonicTime as a local reading — a forward jump — so
// each entry's due time and wake-up fell seconds late, and followers whose election deadline
// heartbeats kept moving applied nothing: seed 45483 (clock faults, applyDelayUs 0, follower
// reads) had followers' stores 15-30 entries behind their commit index for 1.6 s after the
// heal, every forwarded read waiting on them, and one client never served ("replication did
// not catch up").
import { describe, expect, it } from "vitest";
import { simulate } from "../../../src/api/simulate.js";

const S = 1_000_000;

describe("apply channel timed on the local clock, not Raft's monotonic time", () => {
  for (const sutAsserts of [false, true]) {
    it(`seed 45483 at 10 s, assertions ${sutAsserts ? "on" : "off"}`, () => {
      const r = simulate({ seed: 45483, timeUs: 10 * S, sutAsserts }).result;
      expect(r.verdict, `seed 45483: ${r.message}`).toBe("ok");
    });
  }
});
