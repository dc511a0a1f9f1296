// The Valkey module conformance suite (src/api/valkey-conformance) on raft-module, and on modules
// broken on purpose: each wrapper below breaks one promise of the contract, and the check that
// guards that promise must fail on it (a suite that passes everything proves nothing).
import { describe, expect, it } from "vitest";
import { moduleConformance, runConformance, CONFORMANCE_CHECKS, type ConformanceResult } from "../../src/api/index.js";
import { RAFT_MODULE_DEFAULTS, raftModule } from "../../src/impl/valkey-contract/raft-module/module.js";
import { mintRevision, revisionPayload, type ClusteringModule, type CommandResult, type CoreCallbacks, type GossipScope, type MetadataOp, type ModuleFactory, type Revision, type UpdateResult } from "../../src/impl/valkey-contract/contract.js";

const SEEDS = [1, 2, 3];
const good = raftModule();

/** raft-module with its Core callbacks and/or some of its commands replaced. */
function broken(
  core: (real: CoreCallbacks) => CoreCallbacks,
  cmds: (inner: ClusteringModule) => Partial<ClusteringModule> = () => ({}),
): ModuleFactory {
  return (ctx) => {
    const inner = good({ ...ctx, core: core(bindAll(ctx.core)) } as never);
    return { ...wrapAll(inner), ...cmds(inner) };
  };
}

const same = (real: CoreCallbacks): CoreCallbacks => real;


function result(f: ModuleFactory, name: string): ConformanceResult {
  const check = moduleConformance(f, { seeds: SEEDS }).find((c) => c.name === name)!;
  const r = check.run();
  // Each planted break is found on every seed, not by luck on one.
  expect(r.failures.length, r.failures.join("\n")).toBe(SEEDS.length);
  return r;
}

describe("conformance suite on raft-module", () => {
  it("passes every check on seeds 1-3", () => {
    const results = runConformance(good, { seeds: SEEDS });
    expect(results.map((r) => r.name)).toEqual(CONFORMANCE_CHECKS);
    for (const r of results) expect(r.failures, r.name).toEqual([]);
  }, 120_000);

  it("meets its own lease: a node cut from its shard is OK for at most L = leaseUs after the cut", () => {
    const r = moduleConformance(good, { seeds: SEEDS, ttlBoundUs: RAFT_MODULE_DEFAULTS.leaseUs }).find((c) => c.name === "heartbeat-ttl")!.run();
    expect(r.failures).toEqual([]);
  });

  it("passes every check with 5% message loss and 5% duplication on seeds 1-3", () => {
    for (const r of runConformance(good, { seeds: SEEDS, lossRate: 0.05, dupRate: 0.05 })) expect(r.failures, r.name).toEqual([]);
  }, 120_000);

  it("refuses bad options before running anything, naming the field", () => {
    expect(() => moduleConformance(good, { lossRate: 1.5 })).toThrow(/lossRate must be in \[0, 1\), got 1.5/);
    expect(() => moduleConformance(good, { seeds: [] })).toThrow(/seeds must not be empty/);
    expect(() => moduleConformance(good, { seeds: [1.5] })).toThrow(/seeds must be non-negative integers, got 1.5/);
    expect(() => moduleConformance(good, { ttlBoundUs: 0 })).toThrow(/ttlBoundUs must be a positive/);
    expect(() => moduleConformance(good, { latencyUs: [5, 1] })).toThrow(/latencyUs must be/);
  });
});

describe("conformance suite on broken modules (each must fail its check)", () => {
  it("cas: a module whose CAS ignores the expected revision (it substitutes the current one)", () => {
    const f = broken(same, (inner) => ({
      updateShardLog(ops: readonly MetadataOp[], now: number, done: (r: UpdateResult, now: number) => void) {
        inner.updateShardLog(ops.map((o) => ({ ...o, expectedRevision: inner.readShardLog(o.key)?.revision ?? null })), now, done);
      },
    }));
    const r = result(f, "cas");
    expect(r.ok).toBe(false);
    expect(r.failures.join("\n")).toMatch(/must fail/);
  });

  it("cas: a module whose revision is the value (value-compare CAS, the ABA hazard)", () => {
    // Revisions are {v: value}; a compare passes when the key's current value equals it.
    const byValue = (v: string | null): Revision => mintRevision({ v });
    const f = broken(
      (real) => ({ ...real, notifyShardLogUpdate: (ch, now) => real.notifyShardLogUpdate(ch.map((x) => ({ ...x, revision: x.value === null ? null : byValue(x.value) })), now) }),
      (inner) => ({
        readShardLog: (key: string) => {
          const e = inner.readShardLog(key);
          return e === null ? null : { ...e, revision: byValue(e.value) };
        },
        updateShardLog(ops: readonly MetadataOp[], now: number, done: (r: UpdateResult, now: number) => void) {
          const real = ops.map((o) => {
            if (o.expectedRevision === null) return o;
            const cur = inner.readShardLog(o.key);
            const want = (revisionPayload(o.expectedRevision) as { v: string }).v;
            return { ...o, expectedRevision: cur !== null && cur.value === want ? cur.revision : mintRevision({ stale: true }) };
          });
          inner.updateShardLog(real, now, (r, t) => done(r.kind === "ok" ? { kind: "ok", revisions: ops.map((o) => (o.value === null ? null : byValue(o.value))) } : r, t));
        },
      }),
    );
    const r = result(f, "cas");
    expect(r.failures.join("\n")).toMatch(/revision must change on every write/);
  });

  it("multi-op: a module that applies a multi-op update one op at a time", () => {
    const f = broken(same, (inner) => ({
      updateShardLog(ops: readonly MetadataOp[], now: number, done: (r: UpdateResult, now: number) => void) {
        const revs: UpdateResult[] = [];
        const next = (i: number, t: number): void => {
          if (i === ops.length) {
            const bad = revs.find((x) => x.kind !== "ok");
            return done(bad ?? { kind: "ok", revisions: revs.flatMap((x) => (x.kind === "ok" ? x.revisions : [])) }, t);
          }
          inner.updateShardLog([ops[i]!], t, (x, t2) => {
            revs.push(x.kind === "conflict" ? { ...x, failed: i } : x);
            next(i + 1, t2);
          });
        };
        next(0, now);
      },
    }));
    const r = result(f, "multi-op");
    expect(r.ok).toBe(false);
    expect(r.failures.join("\n")).toMatch(/txn|t1/);
  });

  it("gossip: a module that updates gossip from the bus without notifying the Core", () => {
    let local = false;
    const f = broken(
      (real) => ({ ...real, notifyGossipUpdate: (u, now) => void (local && real.notifyGossipUpdate(u, now)) }),
      (inner) => ({
        updateGossip(scope: GossipScope, ops: readonly MetadataOp[], now: number, done: (r: UpdateResult, now: number) => void) {
          local = true;
          try {
            inner.updateGossip(scope, ops, now, done);
          } finally {
            local = false;
          }
        },
      }),
    );
    const r = result(f, "gossip");
    expect(r.ok).toBe(false);
    expect(r.failures.join("\n")).toMatch(/silent update/);
  });

  it("heartbeat-ttl: a module that keeps renewing the heartbeat without a quorum", () => {
    const f: ModuleFactory = (ctx) => {
      let ttl = 0;
      const real = bindAll(ctx.core);
      const core: CoreCallbacks = { ...real, clusterHeartbeat: (t, now) => void ((ttl = t), real.clusterHeartbeat(t, now)), clusterDown: () => {} };
      const inner = good({ ...ctx, core } as never);
      return {
        ...wrapAll(inner),
        onTick: (now: number) => {
          inner.onTick(now);
          if (ttl > 0) real.clusterHeartbeat(ttl, now); // "renewed" with no write behind it
        },
      };
    };
    const r = result(f, "heartbeat-ttl");
    expect(r.ok).toBe(false);
    expect(r.failures.join("\n")).toMatch(/without a quorum|still OK/);
  });

  it("heartbeat-ttl with late acknowledgements: a TTL counted from the acknowledgement's arrival instead of the send", () => {
    // Only an acknowledgement that crosses the cut late shows this hazard, so it takes delay
    // spikes and is found on some seeds, not all: measured 6 of seeds 1..20 (raft-module: 0; 10
    // before a Raft leader learned to tell a late rejection from a lost entry, 7 before a
    // precandidate stopped counting late PreVote answers of an earlier round: both move runs).
    const L = RAFT_MODULE_DEFAULTS.leaseUs;
    const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
    const opts = { seeds, ttlBoundUs: L, spikeRate: 0.5, spikeUs: 250_000 };
    const ok = moduleConformance(good, opts).find((c) => c.name === "heartbeat-ttl")!.run();
    expect(ok.failures).toEqual([]);
    const late = broken((real) => ({ ...real, clusterHeartbeat: (_ttl, now) => real.clusterHeartbeat(L, now) }));
    const r = moduleConformance(late, opts).find((c) => c.name === "heartbeat-ttl")!.run();
    expect(r.failures.filter((f) => /without a quorum/.test(f)).length).toBe(6);
  }, 120_000);

  it("restart-sync: a module that claims OK as soon as it restarts", () => {
    const f: ModuleFactory = (ctx) => {
      const m = good(ctx as never);
      if (ctx.recovered !== null) ctx.core.clusterHeartbeat(400_000, ctx.now);
      return m;
    };
    const r = result(f, "restart-sync");
    expect(r.ok).toBe(false);
    expect(r.failures.join("\n")).toMatch(/claimed OK/);
  });

  it("remote-failure: a module that never reports a member FAIL", () => {
    const f = broken((real) => ({
      ...bindAll(real),
      updateMembership: (m, now) => real.updateMembership({ shards: m.shards.map((s) => ({ ...s, members: s.members.map((x) => ({ ...x, state: "OK" as const })) })) }, now),
    }));
    const r = result(f, "remote-failure");
    expect(r.ok).toBe(false);
    expect(r.failures.join("\n")).toMatch(/not FAIL everywhere/);
  });

  it("membership: a module that answers RemoveFromShard ok and does nothing", () => {
    const f = broken(same, () => ({
      removeFromShard: (_n: number, _s: string, now: number, done: (r: CommandResult, now: number) => void) => done({ kind: "ok" }, now),
    }));
    const r = result(f, "membership");
    expect(r.failures.join("\n")).toMatch(/still lists it/);
  });

  it("shard-log: a module that forgets its disk on restart", () => {
    const f: ModuleFactory = (ctx) => good({ ...ctx, recovered: null } as never);
    const r = result(f, "shard-log");
    expect(r.ok).toBe(false);
    expect(r.failures.join("\n")).toMatch(/lost|disagree|not told/);
  });
});

function wrapAll(inner: ClusteringModule): ClusteringModule {
  return {
    onMessage: (f, m, n) => inner.onMessage(f, m, n),
    onTick: (n) => inner.onTick(n),
    onPersisted: (t, n) => inner.onPersisted(t, n),
    joinCluster: (a, b, d, n, done) => inner.joinCluster(a, b, d, n, done),
    removeFromCluster: (a, n, done) => inner.removeFromCluster(a, n, done),
    joinShard: (a, b, n, done) => inner.joinShard(a, b, n, done),
    removeFromShard: (a, b, n, done) => inner.removeFromShard(a, b, n, done),
    updateGossip: (sc, ops, n, done) => inner.updateGossip(sc, ops, n, done),
    updateShardLog: (ops, n, done) => inner.updateShardLog(ops, n, done),
    readGossip: (sc, k) => inner.readGossip(sc, k),
    readShardLog: (k) => inner.readShardLog(k),
  };
}

function bindAll(real: CoreCallbacks): CoreCallbacks {
  return {
    updateMembership: (m, n) => real.updateMembership(m, n),
    notifyGossipUpdate: (u, n) => real.notifyGossipUpdate(u, n),
    notifyShardLogUpdate: (c, n) => real.notifyShardLogUpdate(c, n),
    clusterHeartbeat: (t, n) => real.clusterHeartbeat(t, n),
    clusterDown: (n) => real.clusterDown(n),
  };
}
