// The embedded Raft group (src/impl/embed): hosts that each run two groups over one env, one
// WAL and one wake-up, through a small event-driven network with delays. Checks that requests
// made on any node reach the leader and come back, that CAS keeps one winner, that a crashed
// node recovers its group's state from the shared WAL, and that requests to a cut-off node
// expire instead of hanging.
import { describe, expect, it } from "vitest";
import { EmbeddedGroup, splitRecovered, type EmbedReply, type GroupEnvelope, type GroupRecord } from "../../../src/impl/embed/group.js";
import { WakeMux } from "../../../src/impl/embed/wake-mux.js";
import type { NodeEnv, Recovered } from "../../../src/impl/node.js";
import type { MetaOp } from "../../../src/impl/metadata/ops.js";
import { mulberry32, options } from "../raft/harness.js";

const MS = 1000;

interface Ev { at: number; seq: number; kind: "msg" | "tick" | "sync"; to: number; from: number; msg?: GroupEnvelope; token?: number }

class World {
  now = 0;
  private seq = 0;
  readonly q: Ev[] = [];
  readonly hosts: Host[] = [];
  /** Links cut both ways between these pairs ("a-b"). */
  readonly cut = new Set<string>();
  constructor(readonly n: number, readonly groups: number) {
    for (let i = 0; i < n; i++) this.hosts.push(new Host(this, i, null));
  }
  push(e: Omit<Ev, "seq">): void {
    this.q.push({ ...e, seq: this.seq++ });
  }
  run(untilUs: number): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.q.length; i++) {
        const e = this.q[i]!;
        if (best < 0 || e.at < this.q[best]!.at || (e.at === this.q[best]!.at && e.seq < this.q[best]!.seq)) best = i;
      }
      if (best < 0 || this.q[best]!.at > untilUs) break;
      const e = this.q.splice(best, 1)[0]!;
      this.now = e.at;
      const h = this.hosts[e.to]!;
      if (!h.up) continue;
      if (e.kind === "msg") {
        if (this.cut.has(`${e.from}-${e.to}`) || this.cut.has(`${e.to}-${e.from}`)) continue;
        h.onMessage(e.from, e.msg!, this.now);
      } else if (e.kind === "tick") {
        if (e.token !== h.tickGen) continue;
        h.onTick(this.now);
      } else h.onSync(e.token!, this.now);
    }
    this.now = untilUs;
  }
  crash(i: number): void {
    const h = this.hosts[i]!;
    h.up = false;
    const rec: Recovered<unknown> = { records: [...h.durable], corruptFrom: h.durable.length };
    this.hosts[i] = new Host(this, i, rec, h.durable);
  }
}

class Host {
  up = true;
  tickGen = 0;
  readonly durable: unknown[];
  private readonly volatile: { token: number; recs: readonly unknown[] }[] = [];
  private token = 0;
  readonly mux: WakeMux;
  readonly groups: EmbeddedGroup[] = [];
  private readonly slots: number[] = [];
  readonly env: NodeEnv<GroupEnvelope, GroupRecord, unknown>;
  constructor(private readonly w: World, readonly id: number, recovered: Recovered<unknown> | null, durable: unknown[] = []) {
    this.durable = durable;
    const rng = mulberry32(id * 31 + 7 + (recovered === null ? 0 : durable.length));
    this.env = {
      id,
      rng,
      send: (to, msg) => w.push({ at: w.now + MS + ((id * 7 + to * 3) % 5) * 100, kind: "msg", to, from: id, msg }),
      persist: (recs, sync) => {
        const t = ++this.token;
        this.volatile.push({ token: t, recs });
        if (sync) w.push({ at: w.now + 300, kind: "sync", to: id, from: id, token: t });
        return t;
      },
      writeFile: () => {},
      renameFile: () => {},
      deleteFile: () => {},
      syncFile: () => {
        const t = ++this.token;
        w.push({ at: w.now + 300, kind: "sync", to: id, from: id, token: t });
        return t;
      },
      rotateWal: () => 0,
      dropWalBefore: () => {},
      reply: () => {
        throw new Error("hosts have no clients");
      },
      wakeAt: (local) => {
        this.tickGen++;
        w.push({ at: Math.max(local, w.now), kind: "tick", to: id, from: id, token: this.tickGen });
      },
      note: () => {},
    };
    this.mux = new WakeMux((t) => this.env.wakeAt(t));
    const voters = Array.from({ length: w.n }, (_, i) => i);
    for (let g = 0; g < w.groups; g++) {
      const slot = this.mux.slot();
      this.slots.push(slot);
      this.groups.push(new EmbeddedGroup(id, {
        group: g,
        timeoutUs: 50 * MS,
        server: { raft: options(voters, { electionMinUs: 10 * MS, electionMaxUs: 20 * MS, heartbeatUs: 2 * MS }), dedupSessions: true, maxPending: 64 },
      }, this.env, (t) => this.mux.set(slot, t), recovered, w.now));
    }
  }
  onMessage(from: number, m: GroupEnvelope, now: number): void {
    expect(m.type).toBe("grp");
    this.groups[m.g]!.onMessage(from, m.m, now);
  }
  onTick(now: number): void {
    this.mux.fire(now, (slot) => this.groups[this.slots.indexOf(slot)]!.onTick(now));
  }
  onSync(token: number, now: number): void {
    while (this.volatile.length > 0 && this.volatile[0]!.token <= token) this.durable.push(...this.volatile.shift()!.recs);
    for (const g of this.groups) g.onPersisted(token, now);
  }
}

function ask(w: World, node: number, g: number, op: MetaOp): () => EmbedReply | undefined {
  let got: EmbedReply | undefined;
  w.hosts[node]!.groups[g]!.request(op, w.now, (r) => {
    expect(got).toBeUndefined();
    got = r;
  });
  return () => got;
}

/** Ask until "ok" (a not-leader answer before an election settles is expected). */
function askOk(w: World, node: number, g: number, op: MetaOp, budgetUs = 400 * MS): EmbedReply {
  const end = w.now + budgetUs;
  while (w.now < end) {
    const r = ask(w, node, g, op);
    w.run(w.now + 60 * MS);
    const got = r();
    if (got?.kind === "ok") return got;
  }
  throw new Error(`no ok for ${JSON.stringify(op)} on node ${node} group ${g}`);
}

describe("embedded Raft group", () => {
  it("serves requests made on any node, per group, through one env per host", () => {
    const w = new World(3, 2);
    w.run(200 * MS);
    for (let g = 0; g < 2; g++) {
      const leaders = w.hosts.filter((h) => h.groups[g]!.isLeader());
      expect(leaders.length).toBe(1);
    }
    for (let node = 0; node < 3; node++) {
      const r = askOk(w, node, node % 2, { f: "put", key: `k${node}`, value: `v${node}` });
      expect(r.kind === "ok" && r.result.f === "put" && r.result.revision > 0).toBe(true);
    }
    // Group 0 holds k0 and k2, group 1 holds k1: the groups' stores are separate.
    const g0 = askOk(w, 1, 0, { f: "list", prefix: "k" });
    const g1 = askOk(w, 2, 1, { f: "list", prefix: "k" });
    expect(g0.kind === "ok" && g0.result.f === "list" && g0.result.items.map((e) => e.key)).toEqual(["k0", "k2"]);
    expect(g1.kind === "ok" && g1.result.f === "list" && g1.result.items.map((e) => e.key)).toEqual(["k1"]);
  });

  it("CAS on one revision has exactly one winner among concurrent callers", () => {
    const w = new World(3, 1);
    w.run(200 * MS);
    const put = askOk(w, 0, 0, { f: "put", key: "primary", value: "n0" });
    const rev = put.kind === "ok" && put.result.f === "put" ? put.result.revision : -1;
    const answers = [0, 1, 2].map((n) => ask(w, n, 0, { f: "cas", key: "primary", expected: rev, value: `n${n}` }));
    w.run(w.now + 100 * MS);
    const wins = answers.map((a) => a()).filter((r) => r?.kind === "ok" && r.result.f === "cas" && r.result.ok);
    expect(answers.every((a) => a()?.kind === "ok")).toBe(true);
    expect(wins.length).toBe(1);
  });

  it("a restarted host recovers each group's state from the shared WAL", () => {
    const w = new World(3, 2);
    w.run(200 * MS);
    askOk(w, 0, 0, { f: "put", key: "a", value: "1" });
    askOk(w, 0, 1, { f: "put", key: "b", value: "2" });
    w.run(w.now + 50 * MS);
    for (let i = 0; i < 3; i++) w.crash(i);
    const rec = splitRecovered({ records: w.hosts[0]!.durable, corruptFrom: w.hosts[0]!.durable.length }, 1);
    expect(rec!.records.length).toBeGreaterThan(0);
    w.run(w.now + 300 * MS);
    const a = askOk(w, 2, 0, { f: "get", key: "a" });
    const b = askOk(w, 1, 1, { f: "get", key: "b" });
    const miss = askOk(w, 1, 1, { f: "get", key: "a" });
    expect(a.kind === "ok" && a.result.f === "get" && a.result.found && a.result.value).toBe("1");
    expect(b.kind === "ok" && b.result.f === "get" && b.result.found && b.result.value).toBe("2");
    expect(miss.kind === "ok" && miss.result.f === "get" && miss.result.found).toBe(false);
  });

  it("a request forwarded into a partition expires as unavailable; one with no leader is refused", () => {
    const w = new World(3, 1);
    w.run(200 * MS);
    const leader = w.hosts.findIndex((h) => h.groups[0]!.isLeader());
    const other = (leader + 1) % 3;
    w.cut.add(`${leader}-${other}`);
    const r = ask(w, other, 0, { f: "put", key: "x", value: "y" });
    w.run(w.now + 45 * MS);
    expect(r()).toBeUndefined();
    w.run(w.now + 10 * MS);
    expect(r()).toEqual({ kind: "unavailable" });
    const lone = new World(3, 1);
    const refused = ask(lone, 0, 0, { f: "get", key: "x" });
    expect(refused()).toEqual({ kind: "not-leader", leader: -1 });
  });

  it("refuses log compaction (the WAL is shared)", () => {
    const env = new World(1, 0).hosts[0]!.env;
    expect(() => new EmbeddedGroup(0, { group: 0, timeoutUs: 1, server: { raft: options([0], { snapshotEvery: 10 }), dedupSessions: true, maxPending: 4 } }, env, () => {}, null, 0)).toThrow(/compaction/);
  });
});
