// heartbeat-due and heartbeat-redundant (src/sim/systems/raft-metadata/heartbeat-check.ts): at
// each heartbeat tick a correct leader sends exactly the heartbeats owed; a leader whose
// Progress forgets what it sent (patched here, in this process only) sends too many or too few.
import { describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { simulate } from "../../../src/api/simulate.js";
import { getSystem, runSystem } from "../../../src/api/index.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Progress.prototype);

/** After reset(), the field reads `value` and ignores writes (an own accessor on the instance:
 * class fields are own properties, so the prototype cannot shadow them). */
function pin(fields: Record<string, unknown>): void {
  patch("reset", (orig) => function (this: Patchable, ...a: unknown[]) {
    orig.apply(this, a);
    for (const [field, value] of Object.entries(fields)) Object.defineProperty(this, field, { configurable: true, get: () => value, set: () => {} });
  });
}

describe("heartbeat ticks", () => {
  it("pass correct leaders, with coalesced heartbeats (the default) and without", () => {
    for (const seed of [1, 2, 3, 4]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
      const slow = runSystem(getSystem("raft-metadata"), { seed, timeUs: 5 * S, sutAsserts: false, options: { fast: false } });
      expect(slow.verdict, `seed ${seed} (fast: false): ${slow.message}`).toBe("ok");
    }
  });

  it("heartbeat-redundant: a leader that forgets it contacted a follower heartbeats it anyway", () => {
    pin({ contacted: false });
    const r = simulate({ seed: 1, timeUs: 5 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^heartbeat-redundant at node \d+, t=[\d.]+ms, term \d+: a heartbeat tick sent follower \d+ a heartbeat, but since the previous tick it was sent a message carrying commit \d+, all it can take \(coalesceHeartbeats\)$/);
  });

  it("heartbeat-due: a leader that believes every follower contacted and told every commit sends none", () => {
    pin({ contacted: true, sentCommit: Number.MAX_SAFE_INTEGER });
    const r = simulate({ seed: 1, timeUs: 5 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^heartbeat-due at node \d+, t=[\d.]+ms, term \d+: a heartbeat tick sent follower \d+ no heartbeat, but it was sent (nothing since the previous tick|commit \d+ only, and can take \d+)$/);
  });

  it("heartbeat-due: a leader that never heartbeats a follower that lacks the commit it can take", () => {
    pin({ sentCommit: Number.MAX_SAFE_INTEGER });
    const found: string[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation") found.push(r.message ?? "");
    }
    expect(found.length).toBeGreaterThan(0);
    for (const m of found) expect(m).toMatch(/^heartbeat-due at node \d+, t=[\d.]+ms, term \d+: a heartbeat tick sent follower \d+ no heartbeat, but it was sent commit \d+ only, and can take \d+$/);
  });
});
