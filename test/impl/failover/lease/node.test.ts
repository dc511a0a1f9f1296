// The lease design's shard node (src/impl/failover/lease/node.ts) on its own: three nodes of one
// shard over a small event-driven network (fixed delays, fsyncs that complete 0.5 ms later),
// driven by hand. Checks the unit behaviour the design rests on: the first member claims the
// primaryship through grants and the shard log; an APPEND is acknowledged only once a majority
// holds it durably; a member refuses a takeover grant within 2L of a renewal it applied; a
// crashed holder is FAILed after 2L and replaced; the lease ends L after the last successful
// renewal's send time when renewals stop committing, and a backward step of the wall clock
// extends it only with the wall-clock bug.
import { describe, expect, it } from "vitest";
import { LeaseNode } from "../../../../src/impl/failover/lease/node.js";
import { DEFAULT_LEASE_OPTIONS, type LeaseBugs, type LeaseMsg, type LeaseRecord, type LeaseTopology } from "../../../../src/impl/failover/lease/types.js";
import type { KvRep, KvReq } from "../../../../src/impl/failover/valkey/types.js";
import type { NodeEnv } from "../../../../src/impl/node.js";
import { mulberry32 } from "../../raft/harness.js";

const MS = 1000;
const S = 1_000_000;
const TOPO: LeaseTopology = { servers: 3, slots: 3, size: 3, shardOfSlot: [0, 0, 0] };

interface Ev { at: number; seq: number; to: number; from: number; msg?: LeaseMsg; token?: number; tick?: boolean }

class Shard {
  now = 0;
  private seq = 0;
  private q: Ev[] = [];
  readonly nodes: (LeaseNode | null)[] = [];
  /** Per node: wall clock = now + offset; the monotonic clock is `now`. */
  readonly offset = [0, 0, 0];
  readonly replies: { to: number; rep: KvRep; at: number }[] = [];
  /** Directed links cut ("a>b"). */
  readonly cut = new Set<string>();
  readonly sent: { from: number; to: number; msg: LeaseMsg }[] = [];

  constructor(bugs: LeaseBugs = {}) {
    for (let i = 0; i < 3; i++) this.nodes.push(null);
    for (let i = 0; i < 3; i++) this.nodes[i] = new LeaseNode(this.env(i), TOPO, { ...DEFAULT_LEASE_OPTIONS, bugs }, null, 0, () => this.now);
  }

  wall(i: number): number {
    return this.now + this.offset[i];
  }

  private push(e: Omit<Ev, "seq">): void {
    this.q.push({ ...e, seq: this.seq++ });
  }

  private env(i: number): NodeEnv<LeaseMsg, LeaseRecord, KvRep> {
    let token = 0;
    return {
      id: i,
      rng: mulberry32(1000 + i),
      send: (to, msg) => {
        this.sent.push({ from: i, to, msg });
        if (!this.cut.has(`${i}>${to}`)) this.push({ at: this.now + MS, to, from: i, msg });
      },
      persist: () => {
        const t = ++token;
        this.push({ at: this.now + 500, to: i, from: i, token: t });
        return t;
      },
      writeFile: () => undefined,
      renameFile: () => undefined,
      deleteFile: () => undefined,
      syncFile: () => ++token,
      rotateWal: () => 0,
      dropWalBefore: () => undefined,
      reply: (to, rep) => this.replies.push({ to, rep, at: this.now }),
      wakeAt: (local) => {
        // The latest request wins, as NodeEnv says.
        this.q = this.q.filter((e) => !(e.tick === true && e.to === i));
        this.push({ at: Math.max(this.now, local - this.offset[i]), to: i, from: i, tick: true });
      },
      note: () => undefined,
    };
  }

  client(to: number, req: KvReq): void {
    this.nodes[to]!.onClient(100, req, this.wall(to));
  }

  run(untilUs: number): void {
    for (;;) {
      let b = -1;
      for (let k = 0; k < this.q.length; k++) if (b < 0 || this.q[k].at < this.q[b].at || (this.q[k].at === this.q[b].at && this.q[k].seq < this.q[b].seq)) b = k;
      if (b < 0 || this.q[b].at > untilUs) break;
      const e = this.q.splice(b, 1)[0];
      this.now = e.at;
      const n = this.nodes[e.to];
      if (n === null) continue;
      if (e.tick === true) n.onTick(this.wall(e.to));
      else if (e.token !== undefined) n.onPersisted(e.token, this.wall(e.to));
      else n.onMessage(e.from, e.msg!, this.wall(e.to));
    }
    this.now = untilUs;
  }

  holders(): number[] {
    const out: number[] = [];
    for (let i = 0; i < 3; i++) if (this.nodes[i]?.holdsLease(this.wall(i))) out.push(i);
    return out;
  }
}

describe("lease node", () => {
  it("the first member claims the primaryship; every member applies it; an APPEND is acknowledged once a majority has it durably", () => {
    const sh = new Shard();
    sh.run(3 * S);
    expect(sh.holders()).toEqual([0]);
    for (const n of sh.nodes) expect(n!.holder).toBe(0);
    const at = sh.now;
    sh.client(0, { type: "append", id: 1, key: "k", token: "x," });
    expect(sh.replies).toEqual([]); // not before a replica has it fsynced
    sh.run(at + 10 * MS);
    expect(sh.replies.map((r) => r.rep)).toEqual([{ type: "ok", id: 1 }]);
    expect(sh.replies[0].at - at).toBeGreaterThanOrEqual(2 * MS + 500); // repl + fsync + ack
    sh.client(0, { type: "get", id: 2, key: "k" });
    expect(sh.replies[1].rep).toEqual({ type: "ok", id: 2, value: "x," });
    sh.client(1, { type: "get", id: 3, key: "k" });
    expect(sh.replies[2].rep).toEqual({ type: "moved", id: 3, slot: expect.any(Number), node: 0 });
  });

  it("a member refuses a takeover grant within 2L of the last renewal it applied", () => {
    const sh = new Shard();
    sh.run(3 * S);
    sh.nodes[1]!.onMessage(2, { type: "grantReq", round: 99 }, sh.wall(1));
    const ans = sh.sent.filter((m) => m.from === 1 && m.to === 2 && m.msg.type === "grant").at(-1)!.msg;
    expect(ans).toMatchObject({ type: "grant", round: 99, ok: false });
    const bug = new Shard({ noPostAckWait: true });
    bug.run(3 * S);
    bug.nodes[1]!.onMessage(2, { type: "grantReq", round: 99 }, bug.wall(1));
    const yes = bug.sent.filter((m) => m.from === 1 && m.to === 2 && m.msg.type === "grant").at(-1)!.msg;
    expect(yes).toMatchObject({ type: "grant", round: 99, ok: true });
  });

  it("a crashed holder is FAILed after 2L and another member takes over with its data", () => {
    const sh = new Shard();
    sh.run(3 * S);
    sh.client(0, { type: "append", id: 1, key: "k", token: "x," });
    sh.run(3 * S + 10 * MS);
    const crashAt = sh.now;
    sh.nodes[0] = null;
    sh.run(crashAt + 2 * S - 100 * MS);
    expect(sh.nodes[1]!.failed || sh.nodes[2]!.failed).toBe(false);
    sh.run(crashAt + 3 * S);
    const hs = sh.holders();
    expect(hs.length).toBe(1);
    expect(sh.nodes[hs[0]]!.kv.get("k")).toBe("x,");
    sh.client(hs[0], { type: "get", id: 2, key: "k" });
    expect(sh.replies.at(-1)!.rep).toEqual({ type: "ok", id: 2, value: "x," });
  });

  it("renewals that stop committing end the lease L after the last one's send; a backward wall step extends it only with the wall-clock bug", () => {
    for (const bug of [false, true]) {
      const sh = new Shard(bug ? { wallClockLease: true } : {});
      sh.run(3 * S);
      expect(sh.holders()).toEqual([0]);
      sh.cut.add("0>1").add("0>2");
      sh.offset[0] = -3_600 * S; // the holder's wall clock steps back an hour
      sh.run(sh.now + DEFAULT_LEASE_OPTIONS.leaseUs + 10 * MS);
      expect(sh.nodes[0]!.holdsLease(sh.wall(0))).toBe(bug);
    }
  });
});
