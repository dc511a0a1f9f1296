// Golden tables: hashicorp/memberlist @1b4c746 util_test.go TestSuspicionTimeout,
// suspicion_test.go TestSuspicion_remainingSuspicionTime and TestSuspicion_Timer,
// state_test.go TestMemberList_ProbeNode_Suspect_Dogpile, awareness_test.go TestAwareness.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ImplRng } from "../../../../src/impl/node.js";
import { Awareness, remainingSuspicionTimeUs, Suspicion, suspicionTimeoutUs } from "../../../../src/impl/failover/detectors/swim-math.js";
import { MemberState, SWIM_LAN_DEFAULTS, SWIM_SPEC, SwimDetector, type SwimParams } from "../../../../src/impl/failover/detectors/swim.js";
import { FdEventKind, FdMsgKind, MS, S, type SwimMsg } from "../../../../src/impl/failover/detectors/types.js";
import { MiniNet } from "./harness.js";

function rng(seed: number): ImplRng {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  return { float: next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

describe("memberlist golden tables", () => {
  it("util_test.go TestSuspicionTimeout (mult 3, 1 s, divided by 3)", () => {
    const table: [number, number][] = [[5, 1000], [10, 1000], [50, 1698], [100, 2000], [500, 2698], [1000, 3000]];
    for (const [n, ms] of table) expect(suspicionTimeoutUs(3, n, 1 * S) / 3, `n=${n}`).toBe(ms * MS);
    // LAN defaults (§a4): N = 10 gives 4 s..24 s, N = 1000 gives 12 s..72 s.
    expect(suspicionTimeoutUs(4, 10, 1 * S)).toBe(4 * S);
    expect(suspicionTimeoutUs(4, 1000, 1 * S)).toBe(12 * S);
  });

  it("suspicion_test.go TestSuspicion_remainingSuspicionTime (to the µs)", () => {
    const cases: [number, number, number, number, number, number][] = [
      [0, 3, 0, 2 * S, 30 * S, 30 * S],
      [1, 3, 2 * S, 2 * S, 30 * S, 14 * S],
      [2, 3, 3 * S, 2 * S, 30 * S, 4810 * MS],
      [3, 3, 4 * S, 2 * S, 30 * S, -2 * S],
      [4, 3, 5 * S, 2 * S, 30 * S, -3 * S],
      [5, 3, 10 * S, 2 * S, 30 * S, -8 * S],
    ];
    for (const [n, k, elapsed, min, max, want] of cases) expect(remainingSuspicionTimeUs(n, k, elapsed, min, max), `n=${n}`).toBe(want);
  });

  it("suspicion_test.go TestSuspicion_Timer: k 3, min 500 ms, max 2 s", () => {
    const cases: { confirm: [number, boolean][]; n: number; expectedMs: number; exactMs: number }[] = [
      { confirm: [], n: 0, expectedMs: 2000, exactMs: 2000 },
      { confirm: [[0, false], [1, true]], n: 1, expectedMs: 1250, exactMs: 1250 },
      { confirm: [[0, false], [1, true], [1, false], [1, false]], n: 1, expectedMs: 1250, exactMs: 1250 },
      { confirm: [[0, false], [1, true], [2, true]], n: 2, expectedMs: 810, exactMs: 811 },
      { confirm: [[0, false], [1, true], [2, true], [3, true]], n: 3, expectedMs: 500, exactMs: 500 },
      { confirm: [[0, false], [1, true], [2, true], [3, true], [4, false]], n: 3, expectedMs: 500, exactMs: 500 },
    ];
    for (const c of cases) {
      const s = new Suspicion(0, 3, 500 * MS, 2 * S, 7 * S); // "me" = 0
      for (const [from, news] of c.confirm) expect(s.confirm(from)).toBe(news);
      expect(s.confirmationCount).toBe(c.n);
      // memberlist asserts these on a wall clock with a 25 ms fudge; the code's exact value is
      // floor(1000·(max - log(n+1)/log(k+1)·(max - min))) ms: 811 where the test lists 810.
      expect(Math.abs(s.deadline - 7 * S - c.expectedMs * MS)).toBeLessThanOrEqual(25 * MS);
      expect(s.deadline - 7 * S).toBe(c.exactMs * MS);
    }
    // k < 1: the timer starts at min (TestSuspicion_Timer_Immediate's setting aside).
    expect(new Suspicion(0, 0, 100 * MS, 30 * S, 0).deadline).toBe(100 * MS);
  });

  it("awareness_test.go TestAwareness", () => {
    const table: [number, number, number][] = [
      [0, 0, 1], [-1, 0, 1], [-10, 0, 1], [1, 1, 2], [-1, 0, 1], [10, 7, 8], [-1, 6, 7],
      [-1, 5, 6], [-1, 4, 5], [-1, 3, 4], [-1, 2, 3], [-1, 1, 2], [-1, 0, 1], [-1, 0, 1],
    ];
    const a = new Awareness(8);
    for (const [delta, score, timeoutS] of table) {
      a.applyDelta(delta);
      expect(a.score).toBe(score);
      expect(a.scaleTimeout(1 * S)).toBe(timeoutS * S);
    }
  });

  it("state_test.go TestMemberList_ProbeNode_Suspect_Dogpile (interval 100 ms, mult 5, max mult 2)", () => {
    const p: SwimParams = { ...SWIM_LAN_DEFAULTS, probeIntervalUs: 100 * MS, probeTimeoutUs: 1 * MS, suspicionMult: 5, suspicionMaxTimeoutMult: 2 };
    // [peers, confirmations, memberlist's expected ms (±25 ms fudge), the code's exact ms]
    const cases: [number, number, number, number][] = [
      [1, 0, 500, 500], [2, 0, 500, 500], [3, 0, 500, 500], [4, 0, 1000, 1000], [5, 0, 1000, 1000],
      [5, 1, 750, 750], [5, 2, 604, 603], [5, 3, 500, 500], [5, 4, 500, 500],
    ];
    for (const [numPeers, confirmations, listedMs, expectedMs] of cases) {
      expect(Math.abs(listedMs - expectedMs)).toBeLessThanOrEqual(25);
      const members = Array.from({ length: numPeers + 1 }, (_, i) => i);
      const bad = numPeers;
      const d = new SwimDetector(0, members, rng(1), p, 0);
      const t0 = 10 * S;
      d.onMessage(0, { k: FdMsgKind.suspect, node: bad, inc: 0, from: 0 }, t0); // our own probe failed
      for (let j = 0; j < confirmations; j++) d.onMessage(1 + j, { k: FdMsgKind.suspect, node: bad, inc: 0, from: 1 + j }, t0);
      const at = t0 + expectedMs * MS;
      d.tick(at - 1);
      expect(d.memberState(bad), `peers ${numPeers} conf ${confirmations}`).toBe(MemberState.suspect);
      d.tick(at);
      expect(d.memberState(bad), `peers ${numPeers} conf ${confirmations}`).toBe(MemberState.dead);
    }
  });

  it("property: the suspicion timeout shrinks monotonically with confirmations and never below min", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 1, max: 20 }), (k, minMs, mult) => {
        const min = minMs * MS;
        const max = min * mult;
        let prev = Number.POSITIVE_INFINITY;
        for (let n = 0; n <= k + 2; n++) {
          const t = remainingSuspicionTimeUs(n, k, 0, min, max);
          expect(t).toBeLessThanOrEqual(prev);
          expect(t).toBeGreaterThanOrEqual(min);
          expect(t).toBeLessThanOrEqual(max);
          prev = t;
        }
        expect(remainingSuspicionTimeUs(k, k, 0, min, max)).toBe(min);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

function group(n: number, opts: { drop?: (from: number, to: number, t: number, m: SwimMsg) => boolean; delay?: () => number; p?: SwimParams } = {}) {
  const members = Array.from({ length: n }, (_, i) => i);
  const nodes = new Map<number, SwimDetector>();
  for (const i of members) nodes.set(i, new SwimDetector(i, members, rng(100 + i), opts.p ?? SWIM_LAN_DEFAULTS, 0));
  const net = new MiniNet<SwimMsg>(nodes, { drop: opts.drop, delayUs: opts.delay ?? (() => 2000) });
  return { net, nodes, members };
}

describe("SwimDetector over a network", () => {
  it("a crashed member is suspected, then declared dead by everyone within B_D, and never trusted", () => {
    const n = 5;
    const { net, nodes } = group(n);
    net.run(20 * S);
    expect(net.events).toEqual([]);
    const crashAt = net.now;
    net.crashed.add(4);
    const b = SWIM_SPEC.bound(SWIM_LAN_DEFAULTS, { n, rttUs: 4000 });
    net.run(crashAt + b.failUs! + 10 * S);
    for (let obs = 0; obs < 4; obs++) {
      const sus = net.eventsOf(FdEventKind.suspect, obs, 4);
      const fail = net.eventsOf(FdEventKind.fail, obs, 4);
      expect(fail, `observer ${obs}`).toHaveLength(1);
      expect(fail[0].trueUs - crashAt).toBeLessThanOrEqual(b.failUs!);
      if (sus.length > 0) expect(sus[0].trueUs - crashAt).toBeLessThanOrEqual(b.suspectUs);
      expect(net.eventsOf(FdEventKind.trust, obs, 4)).toEqual([]);
      expect(nodes.get(obs)!.memberState(4)).toBe(MemberState.dead);
    }
    // Healthy observers got nacks from their healthy peers: no health penalty.
    for (let obs = 0; obs < 4; obs++) expect(nodes.get(obs)!.awareness.score).toBe(0);
    expect(net.events.filter((e) => e.target !== 4)).toEqual([]);
  });

  it("indirect probes: a cut direct link does not make the target suspect", () => {
    const cut = (a: number, b: number) => (a === 0 && b === 3) || (a === 3 && b === 0);
    let pingReqs = 0;
    const { net } = group(5, {
      drop: (from, to, _t, m) => {
        if (m.k === FdMsgKind.pingReq) pingReqs++;
        return cut(from, to);
      },
    });
    net.run(60 * S);
    expect(pingReqs).toBeGreaterThan(0);
    expect(net.events).toEqual([]);
  });

  it("without indirect checks the same cut makes node 0 suspect node 3, which refutes with a higher incarnation", () => {
    const p = { ...SWIM_LAN_DEFAULTS, indirectChecks: 0 };
    const cut = (a: number, b: number) => (a === 0 && b === 3) || (a === 3 && b === 0);
    const { net, nodes } = group(5, { p, drop: (from, to) => cut(from, to) });
    net.run(60 * S);
    const sus = net.eventsOf(FdEventKind.suspect, undefined, 3);
    expect(sus.length).toBeGreaterThan(0);
    // 0's suspicion reaches 1, 2 and 4, whose next pings of 3 carry it: 3 refutes (its health
    // point is won back by its next successful probes).
    expect(nodes.get(3)!.selfIncarnation).toBeGreaterThan(0);
    expect(net.eventsOf(FdEventKind.trust, 1, 3)).toHaveLength(1);
    // Members other than 0 trust 3 again at its new incarnation, and nobody declares it dead
    // except possibly 0, which cannot hear the refutation.
    for (const obs of [1, 2, 4]) {
      expect(nodes.get(obs)!.memberState(3)).toBe(MemberState.alive);
      expect(net.eventsOf(FdEventKind.fail, obs, 3)).toEqual([]);
    }
  });

  it("incarnation refutation: a suspected member that is alive refutes and is trusted again", () => {
    const { net, nodes } = group(4);
    net.run(5 * S);
    net.inject(1, 0, { k: FdMsgKind.suspect, node: 2, inc: 0, from: 1 });
    net.run(5 * S + 10 * MS);
    expect(nodes.get(0)!.memberState(2)).toBe(MemberState.suspect);
    // 0 pings 2 with the suspicion attached within a round; 2 refutes with incarnation 1.
    net.run(15 * S);
    expect(nodes.get(2)!.selfIncarnation).toBe(1);
    for (const obs of [0, 1, 3]) expect(nodes.get(obs)!.incarnationOf(2)).toBe(1);
    expect(nodes.get(0)!.memberState(2)).toBe(MemberState.alive);
    expect(net.eventsOf(FdEventKind.trust, 0, 2)).toHaveLength(1);
    expect(net.eventsOf(FdEventKind.fail)).toEqual([]);
    // A stale suspicion at the old incarnation is ignored.
    net.inject(1, 0, { k: FdMsgKind.suspect, node: 2, inc: 0, from: 1 });
    net.run(16 * S);
    expect(nodes.get(0)!.memberState(2)).toBe(MemberState.alive);
  });

  it("an accusation about oneself at incarnation i is refuted with i + 1", () => {
    const d = new SwimDetector(0, [0, 1, 2], rng(3), SWIM_LAN_DEFAULTS, 0);
    d.onMessage(1, { k: FdMsgKind.dead, node: 0, inc: 7, from: 1 }, 100);
    expect(d.selfIncarnation).toBe(8);
    expect(d.awareness.score).toBe(1);
    const sends = d.drain().sends;
    expect(sends.filter((s) => s.msg.k === FdMsgKind.alive).map((s) => [s.to, s.msg])).toEqual([
      [1, { k: FdMsgKind.alive, node: 0, inc: 8 }],
      [2, { k: FdMsgKind.alive, node: 0, inc: 8 }],
    ]);
  });

  it("a stale accusation (an incarnation already refuted) is answered with an alive to the accuser only", () => {
    // The accuser missed the broadcast alive (sent once): without this it holds the member dead
    // for ever (memberlist's push-pull would repair it; there is none here).
    const d = new SwimDetector(0, [0, 1, 2], rng(3), SWIM_LAN_DEFAULTS, 0);
    d.onMessage(1, { k: FdMsgKind.dead, node: 0, inc: 7, from: 1 }, 100);
    d.drain();
    d.onMessage(2, { k: FdMsgKind.dead, node: 0, inc: 7, from: 2 }, 200);
    expect(d.selfIncarnation).toBe(8);
    const sends = d.drain().sends;
    expect(sends.filter((s) => s.msg.k === FdMsgKind.alive).map((s) => [s.to, s.msg])).toEqual([[2, { k: FdMsgKind.alive, node: 0, inc: 8 }]]);
  });

  it("a stale suspicion (a restarted accuser holds an old incarnation) is answered with an alive to the accuser", () => {
    // Found by the failover swarm (swim, seed 565 with mass restarts): the accuser restarted,
    // knew incarnation 0, suspected the member at 0, then declared it dead; the member ignored
    // the stale suspicion, and nothing told the accuser its incarnation until a push-pull.
    const d = new SwimDetector(0, [0, 1, 2], rng(3), SWIM_LAN_DEFAULTS, 0, 2);
    d.drain();
    d.onMessage(1, { k: FdMsgKind.suspect, node: 0, inc: 0, from: 1 }, 100);
    expect(d.selfIncarnation).toBe(2);
    const sends = d.drain().sends;
    expect(sends.filter((s) => s.msg.k === FdMsgKind.alive).map((s) => [s.to, s.msg])).toEqual([[1, { k: FdMsgKind.alive, node: 0, inc: 2 }]]);
  });

  it("every pushPullInterval a member tells those it holds dead that they are (two members holding each other dead recover)", () => {
    const p: SwimParams = { ...SWIM_LAN_DEFAULTS, pushPullIntervalUs: 5 * S };
    const d0 = new SwimDetector(0, [0, 1, 2], rng(3), p, 0);
    const d1 = new SwimDetector(1, [0, 1, 2], rng(4), p, 0);
    d0.onMessage(2, { k: FdMsgKind.dead, node: 1, inc: 0, from: 2 }, 10);
    d1.onMessage(2, { k: FdMsgKind.dead, node: 0, inc: 0, from: 2 }, 10);
    d0.drain();
    d1.drain();
    d0.tick(4 * S);
    expect(d0.drain().sends.filter((x) => x.msg.k === FdMsgKind.dead)).toEqual([]);
    d0.tick(5 * S);
    const told = d0.drain().sends.filter((x) => x.msg.k === FdMsgKind.dead);
    expect(told).toEqual([{ to: 1, msg: { k: FdMsgKind.dead, node: 1, inc: 0, from: 0 } }]);
    d1.onMessage(0, told[0].msg, 5 * S);
    const alive = d1.drain().sends.filter((x) => x.msg.k === FdMsgKind.alive && x.to === 0);
    expect(alive).toHaveLength(1);
    d0.onMessage(1, alive[0].msg, 5 * S);
    expect(d0.memberState(1)).toBe(MemberState.alive);
  });

  it("Lifeguard: an isolated member gets no acks nor nacks, its score rises to 7 and it probes every 8 s", () => {
    const { net, nodes } = group(5, { drop: (from, to) => from === 0 || to === 0 });
    let pings = 0;
    const probeTimes: number[] = [];
    const d0 = nodes.get(0)!;
    const inner = d0.drainTo.bind(d0);
    d0.drainTo = (sink) =>
      inner({
        send: (to, m) => {
          if (m.k === FdMsgKind.ping) {
            pings++;
            probeTimes.push(net.now);
          }
          sink.send(to, m);
        },
        event: sink.event,
      });
    net.run(120 * S);
    expect(d0.awareness.score).toBe(7);
    expect(pings).toBeGreaterThan(3);
    const gaps = probeTimes.slice(-3).map((t, i, a) => (i === 0 ? 0 : t - a[i - 1])).slice(1);
    for (const g of gaps) expect(g).toBe(8 * S);
  });

  it("a restarted member with a higher incarnation is trusted again after being declared dead", () => {
    const { net, nodes, members } = group(4);
    net.run(5 * S);
    net.crashed.add(3);
    net.run(60 * S);
    for (const obs of [0, 1, 2]) expect(nodes.get(obs)!.memberState(3)).toBe(MemberState.dead);
    const fresh = new SwimDetector(3, members, rng(9), SWIM_LAN_DEFAULTS, net.local(3), 1);
    nodes.set(3, fresh);
    net.crashed.delete(3);
    // Its join announcement is in its outbox: deliver it by letting the net flush it.
    for (const s of fresh.drain().sends) net.inject(3, s.to, s.msg, 2000);
    net.run(70 * S);
    for (const obs of [0, 1, 2]) {
      expect(nodes.get(obs)!.memberState(3)).toBe(MemberState.alive);
      expect(net.eventsOf(FdEventKind.trust, obs, 3)).toHaveLength(1);
    }
  });

  it("property: calm network (RTT < probe timeout) gives no suspicion", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 3, max: 8 }), (seed, n) => {
        const r = rng(seed);
        const { net } = group(n, { delay: () => 100 + Math.floor(r.float() * 240_000) });
        net.run(90 * S);
        expect(net.events).toEqual([]);
      }),
      { numRuns: 15, seed: 9 },
    );
  });
});
