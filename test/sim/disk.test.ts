import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Disk } from "../../src/sim/kernel/disk.js";
import { Rng } from "../../src/sim/kernel/rng.js";
import { Scheduler } from "../../src/sim/kernel/scheduler.js";
import { Ev } from "../../src/sim/kernel/events.js";

function setup(seed: number, lossMode: "all" | "prefix" | "torn" = "all", readCorruptP = 0) {
  const s = new Scheduler();
  const d = new Disk<number>(0, s, Rng.root(seed), { fsyncMedianUs: 1000, fsyncSigma: 0.8, lossMode, readCorruptP });
  const run = (until: number) =>
    s.runUntil({ handle: (k, _a, b) => { if (k === Ev.fsync) d.complete(b); } }, until);
  return { s, d, run };
}

describe("Disk", () => {
  it("a crash loses exactly the unsynced writes (mode all)", () => {
    fc.assert(fc.property(fc.nat(), fc.array(fc.tuple(fc.nat({ max: 3 }), fc.boolean(), fc.nat({ max: 3000 })), { maxLength: 30 }), (seed, writes) => {
      const { s, d, run } = setup(seed);
      let n = 0;
      for (const [count, sync, gap] of writes) {
        d.append(Array.from({ length: count }, () => n++), sync);
        run(s.now + gap);
      }
      const durable = d.durableLength;
      const loss = d.crash();
      expect(loss.lost).toBe(n - durable);
      const rec = d.recover();
      expect(rec.records).toEqual(Array.from({ length: durable }, (_, i) => i));
      expect(rec.corruptFrom).toBe(durable);
      expect(s.pending).toBe(0); // pending fsyncs cancelled
    }));
  });

  it("a stall holds the fsyncs in flight and those started during it until its end, in order; a shorter stall does not shorten it; ending it early releases them now", () => {
    const { s, d } = setup(3);
    const done: [number, number][] = []; // (token, time)
    const run = (until: number) => s.runUntil({ handle: (k, _a, b, _p, t) => { if (k === Ev.fsync) { d.complete(b); done.push([b, t]); } } }, until);
    d.append([1], true); // in flight when the stall begins
    run(10);
    d.stall(50_000);
    d.append([2], true); // started during it
    run(20_000);
    d.stall(30_000); // a shorter one meanwhile: the stall still ends at 50 ms
    d.append([3], true);
    run(49_999);
    expect(done).toEqual([]);
    expect(d.durableLength).toBe(0);
    expect(d.pendingFsyncs).toBe(3);
    run(50_000);
    expect(done).toEqual([[1, 50_000], [2, 50_000], [3, 50_000]]);
    expect(d.durableLength).toBe(3);
    // Ended early (heal-all): what it held completes at once; a later fsync is not held.
    d.stall(200_000);
    d.append([4], true);
    d.append([5], true);
    run(60_000);
    d.stall(0);
    expect(d.stalledUntil).toBe(0);
    run(60_000);
    expect(done.slice(3)).toEqual([[4, 60_000], [5, 60_000]]);
    d.append([6], true);
    run(1e9);
    expect(done[5][0]).toBe(6);
    expect(done[5][1]).toBeLessThan(200_000);
  });

  it("fsyncs complete in order and cover everything appended before they began", () => {
    const { d, run } = setup(9);
    const t1 = d.append([1], false);
    const t2 = d.append([2], true);
    const t3 = d.append([3], true);
    expect([t1, t2, t3]).toEqual([1, 2, 3]);
    expect(d.durableLength).toBe(0);
    run(1e9);
    expect(d.durableLength).toBe(3);
    expect(() => d.complete(7)).toThrow(/out of order/);
  });

  it("prefix mode keeps a prefix of the unsynced tail; torn mode reports corruptFrom", () => {
    for (let seed = 0; seed < 50; seed++) {
      const p = setup(seed, "prefix");
      p.d.append([1, 2], true);
      p.run(1e9);
      p.d.append([3, 4, 5], false);
      p.d.crash();
      const rp = p.d.recover();
      expect(rp.records.slice(0, 2)).toEqual([1, 2]);
      expect(rp.records).toEqual([1, 2, 3, 4, 5].slice(0, rp.records.length));
      expect(rp.corruptFrom).toBe(rp.records.length);

      const t = setup(seed, "torn");
      t.d.append([1, 2], true);
      t.run(1e9);
      t.d.append([3, 4, 5], false);
      t.d.crash();
      const rt = t.d.recover();
      expect(rt.corruptFrom).toBeGreaterThanOrEqual(2);
      if (rt.records.length > 2) expect(rt.corruptFrom).toBe(rt.records.length - 1); // the last kept one is torn
      expect(t.d.length).toBe(rt.corruptFrom); // the disk truncated at the bad record
    }
  });

  it("read corruption marks a durable record bad", () => {
    const { d, run } = setup(1, "all", 1);
    d.append([1, 2, 3, 4], true);
    run(1e9);
    d.crash();
    const r = d.recover();
    expect(r.corruptFrom).toBeLessThan(4);
  });
});
