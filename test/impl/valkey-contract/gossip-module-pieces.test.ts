// gossip-module's pieces on their own: the epoch log's collision resolution and causal apply
// (epoch-log.ts), the failure detector's PFAIL / failure reports / FAIL (failure-reports.ts), and
// the shard-log write protocol (writes.ts) — including the scenario that makes it "less correct"
// than a log: a committed write whose COMMIT is held back past the lock timeout is overtaken by a
// write on the same revision and lost by the collision rule.
import { describe, expect, it } from "vitest";
import { EpochLog, type LogChange, type Stamp, type Txn } from "../../../src/impl/valkey-contract/gossip-module/epoch-log.js";
import { FailureReports } from "../../../src/impl/valkey-contract/gossip-module/failure-reports.js";
import { ShardWrites, type WriteMsg, type WriteResult } from "../../../src/impl/valkey-contract/gossip-module/writes.js";

const st = (e: number, n: number): Stamp => ({ e, n });
let seq = 0;
const txn = (e: number, n: number, writes: [string, string | null, Stamp | null][], cs = ++seq): Txn => ({ id: `${n}.${e}.${cs}`, e, n, cs, writes: writes.map(([key, value, base]) => ({ key, value, base, seen: base })) });

/** All orders of a list. */
function perms<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe("epoch-log: collision resolution", () => {
  it("two committed writes on one revision: the higher (epoch, node id) wins on every member, in any arrival order", () => {
    const base = txn(1, 0, [["k", "v0", null]]);
    const a = txn(5, 1, [["k", "A", st(1, 0)]]);
    const b = txn(5, 2, [["k", "B", st(1, 0)]]); // same epoch: node id 2 > 1 decides
    const c = txn(4, 9, [["k", "C", st(1, 0)]]); // a higher node id does not beat a higher epoch
    const finals = perms([a, b, c]).map((order) => {
      const log = new EpochLog();
      log.commit(base);
      for (const t of order) log.commit(t);
      return `${log.get("k")!.value}@${log.get("k")!.e}.${log.get("k")!.n}`;
    });
    expect(new Set(finals)).toEqual(new Set(["B@5.2"]));
  });

  it("arrival order alone does not decide: the loser arriving last changes nothing (no change to notify)", () => {
    const log = new EpochLog();
    log.commit(txn(1, 0, [["k", "v0", null]]));
    expect(log.commit(txn(5, 2, [["k", "B", st(1, 0)]]))).toEqual([[{ key: "k", value: "B", stamp: st(5, 2) }]]);
    expect(log.commit(txn(5, 1, [["k", "A", st(1, 0)]]))).toEqual([]);
    expect(log.get("k")!.value).toBe("B");
  });

  it("a write whose base has not arrived waits for it, then both apply in order, each txn whole", () => {
    const log = new EpochLog();
    const t1 = txn(1, 0, [["a", "1", null], ["b", "1", null]]);
    const t2 = txn(2, 1, [["a", "2", st(1, 0)], ["b", "2", st(1, 0)]]);
    expect(log.commit(t2)).toEqual([]);
    expect(log.deferredCount()).toBe(1);
    expect(log.get("a")).toBeNull();
    const groups = log.commit(t1);
    expect(groups.map((g: LogChange[]) => g.map((c) => `${c.key}=${c.value}`))).toEqual([["a=1", "b=1"], ["a=2", "b=2"]]);
    expect(log.deferredCount()).toBe(0);
  });

  it("compare: an insert needs the key absent (a tombstone is absent), a stale or foreign revision fails", () => {
    const log = new EpochLog();
    log.commit(txn(1, 0, [["k", "v", null]]));
    expect(log.compare([{ key: "k", base: null }])).toEqual({ failed: 0, current: st(1, 0) });
    expect(log.compare([{ key: "x", base: null }, { key: "k", base: st(1, 0) }])).toBeNull();
    expect(log.compare([{ key: "x", base: null }, { key: "k", base: st(1, 1) }])).toEqual({ failed: 1, current: st(1, 0) });
    expect(log.compare([{ key: "k", base: "bad" }])?.failed).toBe(0);
    log.commit(txn(2, 0, [["k", null, st(1, 0)]]));
    expect(log.compare([{ key: "k", base: null }])).toBeNull();
    expect(log.compare([{ key: "k", base: st(1, 0) }])).toEqual({ failed: 0, current: null });
    // Behind: the writer saw the tombstone (2,0); a member still at (1,0) must not vote conflict.
    const lagging = new EpochLog();
    lagging.commit(txn(1, 0, [["k", "v", null]]));
    expect(lagging.behind([{ key: "k", base: null, seen: st(2, 0) }])).toBe(true);
    expect(log.behind([{ key: "k", base: null, seen: st(2, 0) }])).toBe(false);
  });

  it("anti-entropy: a member's knowledge is the contiguous commit numbers per writer; missing() is the rest", () => {
    const log = new EpochLog();
    const t = [1, 2, 3].map((cs) => txn(cs, 4, [[`k${cs}`, "v", null]], cs));
    log.commit(t[0]!);
    log.commit(t[2]!);
    expect(log.vector()).toEqual([[4, 1]]);
    expect(log.missing([[4, 1]]).map((x) => x.cs)).toEqual([3]);
    expect(log.missing([]).map((x) => x.cs)).toEqual([1, 3]);
    log.commit(t[1]!);
    expect(log.vector()).toEqual([[4, 3]]);
    expect(() => log.commit({ ...t[0]!, id: "x", cs: 0 })).toThrow(/without a commit number/);
  });
});

describe("failure-reports: PFAIL, failure reports, FAIL", () => {
  const T = 800;
  const fd = (n = 5): FailureReports => new FailureReports(0, Array.from({ length: n }, (_, i) => i), T, 2 * T, 0);

  it("PFAIL only once a ping has been pending longer than T; a PONG clears it", () => {
    const f = fd();
    f.onPingSent(1, 100);
    f.check(100 + T, 5);
    expect(f.state(1)).toBe("OK");
    f.check(101 + T, 5);
    expect(f.state(1)).toBe("PFAIL");
    f.onPong(1, 1000);
    expect(f.state(1)).toBe("OK");
    expect(f.nextEdge(1000)).toBe(Number.POSITIVE_INFINITY);
  });

  it("FAIL needs its own PFAIL plus reports making a majority of the cluster's nodes (3 of 5)", () => {
    const f = fd();
    f.onPingSent(1, 0);
    f.check(T + 1, 5);
    f.onGossip(2, [[1, 1]], T + 1);
    expect(f.check(T + 2, 5)).toEqual([]); // self + one report = 2 of 5
    expect(f.state(1)).toBe("PFAIL");
    f.onGossip(3, [[1, 2]], T + 3); // a FAIL flag is a report too
    expect(f.check(T + 4, 5)).toEqual([1]);
    expect(f.state(1)).toBe("FAIL");
    expect(f.check(T + 5, 5)).toEqual([]); // broadcast once
  });

  it("no FAIL from reports alone (no local PFAIL), from expired reports, from withdrawn reports, or from a node about itself", () => {
    const f = fd();
    f.onGossip(2, [[1, 1]], 0);
    f.onGossip(3, [[1, 1]], 0);
    f.onGossip(1, [[1, 1]], 0); // node 1 about itself: ignored
    expect(f.reportCount(1, 0)).toBe(2);
    expect(f.check(1, 5)).toEqual([]); // no local PFAIL
    f.onPingSent(1, 0);
    expect(f.check(3 * T, 5)).toEqual([]); // PFAIL now, but both reports are older than 2T
    f.onGossip(2, [[1, 1]], 3 * T);
    f.onGossip(3, [[1, 0]], 3 * T); // node 3 withdraws: clean flag
    expect(f.check(3 * T + 1, 5)).toEqual([]);
    f.onGossip(4, [[1, 1]], 3 * T + 2);
    expect(f.check(3 * T + 3, 5)).toEqual([1]);
  });

  it("a FAIL message sets FAIL at once; a PONG clears it", () => {
    const f = fd();
    f.onFail(3);
    expect(f.state(3)).toBe("FAIL");
    expect(f.flags()).toContainEqual([3, 2]);
    f.onPong(3, 10);
    expect(f.state(3)).toBe("OK");
  });
});

/** Three ShardWrites on a hand-driven network: messages wait in a queue until delivered. */
function shard(lockTimeoutUs = 1000) {
  const members = [0, 1, 2];
  const queue: { from: number; to: number; m: WriteMsg }[] = [];
  const told = new Map<number, string[]>();
  const w = members.map((id) => {
    told.set(id, []);
    return new ShardWrites(
      {
        self: id,
        rng: { int: (lo) => lo, float: () => 0 },
        members: () => members,
        send: (to, m) => queue.push({ from: id, to, m }),
        persist: (_rec, then) => then(0),
        applied: (groups) => told.get(id)!.push(...groups.flat().map((c) => `${c.key}=${c.value}`)),
      },
      new EpochLog(),
      { requestTimeoutUs: 10_000, resendEveryUs: 10_000, lockTimeoutUs },
    );
  });
  const deliver = (now: number, drop: (x: { from: number; to: number; m: WriteMsg }) => boolean = () => false): void => {
    while (queue.length > 0) {
      const x = queue.shift()!;
      if (drop(x)) continue;
      const t = w[x.to]!;
      const m = x.m;
      if (m.type === "gprop") t.onPropose(x.from, m.txn, now);
      else if (m.type === "gvote") t.onVote(x.from, m, now);
      else if (m.type === "gcommit") t.onCommit(x.from, m.txn, now);
      else if (m.type === "gcommitted") t.onCommitted(x.from, m, now);
      else t.onAbort(m.id);
    }
  };
  return { w, deliver, told };
}

describe("writes: the shard-log protocol", () => {
  const write = (s: ReturnType<typeof shard>, node: number, key: string, value: string, base: Stamp | null, now: number, drop?: Parameters<ReturnType<typeof shard>["deliver"]>[1]): WriteResult | undefined => {
    let got: WriteResult | undefined;
    s.w[node]!.request([{ key, value, base }], now, (r) => void (got = r));
    s.deliver(now, drop);
    return got;
  };

  it("acknowledges once a majority has the commit; a write on the old revision then conflicts", () => {
    const s = shard();
    const r0 = write(s, 0, "k", "v0", null, 0);
    expect(r0?.kind).toBe("ok");
    const base = r0!.kind === "ok" ? r0!.stamps[0]! : null;
    expect(write(s, 1, "k", "A", base, 10)?.kind).toBe("ok");
    expect(write(s, 2, "k", "B", base, 20)).toMatchObject({ kind: "conflict", failed: 0 });
    for (const n of [0, 1, 2]) expect(s.w[n]!.log.get("k")!.value).toBe("A");
  });

  it("without a majority (two members unreachable) nothing is acknowledged, and the deadline says rejected", () => {
    const s = shard();
    expect(write(s, 0, "k", "v0", null, 0, (x) => x.m.type === "gprop")).toBeUndefined();
    let got: WriteResult | undefined;
    s.w[0]!.request([{ key: "j", value: "x", base: null }], 0, (r) => void (got = r));
    s.deliver(0, () => true);
    expect(got).toBeUndefined();
    s.w[0]!.poll(10_000);
    expect(got).toMatchObject({ kind: "rejected" });
  });

  it("less correct than a log: a committed write whose COMMIT is held back past the lock timeout is overtaken on the same revision and lost", () => {
    const s = shard(1000);
    const r0 = write(s, 0, "k", "v0", null, 0);
    const base = r0!.kind === "ok" ? r0!.stamps[0]! : null;
    // Node 0's write A gathers a majority and commits on node 0 (its Core sees k=A), but every
    // COMMIT from node 0 is lost: nobody else learns the decision.
    expect(write(s, 0, "k", "A", base, 100, (x) => x.from === 0 && x.m.type === "gcommit")).toBeUndefined();
    expect(s.told.get(0)).toContain("k=A");
    // Before the lock timeout the others refuse a write on the same revision (busy: A is pending)...
    expect(write(s, 1, "k", "B", base, 200, (x) => x.to === 0)).toBeUndefined();
    s.w[1]!.poll(10_200);
    // ...after it, the locks are released and B commits on the revision A was written against.
    for (const n of [1, 2]) s.w[n]!.poll(20_000);
    expect(write(s, 1, "k", "B", base, 20_000, (x) => x.to === 0)?.kind).toBe("ok");
    // A reaches the others later (anti-entropy); the collision rule keeps B, the higher epoch,
    // everywhere: A, committed and shown to node 0's Core, is gone.
    const a = s.w[0]!.log.missing([]).find((t) => t.n === 0 && t.writes[0]!.value === "A")!;
    const b = s.w[1]!.log.missing([]).find((t) => t.writes[0]!.value === "B")!;
    for (const n of [1, 2]) s.w[n]!.learn(a, 20_001);
    s.w[0]!.learn(b, 20_001);
    for (const n of [0, 1, 2]) expect(s.w[n]!.log.get("k")!.value).toBe("B");
    expect(s.told.get(0)!.filter((x) => x.startsWith("k="))).toEqual(["k=v0", "k=A", "k=B"]);
  });
});
