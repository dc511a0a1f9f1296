// The conformance suite for Valkey Clustering modules (issue 15 part 4): what every module behind
// the contract (src/impl/valkey-contract/contract.ts) must do, checked by running it in the
// deterministic world of world.ts. Vitest-independent: moduleConformance(factory) returns checks
// whose run() reports failures; a user registers them in whatever test runner their CI uses.
//
// Each check is a scripted experiment, run once per seed on a fresh world; the first failure of a
// seed ends that seed. Every check is known to fail on a module broken in the way it targets
// (test/api/valkey-conformance.test.ts plants one per check).
import type { NodeId } from "../../impl/node.js";
import type { ClusteringModule, ClusterPlan, CommandResult, GossipScope, MetadataOp, ModuleFactory, Revision, UpdateResult } from "../../impl/valkey-contract/contract.js";
import { ConformanceWorld, MS, type CoreRecord } from "./world.js";

export interface ConformanceOptions {
  /** Seeds each check runs on (default 1, 2, 3). */
  readonly seeds?: readonly number[];
  /** How long after being cut from its shard's quorum a node's OK state may last at most: the
   * longest heartbeat TTL the module promises (default 1 s). */
  readonly ttlBoundUs?: number;
  /** How long after a crash every live node's Core must see the node FAIL (default 3 s). */
  readonly failBoundUs?: number;
  /** Budget for anything that must eventually happen: warm-up, convergence, recovery (default 5 s). */
  readonly settleUs?: number;
  /** One-way latency bounds of the world's network (default 1-4 ms). */
  readonly latencyUs?: readonly [number, number];
  /** Share of messages lost, and delivered twice (default 0 and 0). */
  readonly lossRate?: number;
  readonly dupRate?: number;
  /** Share of messages delayed by spikeUs more (default 0; spikeUs default 200 ms). */
  readonly spikeRate?: number;
  readonly spikeUs?: number;
}

export interface ConformanceResult {
  readonly name: string;
  readonly ok: boolean;
  readonly seeds: readonly number[];
  /** One line per failing seed, "seed N: what went wrong". */
  readonly failures: readonly string[];
}

export interface ConformanceCheck {
  readonly name: string;
  readonly description: string;
  run(): ConformanceResult;
}

interface Ctx {
  readonly w: ConformanceWorld;
  readonly seed: number;
  readonly ttlBoundUs: number;
  readonly failBoundUs: number;
  readonly settleUs: number;
  /** Message loss, duplication or delay spikes are on. */
  readonly lossy: boolean;
}

class CheckFailed extends Error {}

function fail(msg: string): never {
  throw new CheckFailed(msg);
}

const addr = (n: NodeId): string => `10.0.0.${n}:6379`;
const shardPlan = (sizes: readonly number[]): ClusterPlan => {
  let next = 0;
  return { shards: sizes.map((n, s) => ({ shardId: `shard-${s}`, members: Array.from({ length: n }, () => next++).map((id) => ({ nodeId: id, address: addr(id) })) })) };
};
const ONE_SHARD = shardPlan([3]);
const TWO_SHARDS = shardPlan([3, 3]);

// ---- calling the module ---------------------------------------------------------------------

type Target = "LOG" | GossipScope;

/** One update, run until answered (at most settleUs). */
function once(c: Ctx, node: NodeId, ops: readonly MetadataOp[], target: Target = "LOG"): UpdateResult {
  const h = c.w.host(node);
  let got: UpdateResult | undefined;
  const done = (r: UpdateResult): void => {
    if (got !== undefined) fail(`node ${node}: an update was answered twice`);
    got = r;
  };
  if (target === "LOG") h.module.updateShardLog(ops, c.w.local(node), done);
  else h.module.updateGossip(target, ops, c.w.local(node), done);
  if (!c.w.runUntil(() => got !== undefined, c.settleUs)) fail(`node ${node}: update ${describe(ops)} not answered within ${c.settleUs / MS} ms`);
  return got!;
}

/**
 * An update as a careful Core makes it: retried while it is rejected (no leader yet), and when
 * the answer is "unavailable" (outcome unknown: a lost message, a leader change), resolved by
 * looking: if every op's effect shows in the issuing node's shard log within a second, it applied
 * (answered as ok, with the revisions read there); if not, it is retried — and a retry that
 * conflicts after an unknown outcome is resolved the same way (the first attempt applied late).
 * The checks only write values they never write twice, so an effect seen is this update's.
 */
function update(c: Ctx, node: NodeId, ops: readonly MetadataOp[], target: Target = "LOG"): UpdateResult {
  const end = c.w.now + c.settleUs;
  let unknown = false;
  for (;;) {
    const r = once(c, node, ops, target);
    if (target === "LOG" && (r.kind === "unavailable" || (r.kind === "conflict" && unknown))) {
      unknown = true;
      const seen = appliedHere(c, node, ops);
      if (seen !== null) return seen;
      if (r.kind === "conflict" || c.w.now >= end) return r;
      continue;
    }
    if (r.kind !== "rejected" || c.w.now >= end) return r;
    c.w.run(c.w.now + 20 * MS);
  }
}

/** Did `ops` take effect (as seen on `node` within a second)? ok with the revisions read, or null. */
function appliedHere(c: Ctx, node: NodeId, ops: readonly MetadataOp[]): UpdateResult | null {
  const m = (): ClusteringModule => c.w.host(node).module;
  const visible = (): boolean => ops.every((o) => (m().readShardLog(o.key)?.value ?? null) === o.value);
  if (!c.w.runUntil(visible, 1000 * MS)) return null;
  return { kind: "ok", revisions: ops.map((o) => (o.value === null ? null : m().readShardLog(o.key)!.revision)) };
}

function mustOk(c: Ctx, node: NodeId, ops: readonly MetadataOp[], target: Target = "LOG"): readonly (Revision | null)[] {
  const r = update(c, node, ops, target);
  if (r.kind !== "ok") fail(`node ${node}: ${target} update ${describe(ops)} should succeed, got ${JSON.stringify(r)}`);
  return r.revisions;
}

function mustConflict(c: Ctx, node: NodeId, ops: readonly MetadataOp[], why: string, target: Target = "LOG"): void {
  const r = update(c, node, ops, target);
  if (r.kind !== "conflict") fail(`node ${node}: ${target} update ${describe(ops)} must fail (${why}), got ${r.kind}`);
}

function describe(ops: readonly MetadataOp[]): string {
  return `[${ops.map((o) => `${o.key}=${o.value === null ? "(delete)" : o.value}${o.expectedRevision === null ? " insert" : ""}`).join(", ")}]`;
}

const put = (key: string, value: string | null, expectedRevision: Revision | null): MetadataOp => ({ key, value, expectedRevision });

/** Insert key=value through `node`, retrying an unknown outcome (a request to a leader that just
 * crashed times out as "unavailable"): done once acknowledged, or once a retry conflicts because
 * an earlier attempt applied (the value is on one of `nodes`). */
function insertSurely(c: Ctx, node: NodeId, nodes: readonly NodeId[], key: string, value: string): void {
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = update(c, node, [put(key, value, null)]);
    if (r.kind === "ok") return;
    if (r.kind === "conflict") {
      c.w.run(c.w.now + 100 * MS);
      if (nodes.some((n) => c.w.host(n).module.readShardLog(key)?.value === value)) return;
      fail(`node ${node}: insert of ${key} conflicted, but no node holds ${key}=${value}`);
    }
    c.w.run(c.w.now + 50 * MS);
  }
  fail(`node ${node}: insert ${key}=${value} not acknowledged in 10 attempts with a quorum up`);
}

function waitAllOk(c: Ctx, nodes: readonly NodeId[], what: string): void {
  if (!c.w.runUntil(() => nodes.every((n) => c.w.host(n).up && c.w.core(n).isOk(c.w.now)), c.settleUs)) {
    const down = nodes.filter((n) => !c.w.core(n).isOk(c.w.now));
    fail(`${what}: nodes ${down.join(", ")} got no heartbeat (not OK) within ${c.settleUs / MS} ms`);
  }
}

/** Wait until every listed node's local shard log shows key = value. */
function waitApplied(c: Ctx, nodes: readonly NodeId[], key: string, value: string): void {
  const ok = c.w.runUntil(() => nodes.every((n) => c.w.host(n).module.readShardLog(key)?.value === value), c.settleUs);
  if (!ok) fail(`${key}=${value} did not reach every node's shard log (${nodes.join(", ")}) within ${c.settleUs / MS} ms`);
}

// ---- the checks -----------------------------------------------------------------------------

function casCheck(c: Ctx): void {
  const w = c.w;
  waitAllOk(c, w.nodes(), "warm-up");
  // Shard log: insert with null, a stale revision fails, every write changes the revision.
  const all = w.nodes();
  const [r1] = mustOk(c, 0, [put("k", "v1", null)]);
  if (r1 === null || r1 === undefined) fail("an insert returned no revision");
  mustConflict(c, 0, [put("k", "again", null)], "insert (null revision) of a present key");
  waitApplied(c, [1], "k", "v1");
  // The revision round-trips: the one node 1's Core was notified of works as expected revision.
  const seen = w.core(1).shardLog.get("k");
  if (seen === undefined || seen.value !== "v1") fail("node 1's Core was not notified of k=v1 (notifyShardLogUpdate)");
  // A rewrite of the same value is still a write; a marker in the same update tells when every
  // node has applied it (a value cannot).
  const [r2] = mustOk(c, 1, [put("k", "v1", seen.revision), put("m1", "x", null)]);
  waitApplied(c, all, "m1", "x");
  mustConflict(c, 2, [put("k", "v3", r1)], "the revision before a rewrite of the same value is stale (revision must change on every write)");
  // ABA: v1 -> v2 -> v1 again; the first v1's revision must not match the second.
  const [r3] = mustOk(c, 2, [put("k", "v2", r2!)]);
  mustOk(c, 0, [put("k", "v1", r3!), put("m2", "x", null)]);
  waitApplied(c, all, "m2", "x");
  mustConflict(c, 1, [put("k", "v5", r2!)], "ABA: k went v1 -> v2 -> v1; the first v1's revision is stale (revision must change on every write)");
  const fresh = w.host(0).module.readShardLog("k")!;
  mustOk(c, 0, [put("k", "v4", fresh.revision)]);
  mustConflict(c, 0, [put("k", "v5", fresh.revision)], "the revision before v4");
  waitApplied(c, [0], "k", "v4");
  const cur = w.host(0).module.readShardLog("k")!;
  mustOk(c, 0, [put("k", null, cur.revision)]);
  mustConflict(c, 0, [put("k", "ghost", cur.revision)], "a deleted key's old revision");
  mustOk(c, 0, [put("k", "reborn", null)]);
  // Gossip: the same compare rules against the local view.
  for (const scope of ["GLOBAL", "SHARD"] as const) {
    const [g1] = mustOk(c, 2, [put("gk", "a", null)], scope);
    mustConflict(c, 2, [put("gk", "b", null)], "gossip insert of a present key", scope);
    const [g2] = mustOk(c, 2, [put("gk", "a", g1!)], scope);
    mustConflict(c, 2, [put("gk", "c", g1!)], "gossip revision before a rewrite", scope);
    mustOk(c, 2, [put("gk", "c", g2!)], scope);
  }
}

/** Replays a Core's shard-log calls; `inspect` sees the view after each call. */
function replayViews(core: CoreRecord, inspect: (view: ReadonlyMap<string, string>, at: number) => void): void {
  const view = new Map<string, string>();
  for (const call of core.shardLogCalls) {
    for (const ch of call.changes) {
      if (ch.value === null) view.delete(ch.key);
      else view.set(ch.key, ch.value);
    }
    inspect(view, call.at);
  }
}

function multiOpCheck(c: Ctx): void {
  const w = c.w;
  waitAllOk(c, w.nodes(), "warm-up");
  const [ra0, rb] = mustOk(c, 0, [put("a", "t0", null), put("b", "t0", null)]);
  // A rewrite (ra0 is now stale), with a marker: a same-value write alone cannot be seen applied.
  const [ra] = mustOk(c, 0, [put("a", "t0", ra0!), put("ma", "x", null)]);
  const stale = update(c, 1, [put("c", "t1", null), put("a", "t1", ra0!)]);
  if (stale.kind !== "conflict" || stale.failed !== 1) fail(`a txn whose second op has a stale revision must fail at op 1, got ${JSON.stringify(stale)}`);
  // Concurrent txns comparing on the same revision of a: exactly one may win, all of it.
  const answers: (UpdateResult | undefined)[] = [];
  w.nodes().forEach((n, i) => {
    const tag = `t${n + 2}`;
    const ops = i === 2 ? [put("a", tag, ra!), put("c", tag, null)] : i === 1 ? [put("b", tag, rb!), put("a", tag, ra!)] : [put("a", tag, ra!), put("b", tag, rb!)];
    w.host(n).module.updateShardLog(ops, w.local(n), (r) => void (answers[i] = r));
  });
  w.runUntil(() => answers.filter((a) => a !== undefined).length === w.nodes().length, c.settleUs);
  const wins = answers.filter((a) => a?.kind === "ok").length;
  if (wins > 1) fail(`${wins} concurrent txns on one revision of "a" all succeeded`);
  w.run(w.now + c.settleUs / 2);
  const values = w.nodes().map((n) => ["a", "b", "c"].map((k) => w.host(n).module.readShardLog(k)?.value ?? "-").join(","));
  if (new Set(values).size !== 1) fail(`nodes disagree on a,b,c after settling: ${values.join(" | ")}`);
  const [a, b, cc] = values[0]!.split(",");
  if (cc !== "-" && cc !== a) fail(`c=${cc} but a=${a}: part of a txn applied`);
  if (a !== "t0" && cc === "-" && b !== a) fail(`a=${a} b=${b}: part of a txn applied`);
  if (a === "t0" && (b !== "t0" || cc !== "-")) fail(`a kept t0 but b=${b} c=${cc}: part of a txn applied`);
  if (wins === 1 && a === "t0") fail("a txn was acknowledged but a still holds t0");
  // The failed txn's first op ("c" := t1) must never have been visible; no Core may ever have
  // seen a mixed state of one txn (a txn's changes arrive in one notification).
  for (const n of w.nodes()) {
    replayViews(w.core(n), (view) => {
      if (view.get("c") === "t1") fail(`node ${n}'s Core saw c=t1 from a txn whose compare failed`);
      const va = view.get("a");
      const vb = view.get("b");
      const vc = view.get("c");
      if (va !== undefined && vb !== undefined && va !== vb && vc !== va) fail(`node ${n}'s Core saw a=${va} with b=${vb}: a txn's writes were notified apart`);
    });
  }
}

function shardLogCheck(c: Ctx): void {
  const w = c.w;
  const nodes = w.nodes();
  waitAllOk(c, nodes, "warm-up");
  let ctr = mustOk(c, 0, [put("ctr", "0", null)])[0]!;
  const acked = new Set<number>();
  const unknown = new Set<number>();
  const down = new Set<NodeId>();
  const live = (): NodeId[] => nodes.filter((n) => !down.has(n));
  /** The freshest counter revision among live nodes (values only grow along the CAS chain). */
  const refresh = (): Revision => {
    w.run(w.now + 100 * MS);
    let best: { v: number; r: Revision } | null = null;
    for (const n of live()) {
      const e = w.host(n).module.readShardLog("ctr");
      if (e !== null && (best === null || Number(e.value) > best.v)) best = { v: Number(e.value), r: e.revision };
    }
    return best === null ? ctr : best.r;
  };
  const victim = c.seed % nodes.length;
  for (let i = 1; i <= 24; i++) {
    if (i === 6) (w.crash(victim), down.add(victim));
    if (i === 12) (w.restart(victim), down.delete(victim));
    if (i === 14) (w.crash((victim + 1) % nodes.length), down.add((victim + 1) % nodes.length));
    if (i === 20) (w.restart((victim + 1) % nodes.length), down.delete((victim + 1) % nodes.length));
    const from = live()[i % live().length]!;
    for (let attempt = 0; attempt < 20; attempt++) {
      const r = update(c, from, [put(`d${i}`, `v${i}`, null), put("ctr", String(i), ctr)]);
      if (r.kind === "ok") {
        acked.add(i);
        ctr = r.revisions[1]!;
        break;
      }
      if (r.kind === "unavailable") unknown.add(i);
      if (r.kind === "conflict" && w.host(from).module.readShardLog(`d${i}`) !== null) break; // an earlier attempt applied
      ctr = refresh();
    }
  }
  if (acked.size < 12) fail(`only ${acked.size} of 24 writes acknowledged with at most one of 3 nodes down`);
  // Durable on success: every node down at once, then back from disk.
  for (const n of nodes) w.crash(n);
  w.run(w.now + 50 * MS);
  for (const n of nodes) w.restart(n);
  waitAllOk(c, nodes, "after a full restart");
  w.run(w.now + c.settleUs / 5);
  for (const n of nodes) {
    const m = w.host(n).module;
    for (const i of acked) {
      if (m.readShardLog(`d${i}`)?.value !== `v${i}`) fail(`node ${n}: acknowledged write d${i}=v${i} lost (after crashes of a minority and a full restart)`);
      if (w.core(n).shardLog.get(`d${i}`)?.value !== `v${i}`) fail(`node ${n}'s Core was not told of d${i}=v${i} after its restart`);
      if (JSON.stringify(w.core(n).shardLog.get(`d${i}`)!.revision) !== JSON.stringify(m.readShardLog(`d${i}`)!.revision)) fail(`node ${n}: the Core holds another revision of d${i} than the module`);
    }
    for (let i = 1; i <= 24; i++) {
      if (!acked.has(i) && !unknown.has(i) && m.readShardLog(`d${i}`) !== null) fail(`node ${n}: d${i} present though every attempt was refused`);
    }
  }
  const finals = nodes.map((n) => w.host(n).module.readShardLog("ctr")?.value);
  if (new Set(finals).size !== 1) fail(`nodes disagree on ctr: ${finals.join(", ")}`);
  // Consistent: every Core (every incarnation) saw the counter only move forward.
  for (const n of nodes) {
    for (const core of w.history.get(n)!) {
      let last = -1;
      replayViews(core, (view) => {
        const v = Number(view.get("ctr") ?? -1);
        if (v < last) fail(`node ${n}'s Core saw ctr go back from ${last} to ${v}`);
        last = v;
      });
    }
  }
}

function gossipCheck(c: Ctx): void {
  const w = c.w;
  const nodes = w.nodes();
  const keys: [GossipScope, string][] = [["GLOBAL", "route"], ...w.plan.shards.map((s) => ["SHARD", `${s.shardId}/cfg`] as [GossipScope, string])];
  // Never silently updated: at every instant each Core's view equals its module's local view.
  w.afterEvent = () => {
    for (const n of nodes) {
      const h = w.host(n);
      if (!h.up) continue;
      for (const [scope, key] of keys) {
        const local = h.module.readGossip(scope, key);
        const told = h.core.gossip[scope].get(key);
        const mine = local?.value ?? null;
        if (mine !== (told?.value ?? null)) fail(`node ${n}: ${scope} ${key} is ${mine} locally but the Core was told ${told?.value ?? null} (a silent update)`);
        // Revisions are plain data (contract.ts): the Core must hold the one the module would give.
        if (local !== null && JSON.stringify(local.revision) !== JSON.stringify(told!.revision)) fail(`node ${n}: ${scope} ${key}: the Core was told another revision than the module's (a silent update)`);
      }
    }
  };
  const half = Math.ceil(nodes.length / 2);
  w.partition(nodes.filter((_, i) => i % 2 === 0), nodes.filter((_, i) => i % 2 === 1));
  const write = (n: NodeId, scope: GossipScope, key: string, value: string | null): void => {
    const cur = w.host(n).module.readGossip(scope, key);
    if (value === null && cur === null) return;
    // A gossip CAS is local: against this node's own view it must succeed.
    mustOk(c, n, [put(key, value, cur === null ? null : cur.revision)], scope);
  };
  for (const n of nodes) {
    write(n, "GLOBAL", "route", `n${n}`);
    const shard = w.plan.shards.find((s) => s.members.some((m) => m.nodeId === n))!;
    write(n, "SHARD", `${shard.shardId}/cfg`, `n${n}`);
  }
  w.run(w.now + 300 * MS);
  write(nodes[half]!, "GLOBAL", "route", null);
  write(nodes[0]!, "GLOBAL", "route", "late");
  w.healAll();
  const converged = (): boolean => {
    const g = new Set(nodes.map((n) => w.host(n).module.readGossip("GLOBAL", "route")?.value ?? null));
    if (g.size !== 1) return false;
    return w.plan.shards.every((s) => new Set(s.members.map((m) => w.host(m.nodeId).module.readGossip("SHARD", `${s.shardId}/cfg`)?.value ?? null)).size === 1);
  };
  if (!w.runUntil(converged, c.settleUs)) {
    fail(`gossip did not converge within ${c.settleUs / MS} ms of healing: route = ${nodes.map((n) => w.host(n).module.readGossip("GLOBAL", "route")?.value ?? null).join(", ")}`);
  }
  for (const s of w.plan.shards) {
    if (s.members.every((m) => w.host(m.nodeId).module.readGossip("SHARD", `${s.shardId}/cfg`) === null)) fail(`${s.shardId}/cfg vanished from its shard`);
  }
  w.afterEvent = null;
}

function heartbeatCheck(c: Ctx): void {
  const w = c.w;
  const nodes = w.nodes();
  waitAllOk(c, nodes, "warm-up");
  const calmEnd = w.now + 2000 * MS;
  // Continuity is asked of fault-free runs only: with message loss a few heartbeats in a row can
  // be lost, and a lapse is then a quality-of-service figure, not a broken promise.
  if (!c.lossy) {
    w.afterEvent = () => {
      for (const n of nodes) if (!w.core(n).isOk(w.now)) fail(`node ${n}'s OK state lapsed in a calm run (no fault) at ${w.now / MS} ms`);
    };
  }
  w.run(calmEnd);
  const x = nodes[c.seed % nodes.length]!;
  const others = nodes.filter((n) => n !== x);
  const cutAt = w.now;
  w.partition([x], others);
  w.afterEvent = () => {
    const until = w.core(x).okUntil;
    if (until > cutAt + c.ttlBoundUs) fail(`node ${x}, cut from its shard at ${cutAt / MS} ms, was made OK until ${until / MS} ms: beyond the ${c.ttlBoundUs / MS} ms bound (a heartbeat without a quorum)`);
  };
  w.run(cutAt + c.ttlBoundUs + 500 * MS);
  if (w.core(x).isOk(w.now)) fail(`node ${x} still OK ${(w.now - cutAt) / MS} ms after losing its quorum`);
  w.afterEvent = null;
  waitAllOk(c, others, "the majority side after the cut");
  w.healAll();
  waitAllOk(c, nodes, "after healing");
}

function remoteFailureCheck(c: Ctx): void {
  const w = c.w;
  const nodes = w.nodes();
  waitAllOk(c, nodes, "warm-up");
  for (const n of nodes) for (const m of nodes) if (w.core(n).stateOf(m) === undefined) fail(`node ${n}'s membership does not list node ${m}`);
  // Accuracy (no live connected node FAIL) is asked of fault-free runs only: under loss or delay
  // spikes a timeout detector's false suspicions are a figure to measure, not a broken promise
  // (FAILURE-DETECTION P-FD3: hard in calm runs).
  const noFalseFail = (except: NodeId | null) => () => {
    if (c.lossy) return;
    for (const n of nodes) {
      if (!w.host(n).up) continue;
      for (const m of nodes) if (m !== except && w.core(n).stateOf(m) === "FAIL") fail(`node ${n}'s Core sees node ${m} FAIL though it is up and connected`);
    }
  };
  w.afterEvent = noFalseFail(null);
  w.run(w.now + 1500 * MS);
  const x = nodes[(c.seed * 2) % nodes.length]!;
  const live = nodes.filter((n) => n !== x);
  w.afterEvent = noFalseFail(x);
  w.crash(x);
  if (!w.runUntil(() => live.every((n) => w.core(n).stateOf(x) === "FAIL"), c.failBoundUs)) {
    fail(`node ${x} crashed; after ${c.failBoundUs / MS} ms its state is ${live.map((n) => `${n}:${w.core(n).stateOf(x)}`).join(" ")}, not FAIL everywhere`);
  }
  w.restart(x);
  if (!w.runUntil(() => live.every((n) => w.core(n).stateOf(x) === "OK"), c.settleUs)) {
    fail(`node ${x} restarted; after ${c.settleUs / MS} ms its state is ${live.map((n) => `${n}:${w.core(n).stateOf(x)}`).join(" ")}, not OK everywhere`);
  }
  w.afterEvent = null;
}

function restartSyncCheck(c: Ctx): void {
  const w = c.w;
  const nodes = w.nodes();
  waitAllOk(c, nodes, "warm-up");
  const x = nodes[c.seed % nodes.length]!;
  const others = nodes.filter((n) => n !== x);
  w.crash(x);
  const written: string[] = [];
  for (let i = 0; i < 5; i++) {
    insertSurely(c, others[i % others.length]!, others, `r${i}`, `while-down-${i}`);
    written.push(`r${i}`);
  }
  let checked = false;
  // Hooked before the module is built: a heartbeat from its constructor counts too.
  w.onNewCore = (core, id) => {
    if (id !== x) return;
    core.onHeartbeat = () => {
      if (checked) return;
      checked = true;
      for (const [i, key] of written.entries()) {
        const v = `while-down-${i}`;
        if (core.shardLog.get(key)?.value !== v) fail(`node ${x} claimed OK (heartbeat) after its restart before its Core was told of ${key}=${v}, written while it was down`);
        const m = w.host(x).module as ClusteringModule | undefined; // undefined while its constructor runs
        if (m !== undefined && m.readShardLog(key)?.value !== v) fail(`node ${x} claimed OK after its restart before its shard log held ${key}=${v}`);
      }
    };
  };
  w.restart(x);
  w.onNewCore = null;
  if (!w.runUntil(() => checked, c.settleUs)) fail(`node ${x} never claimed OK (no heartbeat) within ${c.settleUs / MS} ms of its restart`);
}

/** A membership command on `node`, retried on errors (no leader yet, a change pending) until ok. */
function command(c: Ctx, node: NodeId, what: string, call: (m: ClusteringModule, now: number, done: (r: CommandResult) => void) => void): void {
  const end = c.w.now + c.settleUs;
  let last = "";
  while (c.w.now < end) {
    let got: CommandResult | undefined;
    let answers = 0;
    call(c.w.host(node).module, c.w.local(node), (r) => {
      answers++;
      got = r;
    });
    if (!c.w.runUntil(() => got !== undefined, c.settleUs)) fail(`node ${node}: ${what} not answered within ${c.settleUs / MS} ms`);
    c.w.run(c.w.now + MS);
    if (answers !== 1) fail(`node ${node}: ${what} answered ${answers} times`);
    if (got!.kind === "ok") return;
    last = got!.reason;
    c.w.run(c.w.now + 50 * MS);
  }
  fail(`node ${node}: ${what} never succeeded within ${c.settleUs / MS} ms (last: ${last})`);
}

const listed = (core: CoreRecord, shardId: string): NodeId[] => core.membership?.shards.find((s) => s.shardId === shardId)?.members.map((m) => m.nodeId) ?? [];

function membershipCheck(c: Ctx): void {
  const w = c.w;
  const nodes = w.nodes();
  waitAllOk(c, nodes, "warm-up");
  const shard = w.plan.shards[c.seed % w.plan.shards.length]!;
  const ids = shard.members.map((m) => m.nodeId);
  const x = ids[c.seed % ids.length]!;
  const via = ids.find((n) => n !== x)!;
  const others = nodes.filter((n) => n !== x);
  command(c, via, `removeFromShard(${x}, ${shard.shardId})`, (m, now, done) => m.removeFromShard(x, shard.shardId, now, done));
  if (!w.runUntil(() => others.every((n) => !listed(w.core(n), shard.shardId).includes(x)), c.settleUs)) {
    fail(`node ${x} removed from ${shard.shardId}; after ${c.settleUs / MS} ms the membership still lists it on ${others.filter((n) => listed(w.core(n), shard.shardId).includes(x)).join(", ")}`);
  }
  // The shard carries on without it, and its log keeps growing while it is out.
  insertSurely(c, via, ids.filter((n) => n !== x), "while-out", "1");
  if (!w.runUntil(() => !w.core(x).isOk(w.now), c.settleUs)) fail(`node ${x} still OK ${c.settleUs / MS} ms after leaving its shard`);
  command(c, via, `joinShard(${x}, ${shard.shardId})`, (m, now, done) => m.joinShard(x, shard.shardId, now, done));
  if (!w.runUntil(() => nodes.every((n) => listed(w.core(n), shard.shardId).includes(x)) && w.core(x).isOk(w.now), c.settleUs)) {
    fail(`node ${x} rejoined ${shard.shardId}; after ${c.settleUs / MS} ms it is listed on ${nodes.filter((n) => listed(w.core(n), shard.shardId).includes(x)).join(", ") || "no node"} and ${w.core(x).isOk(w.now) ? "is" : "is not"} OK`);
  }
  if (w.core(x).shardLog.get("while-out")?.value !== "1") fail(`node ${x} rejoined and is OK without the write made while it was out`);
}

interface Def {
  readonly name: string;
  readonly description: string;
  readonly plan: ClusterPlan;
  readonly body: (c: Ctx) => void;
}

const CHECKS: readonly Def[] = [
  { name: "cas", plan: ONE_SHARD, body: casCheck, description: "shard log and gossip CAS: insert with null, a stale revision fails, the revision changes on every write (also a rewrite of the same value), a revision round-trips through the Core, a deleted key's revision is stale" },
  { name: "multi-op", plan: ONE_SHARD, body: multiOpCheck, description: "multi-op shard-log updates are all or nothing: a failing compare applies nothing, of concurrent txns on one revision at most one wins, and no Core ever sees half of one" },
  { name: "shard-log", plan: ONE_SHARD, body: shardLogCheck, description: "the shard log keeps every acknowledged write through crashes of a minority and a full restart, applies nothing that was refused, and every Core sees one order" },
  { name: "gossip", plan: TWO_SHARDS, body: gossipCheck, description: "gossip written concurrently on both sides of a partition converges after healing (GLOBAL on every node, SHARD in its shard), and no Core's view ever differs from its module's (every winner notified)" },
  { name: "heartbeat-ttl", plan: ONE_SHARD, body: heartbeatCheck, description: "heartbeats keep every node OK in a calm run (fault-free runs); a node cut from its shard's quorum is OK for at most the TTL bound and then down; the majority side and the healed node become OK again" },
  { name: "remote-failure", plan: TWO_SHARDS, body: remoteFailureCheck, description: "membership lists every node; no live connected node is FAIL (in fault-free runs); a crashed node is FAIL on every live node (both shards) within the bound, and OK again after its restart" },
  { name: "membership", plan: TWO_SHARDS, body: membershipCheck, description: "RemoveFromShard and JoinShard are answered once, ok: the removed node leaves every node's membership and its OK state, the shard keeps taking writes; rejoined, it is listed everywhere again and OK only with the writes made while it was out" },
  { name: "restart-sync", plan: ONE_SHARD, body: restartSyncCheck, description: "a restarted node claims OK (its first heartbeat) only once its shard log and its Core hold every write made while it was down" },
];

/** The suite's checks for a module built by `factory`. Run each with run(); nothing is run before. */
export function moduleConformance(factory: ModuleFactory<any, any>, opts: ConformanceOptions = {}): ConformanceCheck[] {
  const seeds = opts.seeds ?? [1, 2, 3];
  validate(opts, seeds);
  return CHECKS.map((d) => ({
    name: d.name,
    description: d.description,
    run(): ConformanceResult {
      const failures: string[] = [];
      for (const seed of seeds) {
        const w = new ConformanceWorld({
          seed,
          plan: d.plan,
          factory,
          ...(opts.latencyUs === undefined ? {} : { latencyUs: opts.latencyUs }),
          ...(opts.lossRate === undefined ? {} : { lossRate: opts.lossRate }),
          ...(opts.dupRate === undefined ? {} : { dupRate: opts.dupRate }),
          ...(opts.spikeRate === undefined ? {} : { spikeRate: opts.spikeRate, spikeUs: opts.spikeUs ?? 200 * MS }),
        });
        const c: Ctx = { w, seed, ttlBoundUs: opts.ttlBoundUs ?? 1000 * MS, failBoundUs: opts.failBoundUs ?? 3000 * MS, settleUs: opts.settleUs ?? 5000 * MS, lossy: (opts.lossRate ?? 0) > 0 || (opts.dupRate ?? 0) > 0 || (opts.spikeRate ?? 0) > 0 };
        try {
          d.body(c);
        } catch (e) {
          // A module that throws fails the check too; the message says where.
          failures.push(`seed ${seed}: ${e instanceof CheckFailed ? e.message : `the module threw: ${e instanceof Error ? e.message : String(e)}`} (at ${w.now / MS} ms)`);
        }
      }
      return { name: d.name, ok: failures.length === 0, seeds, failures };
    },
  }));
}

/** Options are checked before anything runs: a RangeError names the field and the problem. */
function validate(o: ConformanceOptions, seeds: readonly number[]): void {
  if (seeds.length === 0) throw new RangeError("conformance: seeds must not be empty");
  for (const s of seeds) if (!(Number.isSafeInteger(s) && s >= 0)) throw new RangeError(`conformance: seeds must be non-negative integers, got ${s}`);
  for (const k of ["ttlBoundUs", "failBoundUs", "settleUs", "spikeUs"] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new RangeError(`conformance: ${k} must be a positive number of µs, got ${v}`);
  }
  for (const k of ["lossRate", "dupRate", "spikeRate"] as const) {
    const v = o[k];
    if (v !== undefined && !(v >= 0 && v < 1)) throw new RangeError(`conformance: ${k} must be in [0, 1), got ${v}`);
  }
  const l = o.latencyUs;
  if (l !== undefined && !(Number.isSafeInteger(l[0]) && Number.isSafeInteger(l[1]) && l[0] >= 0 && l[0] <= l[1])) {
    throw new RangeError(`conformance: latencyUs must be [min, max] integers with 0 <= min <= max, got [${l.join(", ")}]`);
  }
}

/** Run every check; the results in the suite's order. */
export function runConformance(factory: ModuleFactory<any, any>, opts: ConformanceOptions = {}): ConformanceResult[] {
  return moduleConformance(factory, opts).map((c) => c.run());
}

/** The names of the suite's checks, in order. */
export const CONFORMANCE_CHECKS: readonly string[] = CHECKS.map((d) => d.name);
