// Named files on the simulated disk: write / fsync / atomic rename, what a crash keeps, WAL
// segments dropped after a durable snapshot, backups and restore.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Disk } from "../../src/sim/kernel/disk.js";
import { Rng } from "../../src/sim/kernel/rng.js";
import { Scheduler } from "../../src/sim/kernel/scheduler.js";
import { Ev } from "../../src/sim/kernel/events.js";

function setup(seed: number, lossMode: "all" | "prefix" | "torn" = "all") {
  const s = new Scheduler();
  const d = new Disk<number>(0, s, Rng.root(seed), { fsyncMedianUs: 1000, fsyncSigma: 0.8, lossMode, readCorruptP: 0 });
  const run = (dt: number) => s.runUntil({ handle: (k, _a, b) => { if (k === Ev.fsync) d.complete(b); } }, s.now + dt);
  return { s, d, run };
}

describe("Disk named files", () => {
  it("an unsynced file write is lost in a crash; a synced one survives", () => {
    const { d, run } = setup(1);
    d.writeFile("a", { v: 1 });
    d.syncFile();
    run(1e9);
    d.writeFile("b", { v: 2 });
    d.writeFile("a", { v: 3 });
    expect(d.readFile("a")).toEqual({ v: 3 });
    d.crash();
    const r = d.recover();
    expect(r.files).toEqual(new Map([["a", { v: 1 }]]));
    expect(d.readFile("b")).toBeUndefined();
  });

  it("fsync tokens share the WAL's sequence and complete in order (a barrier)", () => {
    const { d, run } = setup(2);
    const t1 = d.append([1], false);
    d.writeFile("f", "x");
    const t2 = d.syncFile();
    expect(t2).toBe(t1 + 1);
    run(1e9);
    expect(d.durableLength).toBe(1);
    expect(d.durableFile("f")).toBe("x");
  });

  it("an unsynced rename is lost whole: the name keeps the old file (mode all)", () => {
    const { d, run } = setup(3);
    d.writeFile("snap", "old");
    d.syncFile();
    run(1e9);
    d.writeFile("snap.tmp", "new");
    d.renameFile("snap.tmp", "snap");
    expect(d.readFile("snap")).toBe("new");
    d.crash();
    expect(d.recover().files).toEqual(new Map([["snap", "old"]]));
  });

  it("rename is atomic under every loss mode: the name holds the old or the new file, never a mix", () => {
    fc.assert(fc.property(fc.nat(), fc.constantFrom("all" as const, "prefix" as const, "torn" as const), (seed, mode) => {
      const { d, run } = setup(seed, mode);
      d.writeFile("snap", "old");
      d.append([1], true);
      run(1e9);
      d.append([2, 3], false); // base records of the new snapshot
      d.writeFile("snap.tmp", "new");
      d.renameFile("snap.tmp", "snap");
      d.append([4], false); // written after the rename
      d.crash();
      const r = d.recover();
      const snap = r.files!.get("snap");
      expect(["old", "new"]).toContain(snap);
      // What survives is the state after a prefix of the operations, in issue order.
      if (snap === "new") expect(r.records.slice(0, 3)).toEqual([1, 2, 3]);
      if (r.records.length === 4 && r.corruptFrom === 4) expect(snap).toBe("new");
      expect(r.files!.has("snap.tmp")).toBe(snap === "old" && r.files!.has("snap.tmp"));
    }), { numRuns: 200 });
  });

  it("dropWalBefore deletes durable segments, takes a backup; restore brings an old state back", () => {
    const { d, run } = setup(4);
    d.append([1, 2], true);
    run(1e9);
    const b = d.rotateWal();
    d.append([3], false);
    d.writeFile("snap", "s1");
    d.syncFile();
    run(1e9);
    d.dropWalBefore(b);
    expect(d.contents()).toEqual([3]);
    expect(d.backupCount()).toBe(1);
    const b2 = d.rotateWal();
    d.append([4, 5], true);
    d.writeFile("snap", "s2");
    d.syncFile();
    run(1e9);
    d.dropWalBefore(b2);
    expect(d.contents()).toEqual([4, 5]);
    d.append([6], true);
    run(1e9);
    expect(() => d.dropWalBefore(d.rotateWal() + 5)).toThrow(/not durable/);
    d.crash();
    d.restore(d.backup(2), { name: "RESTORED", data: 7 });
    const r = d.recover();
    expect(r.records).toEqual([3]);
    expect(r.files).toEqual(new Map<string, unknown>([["snap", "s1"], ["RESTORED", 7]]));
    expect(d.backupCount()).toBe(1); // the newer backup describes a future this disk no longer has
    d.crash();
    d.restore(null, null); // no backup: the initial empty disk
    expect(d.recover()).toEqual({ records: [], corruptFrom: 0, files: new Map() });
  });
});
