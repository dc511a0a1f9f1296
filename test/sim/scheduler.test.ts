import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BudgetExhaustedError, Scheduler, type EventHandler } from "../../src/sim/kernel/scheduler.js";

function collect(): EventHandler & { seen: [number, number][] } {
  const seen: [number, number][] = [];
  return { seen, handle: (_k, a, _b, _p, t) => void seen.push([t, a]) };
}

describe("Scheduler", () => {
  it("hands each event its spare integer c back (0 unless given), across slot reuse and growth", () => {
    const s = new Scheduler({ capacity: 16 });
    const seen: [number, number][] = [];
    const h: EventHandler = { handle: (_k, a, _b, _p, _t, c) => void seen.push([a, c]) };
    for (let i = 0; i < 40; i++) s.push(i, 1, i, 0, null, i % 3 === 0 ? 0 : -1000 - i);
    s.push(50, 1, 99, 0, null);
    s.runToQuiescence(h);
    for (let i = 0; i < 40; i++) expect(seen[i]).toEqual([i, i % 3 === 0 ? 0 : -1000 - i]);
    expect(seen[40]).toEqual([99, 0]);
    s.push(60, 1, 7, 0, null); // a reused slot starts from 0 again
    s.runToQuiescence(h);
    expect(seen[41]).toEqual([7, 0]);
  });

  it("pops in (time, insertion order), with cancellations removed", () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat({ max: 50 }), fc.boolean()), { maxLength: 300 }),
      (items) => {
        const s = new Scheduler({ capacity: 16 });
        const handles = items.map(([t], i) => s.push(t, 1, i, 0, null));
        const kept = items.map(([t, cancel], i) => ({ t, i, cancel }));
        for (const k of kept) if (k.cancel) expect(s.cancel(handles[k.i])).toBe(true);
        const h = collect();
        s.runToQuiescence(h);
        const want = kept.filter((k) => !k.cancel).sort((x, y) => x.t - y.t || x.i - y.i).map((k) => [k.t, k.i]);
        expect(h.seen).toEqual(want);
        for (const x of handles) expect(s.cancel(x)).toBe(false); // stale handles are inert
      },
    ));
  });

  it("reschedule moves a pending event exactly where cancel + push would put it, and pushes for a stale handle", () => {
    // Two queues fed the same operations: one re-arms timers by cancel + push, the other by
    // reschedule; while running, both must pop the same (time, id) sequence.
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.nat({ max: 8 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 400 }),
      (ops) => {
        const a = new Scheduler({ capacity: 16 });
        const b = new Scheduler({ capacity: 16 });
        const ha = [-1, -1, -1, -1];
        const hb = [-1, -1, -1, -1];
        const seenA: number[][] = [];
        const seenB: number[][] = [];
        const hA: EventHandler = { handle: (_k, x, y, _p, t) => void seenA.push([t, x, y]) };
        const hB: EventHandler = { handle: (_k, x, y, _p, t) => void seenB.push([t, x, y]) };
        let id = 0;
        for (const [op, dt, timer] of ops) {
          id++;
          if (op === 0) {
            // a one-off event (a message), sharing instants with the timers
            a.push(a.now + dt, 1, 100 + timer, id, null);
            b.push(b.now + dt, 1, 100 + timer, id, null);
          } else if (op <= 3) {
            a.cancel(ha[timer]);
            ha[timer] = a.push(a.now + dt, 2, timer, id, null);
            hb[timer] = b.reschedule(hb[timer], b.now + dt, 2, timer, id, null);
          } else {
            // run a little: timers fire (their handles go stale) and time moves on
            const until = a.now + dt;
            a.runUntil(hA, until);
            b.runUntil(hB, until);
          }
          expect(b.pending).toBe(a.pending);
        }
        a.runToQuiescence(hA);
        b.runToQuiescence(hB);
        expect(seenB).toEqual(seenA);
      },
    ), { numRuns: 300 });
    const s = new Scheduler();
    const h = s.push(5, 1, 1, 0, null);
    expect(s.reschedule(h, 3, 1, 2, 0, null)).toBe(h); // moved in place: same handle
    expect(s.pending).toBe(1);
    expect(() => s.reschedule(h, -1, 1, 2, 0, null)).toThrow(/in the past/);
  });

  it("events pushed while running keep order; runUntil stops at the limit and advances now", () => {
    const s = new Scheduler();
    const order: number[] = [];
    s.push(10, 1, 0, 0, null);
    s.runUntil({
      handle: (_k, a, _b, _p, t) => {
        order.push(a);
        if (a < 5) s.push(t + 10, 1, a + 1, 0, null);
      },
    }, 35);
    expect(order).toEqual([0, 1, 2]); // t = 10, 20, 30; t = 40 is past the limit
    expect(s.now).toBe(35);
    expect(s.pending).toBe(1);
    expect(() => s.push(34, 1, 0, 0, null)).toThrow(/in the past/);
  });

  it("a stale handle never cancels a reused slot", () => {
    const s = new Scheduler();
    const h1 = s.push(1, 1, 1, 0, null);
    expect(s.cancel(h1)).toBe(true);
    s.push(2, 1, 2, 0, null); // reuses the slot
    expect(s.cancel(h1)).toBe(false);
    expect(s.pending).toBe(1);
  });

  it("throws a clear error naming the seed when the event budget runs out", () => {
    const s = new Scheduler({ budget: 100, seed: 1234 });
    s.push(0, 1, 0, 0, null);
    const loop: EventHandler = { handle: (_k, _a, _b, _p, t) => void s.push(t + 1, 1, 0, 0, null) };
    expect(() => s.runToQuiescence(loop)).toThrow(BudgetExhaustedError);
    expect(() => s.runToQuiescence(loop)).toThrow(/event budget of 100 exhausted at t=\d+us \(seed 1234\): likely livelock/);
  });

  it("stop predicate halts after the event that satisfied it", () => {
    const s = new Scheduler();
    for (let i = 0; i < 10; i++) s.push(i, 1, i, 0, null);
    const h = collect();
    s.runToQuiescence(h, () => h.seen.length === 3);
    expect(h.seen.length).toBe(3);
  });
});
