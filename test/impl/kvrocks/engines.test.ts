// The controller's storage-engine interface (src/impl/kvrocks/engine.ts) against both engines:
// the embedded Raft group among three controllers and the external etcd-like store node, in a
// small event-driven network with 1 ms links. get, exists, set, delete, cas, list, leader-change
// notifications, confirm, isReady and close, and what each engine does when cut off.
import { describe, expect, it } from "vitest";
import type { NodeEnv, Recovered } from "../../../src/impl/node.js";
import type { StorageEngine, EngineReply } from "../../../src/impl/kvrocks/engine.js";
import { EmbeddedEngine } from "../../../src/impl/kvrocks/embedded-engine.js";
import { ExternalEngine } from "../../../src/impl/kvrocks/external-engine.js";
import { StoreNode } from "../../../src/impl/kvrocks/store-node.js";
import { DEFAULT_TIMING } from "../../../src/impl/kvrocks/types.js";
import { mulberry32, options } from "../raft/harness.js";

const MS = 1000;
const S = 1_000_000;
const STORE = 3;

interface Ev { at: number; seq: number; kind: "msg" | "tick" | "sync"; to: number; from: number; msg?: unknown; token?: number }
interface Host { onMessage(from: number, m: unknown, now: number): void; onTick(now: number): void; onPersisted(token: number, now: number): void }

class Net {
  now = 0;
  private seq = 0;
  private readonly q: Ev[] = [];
  readonly hosts: Host[] = [];
  readonly engines: StorageEngine[] = [];
  readonly cut = new Set<string>();
  readonly changes: [number, boolean, number][] = [];
  private readonly gen: number[] = [];

  constructor(readonly kind: "embedded" | "external", readIndex = true) {
    for (let id = 0; id < 3; id++) {
      const env = this.env(id);
      const mux = { at: Number.NaN };
      const wake = (t: number) => {
        mux.at = t;
        env.wakeAt(t);
      };
      const e: StorageEngine =
        kind === "embedded"
          ? new EmbeddedEngine(id, { raft: options([0, 1, 2], { electionMinUs: 150 * MS, electionMaxUs: 300 * MS, heartbeatUs: 50 * MS }), dedupSessions: true, maxPending: 64 }, env, wake, null, 0, readIndex, 3 * S, 1 * S)
          : new ExternalEngine({ self: id, store: STORE, timing: DEFAULT_TIMING, quorumCheck: true, sessionFromReceipt: false, idBase: 1 + id * 1_000_000 }, (to, m) => env.send(to, m), wake, 0);
      e.onLeaderChange((leading, epoch) => this.changes.push([id, leading, epoch]));
      this.engines.push(e);
      this.hosts.push({ onMessage: (f, m, t) => e.onMessage(f, m, t), onTick: (t) => e.onTick(t), onPersisted: (k, t) => e.onPersisted(k, t) });
    }
    const senv = this.env(STORE);
    const store = new StoreNode(senv as never, null as Recovered<never> | null, 0);
    this.hosts.push({ onMessage: (f, m, t) => store.onMessage(f, m as never, t), onTick: (t) => store.onTick(t), onPersisted: (k) => store.onPersisted(k) });
  }

  private env(id: number): NodeEnv<unknown, unknown, never> {
    let token = 0;
    this.gen[id] = 0;
    return {
      id,
      rng: mulberry32(id * 17 + 3),
      send: (to, msg) => this.push({ at: this.now + MS, kind: "msg", to, from: id, msg }),
      persist: (_r, sync) => {
        const t = ++token;
        if (sync) this.push({ at: this.now + 300, kind: "sync", to: id, from: id, token: t });
        return t;
      },
      writeFile: () => {},
      renameFile: () => {},
      deleteFile: () => {},
      syncFile: () => {
        const t = ++token;
        this.push({ at: this.now + 300, kind: "sync", to: id, from: id, token: t });
        return t;
      },
      rotateWal: () => 0,
      dropWalBefore: () => {},
      reply: () => {},
      wakeAt: (local) => {
        this.gen[id]!++;
        this.push({ at: Math.max(local, this.now), kind: "tick", to: id, from: id, token: this.gen[id] });
      },
      note: () => {},
    };
  }

  private push(e: Omit<Ev, "seq">): void {
    this.q.push({ ...e, seq: this.seq++ });
  }

  run(untilUs: number, stop?: () => boolean): void {
    for (;;) {
      if (stop?.()) return;
      let best = -1;
      for (let i = 0; i < this.q.length; i++) {
        const e = this.q[i]!;
        if (best < 0 || e.at < this.q[best]!.at || (e.at === this.q[best]!.at && e.seq < this.q[best]!.seq)) best = i;
      }
      if (best < 0 || this.q[best]!.at > untilUs) break;
      const e = this.q.splice(best, 1)[0]!;
      this.now = e.at;
      const h = this.hosts[e.to]!;
      if (e.kind === "msg") {
        if (this.cut.has(`${e.from}-${e.to}`)) continue;
        h.onMessage(e.from, e.msg, this.now);
      } else if (e.kind === "tick") {
        if (e.token === this.gen[e.to]) h.onTick(this.now);
      } else h.onPersisted(e.token!, this.now);
    }
    this.now = untilUs;
  }

  cutBoth(a: number, b: number): void {
    this.cut.add(`${a}-${b}`);
    this.cut.add(`${b}-${a}`);
  }

  leader(): number {
    return this.engines.findIndex((e) => e.isLeader());
  }

  /** Run an engine call to its answer. */
  call(id: number, f: (e: StorageEngine, now: number, done: (r: EngineReply) => void) => void, budgetUs = 3 * S): EngineReply {
    let got: EngineReply | undefined;
    f(this.engines[id]!, this.now, (r) => {
      expect(got).toBeUndefined();
      got = r;
    });
    this.run(this.now + budgetUs, () => got !== undefined);
    expect(got, "no answer").toBeDefined();
    return got!;
  }
}

function ok(r: EngineReply): unknown {
  expect(r.kind).toBe("ok");
  return (r as { result: unknown }).result;
}

for (const kind of ["embedded", "external"] as const) {
  describe(`storage engine: ${kind}`, () => {
    it("elects one leader, tells it through onLeaderChange, and is ready", () => {
      const n = new Net(kind);
      n.run(10 * S, () => n.leader() >= 0);
      const l = n.leader();
      expect(l).toBeGreaterThanOrEqual(0);
      expect(n.engines.filter((e) => e.isLeader()).length).toBe(1);
      expect(n.changes.some(([id, leading, epoch]) => id === l && leading && epoch >= 1)).toBe(true);
      expect(n.engines[l]!.epoch()).toBeGreaterThanOrEqual(1);
      expect(n.engines[l]!.isReady()).toBe(true);
    });

    it("set, get, exists, list, cas on the revision, delete", () => {
      const n = new Net(kind);
      n.run(10 * S, () => n.leader() >= 0);
      const l = n.leader();
      const put = ok(n.call(l, (e, t, d) => e.set("/a/x", "1", t, d))) as { revision: number };
      expect(put.revision).toBeGreaterThan(0);
      expect(ok(n.call(l, (e, t, d) => e.get("/a/x", t, d)))).toMatchObject({ found: true, value: "1", revision: put.revision });
      expect(ok(n.call(l, (e, t, d) => e.exists("/a/x", t, d)))).toEqual({ f: "exists", exists: true });
      ok(n.call(l, (e, t, d) => e.set("/a/y", "2", t, d)));
      const items = (ok(n.call(l, (e, t, d) => e.list("/a/", t, d))) as { items: { key: string }[] }).items;
      expect(items.map((i) => i.key)).toEqual(["/a/x", "/a/y"]);
      expect(ok(n.call(l, (e, t, d) => e.cas("/a/x", put.revision + 100, "bad", t, d)))).toMatchObject({ ok: false, currentRevision: put.revision });
      const c = ok(n.call(l, (e, t, d) => e.cas("/a/x", put.revision, "3", t, d))) as { ok: boolean; revision: number };
      expect(c.ok).toBe(true);
      expect(ok(n.call(l, (e, t, d) => e.get("/a/x", t, d)))).toMatchObject({ value: "3", revision: c.revision });
      expect(ok(n.call(l, (e, t, d) => e.delete("/a/x", t, d)))).toMatchObject({ deleted: true });
      expect(ok(n.call(l, (e, t, d) => e.exists("/a/x", t, d)))).toEqual({ f: "exists", exists: false });
    });

    it("confirm: a leader is certain for a while; a non-leader is not; close ends leading", () => {
      const n = new Net(kind);
      n.run(10 * S, () => n.leader() >= 0);
      n.run(n.now + 100 * MS);
      const l = n.leader();
      let until = Number.NaN;
      n.engines[l]!.confirm(n.now, (u) => (until = u));
      n.run(n.now + 500 * MS, () => until === until);
      expect(until).toBeGreaterThan(n.now);
      const f = (l + 1) % 3;
      let fu = 0;
      n.engines[f]!.confirm(n.now, (u) => (fu = u));
      n.run(n.now + 500 * MS);
      expect(Number.isNaN(fu)).toBe(true);
      n.engines[l]!.close();
      expect(n.engines[l]!.isLeader()).toBe(false);
      expect(n.engines[l]!.isReady()).toBe(false);
    });
  });
}

describe("storage engine: what a cut does", () => {
  it("embedded: a follower's local read goes stale behind a cut; a ReadIndex read does not", () => {
    const local = new Net("embedded", false);
    local.run(10 * S, () => local.leader() >= 0);
    const l = local.leader();
    ok(local.call(l, (e, t, d) => e.set("/k", "old", t, d)));
    local.run(local.now + 200 * MS);
    const f = (l + 1) % 3;
    local.cutBoth(f, l);
    local.cutBoth(f, (l + 2) % 3);
    ok(local.call(l, (e, t, d) => e.set("/k", "new", t, d)));
    // The seed's Get: the follower's local map, stale.
    expect(ok(local.call(f, (e, t, d) => e.get("/k", t, d)))).toMatchObject({ value: "old" });

    const ri = new Net("embedded", true);
    ri.run(10 * S, () => ri.leader() >= 0);
    const l2 = ri.leader();
    ok(ri.call(l2, (e, t, d) => e.set("/k", "old", t, d)));
    ri.run(ri.now + 200 * MS);
    const f2 = (l2 + 1) % 3;
    ri.cutBoth(f2, l2);
    ri.cutBoth(f2, (l2 + 2) % 3);
    ok(ri.call(l2, (e, t, d) => e.set("/k", "new", t, d)));
    // Through ReadIndex: no answer but "unavailable" or "not-leader", never the stale value.
    expect(ri.call(f2, (e, t, d) => e.get("/k", t, d)).kind).not.toBe("ok");
  });

  it("external: a leader cut from the store stops leading when its session may have ended, and another takes over", () => {
    const n = new Net("external");
    n.run(10 * S, () => n.leader() >= 0);
    const l = n.leader();
    n.cutBoth(l, STORE);
    const cutAt = n.now;
    n.run(n.now + 20 * S, () => n.leader() >= 0 && n.leader() !== l);
    expect(n.engines[l]!.isLeader()).toBe(false);
    const next = n.leader();
    expect(next).not.toBe(l);
    const lost = n.changes.find(([id, leading]) => id === l && !leading);
    expect(lost).toBeDefined();
    // The old one let go no later than the session TTL after the cut.
    expect(n.now - cutAt).toBeGreaterThan(DEFAULT_TIMING.sessionTtlUs - DEFAULT_TIMING.keepaliveUs - 10 * MS);
    expect(n.engines[next]!.epoch()).toBeGreaterThan(0);
  });
});
