// wake-by-deadline (src/sim/systems/raft-metadata/wake-check.ts): a correct server always asks
// the host to wake it by its earliest running deadline; a server whose wake-up forgets one of
// its timers, or is not asked again after a backward clock step (patched here, in this process
// only), is caught at the event after which it sleeps too long.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { MonotonicTime } from "../../../src/impl/raft/monotonic.js";
import { NOT_DUE } from "../../../src/impl/raft/state.js";
import { simulate } from "../../../src/api/simulate.js";
import { getSystem, runSystem } from "../../../src/api/index.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patchRaft = prototypePatcher(Raft.prototype);
const patchClock = prototypePatcher(MonotonicTime.prototype);

/** arm() as if `field` held `value` (a timer the wake-up forgets). */
function armIgnoring(field: string, value: number): void {
  patchRaft("arm", (orig) => function (this: Patchable, ...a: unknown[]) {
    const saved = this[field];
    this[field] = value;
    try {
      orig.apply(this, a);
    } finally {
      this[field] = saved;
    }
  });
}

describe("wake-by-deadline", () => {
  it("passes correct servers: swarm, every fault family, and the periodic-heartbeat model", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}${everyFamily ? " every fault" : ""}: ${r.message}`).toBe("ok");
      }
      const slow = runSystem(getSystem("raft-metadata"), { seed, timeUs: 5 * S, sutAsserts: false, options: { fast: false } });
      expect(slow.verdict, `seed ${seed} (fast: false): ${slow.message}`).toBe("ok");
    }
  });

  it("a leader whose wake-up forgets its CheckQuorum round", () => {
    armIgnoring("checkQuorumDeadline", Number.POSITIVE_INFINITY);
    // Seed 3: the first of the swarm with CheckQuorum on whose round falls between two ticks.
    const r = simulate({ seed: 3, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^wake-by-deadline at node \d+, t=[\d.]+ms, term \d+ \(leader\): its CheckQuorum round is due at local -?\d+µs, but it asked to be woken at local -?\d+µs, \d+µs later$/);
  });

  it("a server whose wake-up forgets the reads it will answer at once", () => {
    armIgnoring("readsDueAt", NOT_DUE);
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^wake-by-deadline at node \d+, .*: its reads due is due at local/);
  });

  it("a leader that asks for its heartbeat 1 ms late", () => {
    patchRaft("arm", (orig) => function (this: Patchable & { env: { wakeAt(l: number): void } }, ...a: unknown[]) {
      orig.apply(this, a);
      if (this.curRole === "leader" && this.armedAt === this.armedAt) this.env.wakeAt((this.armedAt as number) + 1000);
    });
    const r = simulate({ seed: 1, timeUs: 5 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^wake-by-deadline at node \d+, .*\(leader\): its (heartbeat|CheckQuorum round) is due at local -?\d+µs, but it asked to be woken at local -?\d+µs, 1000µs later$/);
  });

  it("a server that does not ask for its wake-up again after its clock stepped back", () => {
    // The step is seen, but not reported to readClock: only an input that re-arms anyway moves
    // the wake-up to where the deadlines now fall on the local clock.
    patchClock("takeStep", () => function (this: Patchable) {
      this.stepped = false;
      return false;
    });
    const r = simulate({ seed: 4, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^wake-by-deadline at node \d+/);
  });
});
