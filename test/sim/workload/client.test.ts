import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { WorkloadClient } from "../../../src/sim/systems/raft-metadata/clients/client.js";
import { defaultWorkloadConfig, type WorkloadConfig } from "../../../src/sim/systems/raft-metadata/clients/config.js";
import { HistoryRecorder, type MetaOperation } from "../../../src/sim/systems/raft-metadata/clients/recorder.js";
import { MetadataStore } from "../../../src/impl/metadata/store.js";
import { isStale } from "../../../src/impl/metadata/commands.js";
import type { ClientRequest, ServerReply } from "../../../src/impl/metadata/protocol.js";
import type { MetaOp } from "../../../src/impl/metadata/ops.js";
import { FakeEnv, TestRng } from "./fake.js";

const SERVERS = [10, 11, 12];

function cfg(over: Partial<WorkloadConfig> = {}): WorkloadConfig {
  return defaultWorkloadConfig(SERVERS, 2, {
    thinkMinUs: 100,
    thinkMaxUs: 100,
    backoffMinUs: 50,
    backoffMaxUs: 50,
    timeoutUs: 1000,
    maxAttempts: 3,
    staleCasP: 0,
    ...over,
  });
}

function setup(over: Partial<WorkloadConfig> = {}, seed = 1, id = 0) {
  const env = new FakeEnv(seed);
  const rec = new HistoryRecorder();
  const c = new WorkloadClient(id, cfg(over), env, rec);
  return { env, rec, c };
}

const ok = (req: ClientRequest, result: Extract<ServerReply, { kind: "ok" }>["result"]): ServerReply => ({
  kind: "ok",
  client: req.client,
  seq: req.seq,
  result,
});
const notLeader = (req: ClientRequest, leaderHint: number): ServerReply => ({ kind: "not-leader", client: req.client, seq: req.seq, leaderHint });
const unavailable = (req: ClientRequest, leaderHint = -1): ServerReply => ({ kind: "unavailable", client: req.client, seq: req.seq, leaderHint });

/** A plausible ok result for an op. */
function resultFor(op: MetaOp, rev = 7): Extract<ServerReply, { kind: "ok" }>["result"] {
  switch (op.f) {
    case "get":
      return { f: "get", found: false };
    case "exists":
      return { f: "exists", exists: false };
    case "list":
      return { f: "list", items: [] };
    case "put":
      return { f: "put", revision: rev };
    case "delete":
      return { f: "delete", deleted: false, revision: rev };
    case "cas":
      return { f: "cas", ok: true, revision: rev };
  }
}

describe("WorkloadClient routing and retries", () => {
  it("starts thinking, then sends one op to a server; follows a leader hint with the same seq", () => {
    const { env, rec, c } = setup({ mix: { get: 0, put: 1, delete: 0, cas: 0 } });
    c.start(0);
    expect(env.timer).toBe(100);
    expect(env.sends).toHaveLength(0);
    c.onTimer(100);
    expect(env.sends).toHaveLength(1);
    const first = env.last();
    expect(SERVERS).toContain(first.to);
    expect(first.req).toMatchObject({ client: 0, seq: 1, op: { f: "put" } });
    expect(c.pending()).toBe(true);
    const hint = SERVERS.find((s) => s !== first.to)!;
    c.onReply(first.to, notLeader(first.req, hint), 150);
    expect(env.sends).toHaveLength(2);
    expect(env.last().to).toBe(hint);
    expect(env.last().req).toBe(first.req); // same request, same seq
    c.onReply(hint, ok(first.req, { f: "put", revision: 4 }), 200);
    expect(c.pending()).toBe(false);
    expect(rec.operations()).toEqual([
      { client: 0, input: first.req.op, call: 100, ret: 200, status: "ok", output: { f: "put", revision: 4 } },
    ]);
    // next op goes to the server that answered
    c.onTimer(env.timer);
    expect(env.last().to).toBe(hint);
    expect(env.last().req.seq).toBe(2);
    expect(c.counters()).toMatchObject({ issued: 2, ok: 1, retries: 1, notLeader: 1 });
  });

  it("not-leader without a usable hint backs off, then tries the next server", () => {
    const { env, c } = setup();
    c.start(0);
    c.onTimer(100);
    const first = env.last();
    c.onReply(first.to, notLeader(first.req, -1), 120);
    expect(env.sends).toHaveLength(1);
    expect(c.state()).toBe("backoff");
    expect(env.timer).toBe(170);
    c.onTimer(170);
    expect(env.sends).toHaveLength(2);
    expect(env.last().to).toBe(SERVERS[(SERVERS.indexOf(first.to) + 1) % 3]);
    expect(env.last().req.seq).toBe(1);
  });

  it("a timeout retries the same seq at once to the next server", () => {
    const { env, c } = setup();
    c.start(0);
    c.onTimer(100);
    const first = env.last();
    expect(env.timer).toBe(1100);
    c.onTimer(1100);
    expect(env.sends).toHaveLength(2);
    expect(env.last().to).toBe(SERVERS[(SERVERS.indexOf(first.to) + 1) % 3]);
    expect(env.last().req).toEqual(first.req);
    expect(c.counters()).toMatchObject({ timeouts: 1, retries: 1 });
  });

  it("stickyUs: timeouts, unavailable and hintless not-leader retry on the same server until the op is that old", () => {
    const { env, c } = setup({ stickyUs: 2500, maxAttempts: 10 });
    c.start(0);
    c.onTimer(100);
    const first = env.last();
    c.onTimer(1100); // timeout at 1100: 1000 µs into the op, within stickyUs
    expect(env.last().to).toBe(first.to);
    c.onReply(first.to, unavailable(env.last().req), 1200);
    c.onTimer(1250);
    expect(env.last().to).toBe(first.to);
    c.onReply(first.to, notLeader(env.last().req, -1), 1300);
    c.onTimer(1350);
    expect(env.last().to).toBe(first.to);
    c.onTimer(2350); // timeout 2250 µs into the op: still sticking
    expect(env.last().to).toBe(first.to);
    c.onTimer(3350); // 3250 µs: past stickyUs, moves on
    expect(env.last().to).toBe(SERVERS[(SERVERS.indexOf(first.to) + 1) % 3]);
    expect(env.sends.every((x) => x.req.seq === 1)).toBe(true);
    // A leader hint is still followed at once.
    const { env: e2, c: c2 } = setup({ stickyUs: 1e9 });
    c2.start(0);
    c2.onTimer(100);
    const f2 = e2.last();
    const hint = SERVERS.find((x) => x !== f2.to)!;
    c2.onReply(f2.to, notLeader(f2.req, hint), 120);
    expect(e2.last().to).toBe(hint);
  });

  it("readsAnywhere: reads go to a random server and do not move the leader guess", () => {
    const { env, c } = setup({ readsAnywhere: true, mix: { get: 1, put: 1, delete: 0, cas: 0, exists: 0 } });
    c.start(0);
    const targets = new Set<number>();
    let now = 100;
    let writesTo = -1;
    for (let k = 0; k < 60; k++) {
      c.onTimer(now);
      const s = env.last();
      if (s.req.op.f === "get") targets.add(s.to);
      else {
        if (writesTo >= 0) expect(s.to).toBe(writesTo); // writes follow the server that took the last write
        writesTo = s.to;
      }
      c.onReply(s.to, ok(s.req, resultFor(s.req.op)), now + 10);
      now += 200;
    }
    expect(targets.size).toBe(3);
  });

  it("an unanswered write becomes info after max attempts, and the client continues as a new process", () => {
    const { env, rec, c } = setup({ mix: { get: 0, put: 1, delete: 0, cas: 0 } });
    c.start(0);
    c.onTimer(100);
    const req = env.last().req;
    c.onTimer(1100);
    c.onReply(env.last().to, unavailable(req), 1200);
    c.onTimer(env.timer); // backoff over: third attempt
    expect(env.sends).toHaveLength(3);
    expect(env.sends.every((s) => s.req.seq === 1)).toBe(true);
    c.onTimer(env.timer); // third attempt times out
    expect(c.pending()).toBe(false);
    expect(c.process()).toBe(2); // id 0 + 1 * clientCount 2
    c.onTimer(env.timer);
    expect(env.last().req).toMatchObject({ client: 0, seq: 2 }); // same session, higher seq
    const ops = rec.operations();
    expect(ops[0]).toMatchObject({ client: 0, status: "info", ret: Infinity, output: undefined });
    expect(ops[1]).toMatchObject({ client: 2, call: env.timer - 1000 });
    expect(c.counters()).toMatchObject({ info: 1, timeouts: 2, unavailable: 1, retries: 2 });
  });

  it("an unanswered read is recorded as fail and keeps the process id", () => {
    const { env, rec, c } = setup({ mix: { get: 1, put: 0, delete: 0, cas: 0 } });
    c.start(0);
    c.onTimer(100);
    for (let i = 0; i < 3; i++) c.onTimer(env.timer);
    expect(rec.operations()[0]).toMatchObject({ status: "fail", client: 0 });
    expect(c.process()).toBe(0);
  });

  it("a write rejected not-leader on every attempt is fail only with writeFailOnNotLeader", () => {
    for (const flag of [true, false]) {
      const { env, rec, c } = setup({ mix: { get: 0, put: 1, delete: 0, cas: 0 }, writeFailOnNotLeader: flag });
      c.start(0);
      c.onTimer(100);
      for (let i = 0; i < 3; i++) {
        const s = env.last();
        c.onReply(s.to, notLeader(s.req, -1), env.timer - 1000 + 10);
        if (i < 2) c.onTimer(env.timer);
      }
      expect(env.sends.map((s) => s.to).sort()).toEqual([...SERVERS].sort()); // three distinct servers
      expect(rec.operations()[0]!.status).toBe(flag ? "fail" : "info");
    }
  });

  it("a not-leader ping-pong between two servers is not trusted as 'never executed'", () => {
    const { env, rec, c } = setup({ mix: { get: 0, put: 1, delete: 0, cas: 0 }, writeFailOnNotLeader: true });
    c.start(0);
    c.onTimer(100);
    const a = env.last().to;
    const b = SERVERS.find((s) => s !== a)!;
    c.onReply(a, notLeader(env.last().req, b), 110);
    c.onReply(b, notLeader(env.last().req, a), 120);
    expect(env.last().to).toBe(a); // third attempt back to a
    c.onReply(a, notLeader(env.last().req, b), 130);
    expect(rec.operations()[0]!.status).toBe("info");
  });

  it("ignores replies for other seqs/clients, not-leader from a non-target, and superseded timers", () => {
    const { env, rec, c } = setup();
    c.start(0);
    c.onTimer(50); // superseded / early: ignored
    expect(env.sends).toHaveLength(0);
    c.onTimer(100);
    const s = env.last();
    const other = SERVERS.find((x) => x !== s.to)!;
    c.onReply(s.to, { ...ok(s.req, resultFor(s.req.op)), seq: 99 }, 110);
    c.onReply(s.to, { ...ok(s.req, resultFor(s.req.op)), client: 1 }, 111);
    c.onReply(other, notLeader(s.req, other), 112);
    expect(c.pending()).toBe(true);
    expect(env.sends).toHaveLength(1);
    // a late ok from an earlier attempt's server is accepted (same seq = same command)
    c.onTimer(1100);
    c.onReply(s.to, ok(s.req, resultFor(s.req.op)), 1150);
    expect(c.pending()).toBe(false);
    expect(rec.operations()[0]).toMatchObject({ status: "ok", ret: 1150 });
    // duplicate of that reply after completion: ignored
    c.onReply(s.to, ok(s.req, resultFor(s.req.op)), 1160);
    expect(rec.size()).toBe(1);
  });

  it("throws when a server answers with a result of the wrong kind", () => {
    const { env, c } = setup({ mix: { get: 1, put: 0, delete: 0, cas: 0 } });
    c.start(0);
    c.onTimer(100);
    expect(() => c.onReply(env.last().to, ok(env.last().req, { f: "put", revision: 1 }), 110)).toThrow(/workload invariant/);
  });

  it("stop() and opsLimit end the loop; abandon() closes the open op", () => {
    const a = setup({ opsLimit: 2 });
    a.c.start(0);
    for (let i = 0; i < 2; i++) {
      a.c.onTimer(a.env.timer);
      a.c.onReply(a.env.last().to, ok(a.env.last().req, resultFor(a.env.last().req.op)), a.env.timer - 900);
    }
    expect(a.c.state()).toBe("stopped");
    expect(a.rec.size()).toBe(2);

    const b = setup({ mix: { get: 0, put: 1, delete: 0, cas: 0 } });
    b.c.start(0);
    b.c.onTimer(100);
    b.c.stop(150);
    expect(b.c.pending()).toBe(true); // open op still runs
    b.c.onReply(b.env.last().to, ok(b.env.last().req, { f: "put", revision: 1 }), 160);
    expect(b.c.state()).toBe("stopped");
    b.c.onTimer(b.env.timer);
    expect(b.rec.size()).toBe(1);

    const d = setup({ mix: { get: 0, put: 1, delete: 0, cas: 0 } });
    d.c.start(0);
    d.c.onTimer(100);
    d.c.abandon(200);
    expect(d.rec.operations()[0]).toMatchObject({ status: "info" });
    expect(d.c.pending()).toBe(false);
  });
});

describe("WorkloadClient operations", () => {
  it("write values are unique per client and seq", () => {
    const values = new Set<string>();
    for (const id of [0, 1]) {
      const { env, c } = setup({ mix: { get: 1, put: 1, delete: 1, cas: 1 } }, 7, id);
      c.start(0);
      for (let i = 0; i < 200; i++) {
        c.onTimer(env.timer);
        const s = env.last();
        const op = s.req.op;
        if (op.f === "put" || op.f === "cas") {
          expect(op.value).toBe(`c${id}-${s.req.seq}`);
          expect(values.has(op.value)).toBe(false);
          values.add(op.value);
        }
        c.onReply(s.to, ok(s.req, resultFor(op)), env.timer - 900);
      }
    }
    expect(values.size).toBeGreaterThan(100);
  });

  it("cas expects the revision this client last observed for the key", () => {
    const { env, c } = setup({ keys: ["k"], mix: { get: 0, put: 1, delete: 0, cas: 1 } }, 3);
    c.start(0);
    let expected: number | "absent" = "absent";
    let sawCas = 0;
    for (let i = 0; i < 60; i++) {
      c.onTimer(env.timer);
      const s = env.last();
      const op = s.req.op;
      const t = env.timer - 900;
      if (op.f === "put") {
        c.onReply(s.to, ok(s.req, { f: "put", revision: 100 + i }), t);
        expected = 100 + i;
      } else if (op.f === "cas") {
        sawCas++;
        expect(op.expected).toBe(expected);
        if (i % 3 === 0) {
          c.onReply(s.to, ok(s.req, { f: "cas", ok: false, currentRevision: i % 2 === 0 ? 0 : 50 + i }), t);
          expected = i % 2 === 0 ? "absent" : 50 + i;
        } else {
          c.onReply(s.to, ok(s.req, { f: "cas", ok: true, revision: 200 + i }), t);
          expected = 200 + i;
        }
      }
    }
    expect(sawCas).toBeGreaterThan(10);
  });

  it("staleCasP makes some cas use a different expectation", () => {
    const { env, c } = setup({ keys: ["k"], mix: { get: 0, put: 1, delete: 0, cas: 1 }, staleCasP: 1 }, 5);
    c.start(0);
    for (let i = 0; i < 40; i++) {
      c.onTimer(env.timer);
      const s = env.last();
      if (s.req.op.f === "cas") expect(s.req.op.expected).not.toBe(i === 0 ? "absent" : 10);
      c.onReply(s.to, ok(s.req, s.req.op.f === "put" ? { f: "put", revision: 10 } : { f: "cas", ok: false, currentRevision: 10 }), env.timer - 900);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A tiny randomized world: clients, a fake "cluster" (one MetadataStore behind servers that
// randomly answer, reject, lose or delay), an event queue ordered by (time, seq).

interface Ev { t: number; n: number; run: () => void }

function simulate(seed: number, clients = 3, steps = 3000) {
  const rng = new TestRng(seed);
  const q: Ev[] = [];
  let n = 0;
  let now = 0;
  const at = (t: number, run: () => void) => {
    q.push({ t, n: n++, run });
  };
  const rec = new HistoryRecorder();
  const store = new MetadataStore();
  let index = 0;
  let leader = SERVERS[0]!;
  const trace: string[] = [];
  const cs: WorkloadClient[] = [];
  const timers: number[] = [];
  const c0 = defaultWorkloadConfig(SERVERS, clients, { maxAttempts: 4, timeoutUs: 5000, thinkMaxUs: 2000 });
  for (let id = 0; id < clients; id++) {
    const env = {
      rng: new TestRng(seed * 31 + id),
      send: (to: number, req: ClientRequest) => {
        trace.push(`${now} c${id}->${to} ${req.seq} ${req.op.f}`);
        const r = rng.float();
        if (r < 0.1) return; // lost
        at(now + rng.int(100, 3000), () => {
          if (rng.float() < 0.05) leader = SERVERS[rng.int(0, 2)]!;
          let reply: ServerReply | null;
          if (to !== leader) reply = notLeader(req, rng.float() < 0.7 ? leader : -1);
          else if (rng.float() < 0.1) reply = unavailable(req);
          else {
            index++;
            const res = req.op.f === "get" || req.op.f === "exists" || req.op.f === "list" ? store.read(req.op) : store.apply(index, req);
            reply = isStale(res) || res.f === "expired" ? null : ok(req, res);
            if (rng.float() < 0.1) reply = unavailable(req); // executed, but the answer is lost
          }
          if (reply === null || rng.float() < 0.1) return;
          const rep = reply;
          at(now + rng.int(100, 3000), () => cs[id]!.onReply(to, rep, now));
        });
      },
      setTimer: (t: number) => {
        timers[id] = t;
        at(t, () => {
          if (timers[id] === t) cs[id]!.onTimer(now);
        });
      },
    };
    cs.push(new WorkloadClient(id, c0, env, rec));
  }
  for (const c of cs) c.start(0);
  for (let i = 0; i < steps && q.length > 0; i++) {
    q.sort((a, b) => a.t - b.t || a.n - b.n);
    const ev = q.shift()!;
    now = ev.t;
    ev.run();
  }
  for (const c of cs) c.stop(now);
  for (const c of cs) c.abandon(now);
  return { ops: rec.operations(), trace, store, cs };
}

function checkHistory(ops: readonly MetaOperation[], clientCount: number) {
  const lastRet = new Map<number, number>();
  const infoProcs = new Set<number>();
  let lastCall = -1;
  for (const o of ops) {
    expect(o.call).toBeGreaterThanOrEqual(lastCall); // invocation order = time order
    lastCall = o.call;
    expect(o.ret).toBeGreaterThanOrEqual(o.call);
    expect(infoProcs.has(o.client)).toBe(false); // no op after an info op on a process
    expect(o.call).toBeGreaterThanOrEqual(lastRet.get(o.client) ?? 0); // one open op per process
    lastRet.set(o.client, o.ret);
    if (o.status === "info") {
      infoProcs.add(o.client);
      expect(o.ret).toBe(Infinity);
      expect(o.output).toBeUndefined();
    } else if (o.status === "ok") {
      expect(o.output!.f).toBe(o.input.f);
    } else {
      expect(o.output).toBeUndefined();
    }
    expect(o.client % clientCount).toBeLessThan(clientCount);
  }
}

describe("WorkloadClient in a randomized fake world", () => {
  it("produces well-formed histories with monotone times", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { ops, store } = simulate(seed);
      expect(ops.length).toBeGreaterThan(20);
      checkHistory(ops, 3);
      expect(ops.some((o) => o.status === "info")).toBe(true);
      expect(ops.some((o) => o.status === "ok")).toBe(true);
      // at-most-once: every present value was written by an op in the history
      const written = new Set(ops.flatMap((o) => (o.input.f === "put" || o.input.f === "cas" ? [o.input.value] : [])));
      for (const e of store.list("").items) expect(written.has(e.value)).toBe(true);
    }
  });

  it("is deterministic given the same seeds", () => {
    const a = simulate(42);
    const b = simulate(42);
    expect(b.trace).toEqual(a.trace);
    expect(b.ops).toEqual(a.ops);
    expect(b.cs.map((c) => c.counters())).toEqual(a.cs.map((c) => c.counters()));
    const c = simulate(43);
    expect(c.trace).not.toEqual(a.trace);
  });

  it("property: histories are well formed for any seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        checkHistory(simulate(seed, 2, 800).ops, 2);
      }),
      { numRuns: 40 },
    );
  });
});

describe("WorkloadClient sessions that expire", () => {
  it("sends its session's start; on session-expired it records the write as info and opens a new session above it", () => {
    const { env, rec, c } = setup({ sessionStarts: true, mix: { get: 0, put: 1, delete: 0, cas: 0, exists: 0 } });
    c.start(0);
    c.onTimer(100);
    const first = env.last();
    expect(first.req).toMatchObject({ seq: 1, start: 1 });
    c.onReply(first.to, ok(first.req, resultFor(first.req.op)), 110);
    c.onTimer(c.state() === "thinking" ? 210 : 0);
    const second = env.last();
    expect(second.req).toMatchObject({ seq: 2, start: 1 });
    c.onReply(second.to, { kind: "session-expired", client: second.req.client, seq: 2 }, 220);
    // A copy may have run before the session expired: unknown.
    expect(rec.operations()[1]!.status).toBe("info");
    expect(c.counters().expired).toBe(1);
    expect(c.process()).toBe(2); // a new process after the indeterminate write
    c.onTimer(320);
    expect(env.last().req).toMatchObject({ seq: 3, start: 3 });
  });
});
