// The livelock guards (src/sim/runner/livelock.ts, wired into raft-metadata): a node that floods
// the network inside one event, or keeps the world busy at one virtual instant, ends the run at
// once with a `liveness` verdict naming the livelock — instead of spinning until the event
// budget or the scheduler's capacity (a mutant of progress.ts took ~10 s per seed to reach
// 2^24 pending events). Correct runs never come near the limits.
import { afterEach, describe, expect, it } from "vitest";
import { Progress } from "../../../src/impl/raft/progress.js";
import { MetaServer } from "../../../src/impl/metadata/server.js";
import { simulate } from "../../../src/api/simulate.js";
import { LivelockError, LivelockGuard } from "../../../src/sim/runner/livelock.js";

const S = 1_000_000;
type Patchable = Record<string, unknown>;
const saved: [Patchable, string, unknown][] = [];
function patch(proto: Patchable, name: string, f: (orig: (...a: unknown[]) => unknown) => (...a: unknown[]) => unknown): void {
  saved.push([proto, name, proto[name]]);
  proto[name] = f(proto[name] as (...a: unknown[]) => unknown);
}
afterEach(() => {
  for (const [p, k, v] of saved.reverse()) p[k] = v;
  saved.length = 0;
});

describe("LivelockGuard", () => {
  it("allows up to the limits and throws past them", () => {
    const g = new LivelockGuard({ maxSendsPerEvent: 3, maxEventsPerInstant: 4 });
    for (let i = 0; i < 3; i++) g.onSend(0, 10);
    g.afterEvent(10);
    for (let i = 0; i < 3; i++) g.onSend(1, 20); // the count restarts with each event
    expect(() => g.onSend(1, 20)).toThrow(LivelockError);
    const h = new LivelockGuard({ maxSendsPerEvent: 3, maxEventsPerInstant: 4 });
    for (let i = 0; i < 4; i++) h.afterEvent(50);
    h.afterEvent(51); // the clock advanced: the count restarts
    for (let i = 0; i < 3; i++) h.afterEvent(51);
    expect(() => h.afterEvent(51)).toThrow(/livelock \(stall\): more than 4 events at t=0\.051ms/);
  });
});

describe("livelock guards in raft-metadata", () => {
  it("pass correct runs (swarm and every-fault)", () => {
    for (const seed of [5, 7, 11]) {
      expect(simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result.verdict).toBe("ok");
      expect(simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily: true }).result.verdict).toBe("ok");
    }
  });

  it("flood: a leader whose probe state keeps pipelining (becomeProbe leaves replicate on)", () => {
    // The progress.ts mutant `this.replicate = false → true` in becomeProbe: the leader resends
    // without bound in one handler. Seeds 5, 7, 11 of the 20-seed sweep.
    patch(Progress.prototype as unknown as Patchable, "becomeProbe", (orig) => function (this: Patchable, ...a: unknown[]) {
      orig.apply(this, a);
      (this as { replicate: boolean }).replicate = true;
    });
    const t0 = performance.now();
    const r = simulate({ seed: 5, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("liveness");
    expect(r.message).toMatch(/^livelock \(flood\): more than 5000 messages sent while handling one event/);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it("stall: a node that asks to be woken at the instant it is woken", () => {
    patch(MetaServer.prototype as unknown as Patchable, "onTick", (orig) => function (this: Patchable, now: unknown) {
      orig.call(this, now);
      const self = this as unknown as { env: { id: number; wakeAt(l: number): void } };
      if (self.env.id === 0 && (now as number) > 1 * S) self.env.wakeAt(now as number);
    });
    const r = simulate({ seed: 1, timeUs: 5 * S, faults: [], sutAsserts: false }).result;
    expect(r.verdict).toBe("liveness");
    expect(r.message).toMatch(/^livelock \(stall\): more than 20000 events at t=\d+\.\d+ms without the virtual clock advancing/);
  });
});
