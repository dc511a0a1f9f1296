// Golden vectors: akka/akka-core akka-remote/src/test/scala/akka/remote/AccrualFailureDetectorSpec.scala
// (read at 0c2027a): the phi table, the CDF checks, the outliers and the fake-clock cases, in ms
// there and in µs here (phi depends on ratios only). Cassandra: gms/FailureDetector.java @07242de.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  akkaPhi,
  akkaRestartBoundUs,
  akkaThresholdY,
  cassandraPhi,
  HeartbeatHistory,
  PHI_AKKA_DEFAULTS,
  PHI_CASSANDRA_DEFAULTS,
  PHI_SPEC,
  PhiAccrual,
  PhiDetector,
  type PhiParams,
} from "../../../../src/impl/failover/detectors/phi.js";
import { FdEventKind, MS, type PhiMsg, S } from "../../../../src/impl/failover/detectors/types.js";
import { MiniNet } from "./harness.js";

const cdf = (phi: number) => 1 - 10 ** -phi;

/** Akka spec's createFailureDetector defaults: acceptable pause 0 (not the cluster's 3 s). */
function akkaSpecParams(over: Partial<PhiParams> = {}): PhiParams {
  return { ...PHI_AKKA_DEFAULTS, acceptableHeartbeatPauseUs: 0, ...over };
}

/** Replays Akka's fakeTimeGenerator: each clock read consumes the next time (µs). */
function fakeClock(intervalsMs: number[]): () => number {
  const times: number[] = [];
  let t = 0;
  intervalsMs.forEach((d, i) => {
    t = i === 0 ? d : t + d;
    times.push(t * MS);
  });
  return () => {
    const v = times.shift();
    if (v === undefined) throw new Error("fake clock exhausted");
    return v;
  };
}

describe("akkaPhi: AccrualFailureDetectorSpec golden vectors (±0.1)", () => {
  it("return realistic phi values (mean 1000, std 100)", () => {
    const table: [number, number][] = [[0, 0.0], [500, 0.1], [1000, 0.3], [1200, 1.6], [1400, 4.7], [1600, 10.8], [1700, 15.3]];
    for (const [t, phi] of table) expect(Math.abs(akkaPhi(t, 1000, 100) - phi), `phi(${t})`).toBeLessThanOrEqual(0.1);
    expect(akkaPhi(1100, 1000, 500)).toBeLessThan(akkaPhi(1100, 1000, 100));
  });

  it("use good enough cumulative distribution function", () => {
    const c: [number, number, number, number, number][] = [
      [0, 0, 10, 0.5, 0.001],
      [6, 0, 10, 0.7257, 0.001],
      [15, 0, 10, 0.9332, 0.001],
      [20, 0, 10, 0.97725, 0.001],
      [25, 0, 10, 0.99379, 0.001],
      [35, 0, 10, 0.99977, 0.001],
      [40, 0, 10, 0.99997, 0.0001],
      [22, 20, 3, 0.7475, 0.001],
    ];
    for (const [t, m, s, want, tol] of c) expect(Math.abs(cdf(akkaPhi(t, m, s)) - want)).toBeLessThanOrEqual(tol);
    for (let x = 0; x < 40; x++) expect(akkaPhi(x, 0, 10)).toBeLessThan(akkaPhi(x + 1, 0, 10));
  });

  it("handle outliers without losing precision or hitting exceptions", () => {
    expect(Math.abs(akkaPhi(10, 0, 1) - 38)).toBeLessThanOrEqual(1);
    expect(akkaPhi(-25, 0, 1) === 0).toBe(true); // -0 in IEEE terms, as in Scala
  });

  it("at the cluster defaults (std at its 100 ms floor) phi reaches 8 about 4.52 s after the last heartbeat", () => {
    const t = 1000 + 3000 + akkaThresholdY(8) * 100;
    expect(Math.abs(t - 4520)).toBeLessThan(10);
    expect(akkaPhi(t - 1, 4000, 100)).toBeLessThan(8);
    expect(akkaPhi(t + 1, 4000, 100)).toBeGreaterThanOrEqual(8);
  });
});

describe("HeartbeatHistory (Akka 'Statistics for heartbeats')", () => {
  it("calculates the mean and variance", () => {
    const h = new HeartbeatHistory(20);
    for (const v of [100, 200, 125, 340, 130]) h.add(v);
    expect(h.mean).toBeCloseTo(179.0, 5);
    expect(h.variance).toBeCloseTo(7584.0, 5);
  });

  it("has 0 variance for one sample", () => {
    const h = new HeartbeatHistory(600);
    h.add(1000);
    expect(h.variance).toBeCloseTo(0, 5);
  });

  it("is capped by maxSampleSize", () => {
    const h = new HeartbeatHistory(3);
    for (const v of [100, 110, 90]) h.add(v);
    expect(h.mean).toBeCloseTo(100, 5);
    expect(h.variance).toBeCloseTo(66.6666667, 5);
    h.add(140);
    expect(h.mean).toBeCloseTo(113.333333, 5);
    expect(h.variance).toBeCloseTo(422.222222, 5);
    h.add(80);
    expect(h.mean).toBeCloseTo(103.333333, 5);
    expect(h.variance).toBeCloseTo(688.88888889, 5);
  });
});

describe("PhiAccrual: Akka's fake-clock cases", () => {
  it("phi is 0 before any heartbeat", () => {
    const fd = new PhiAccrual(akkaSpecParams());
    expect(fd.phi(123 * S)).toBe(0);
    expect(fd.isMonitoring).toBe(false);
  });

  it("return phi based on guess when only one heartbeat", () => {
    const clock = fakeClock([0, 1000, 1000, 1000, 1000]);
    const fd = new PhiAccrual(akkaSpecParams());
    fd.heartbeat(clock());
    expect(Math.abs(fd.phi(clock()) - 0.3)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(fd.phi(clock()) - 4.5)).toBeLessThanOrEqual(0.3);
    expect(fd.phi(clock())).toBeGreaterThan(15);
  });

  it("return phi value using first interval after second heartbeat", () => {
    const clock = fakeClock([0, 100, 100, 100]);
    const fd = new PhiAccrual(akkaSpecParams());
    fd.heartbeat(clock());
    expect(fd.phi(clock())).toBeGreaterThan(0);
    fd.heartbeat(clock());
    expect(fd.phi(clock())).toBeGreaterThan(0);
  });

  it("mark node as dead if heartbeat are missed (threshold 3)", () => {
    const clock = fakeClock([0, 1000, 100, 100, 7000]);
    const fd = new PhiAccrual(akkaSpecParams({ threshold: 3 }));
    fd.heartbeat(clock());
    fd.heartbeat(clock());
    fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(true);
    expect(fd.isAvailable(clock())).toBe(false);
  });

  it("mark node as available if it starts heartbeat again after being marked dead", () => {
    const intervals = [0, ...Array<number>(999).fill(1000), 5 * 60 * 1000, 100, 900, 100, 7000, 100, 900, 100, 900];
    const clock = fakeClock(intervals);
    const fd = new PhiAccrual(akkaSpecParams({ threshold: 8, acceptableHeartbeatPauseUs: 3 * S }));
    for (let i = 0; i < 1000; i++) fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(false);
    fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(true);
    fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(false);
    fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(true);
    fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(true);
  });

  it("accept some configured missing heartbeats (pause 3 s tolerates a 4 s gap)", () => {
    const clock = fakeClock([0, 1000, 1000, 1000, 4000, 1000, 1000]);
    const fd = new PhiAccrual(akkaSpecParams({ acceptableHeartbeatPauseUs: 3 * S }));
    for (let i = 0; i < 4; i++) fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(true);
    fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(true);
  });

  it("fail after configured acceptable missing heartbeats", () => {
    const clock = fakeClock([0, 1000, 1000, 1000, 1000, 1000, 500, 500, 5000]);
    const fd = new PhiAccrual(akkaSpecParams({ acceptableHeartbeatPauseUs: 3 * S }));
    for (let i = 0; i < 6; i++) fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(true);
    fd.heartbeat(clock());
    expect(fd.isAvailable(clock())).toBe(false);
  });

  it("use maxSampleSize heartbeats", () => {
    const clock = fakeClock([0, 100, 100, 100, 100, 600, 500, 500, 500, 500, 500]);
    const fd = new PhiAccrual(akkaSpecParams({ maxSampleSize: 3 }));
    for (let i = 0; i < 4; i++) fd.heartbeat(clock());
    const phi1 = fd.phi(clock());
    for (let i = 0; i < 4; i++) fd.heartbeat(clock());
    const phi2 = fd.phi(clock());
    expect(Math.abs(phi2 - phi1)).toBeLessThanOrEqual(0.001);
  });
});

describe("Cassandra exponential variant", () => {
  it("convicts when t/mean/ln 10 > 8, i.e. after 18.42 × mean", () => {
    expect(cassandraPhi(18.42, 1)).toBeLessThan(8);
    expect(cassandraPhi(18.43, 1)).toBeGreaterThan(8);
    const fd = new PhiAccrual(PHI_CASSANDRA_DEFAULTS);
    fd.heartbeat(0); // records the initial 2 s
    for (let i = 1; i <= 999; i++) fd.heartbeat(i * S); // 999 × 1 s: window full (1000)
    expect(fd.samples.mean).toBeCloseTo((2 * S + 999 * S) / 1000, 6);
    fd.heartbeat(1000 * S); // pushes the 2 s seed out
    expect(fd.samples.mean).toBe(1 * S);
    expect(fd.isAvailable(1000 * S + 18_420 * MS)).toBe(true);
    expect(fd.isAvailable(1000 * S + 18_430 * MS)).toBe(false);
  });

  it("seeds 2 s and does not record intervals over the 2 s cap", () => {
    const fd = new PhiAccrual(PHI_CASSANDRA_DEFAULTS);
    fd.heartbeat(10 * S);
    expect(fd.samples.mean).toBe(2 * S);
    fd.heartbeat(11 * S);
    expect(fd.samples.mean).toBe(1.5 * S);
    fd.heartbeat(30 * S); // 19 s gap: dropped
    expect(fd.samples.count).toBe(2);
    expect(fd.phi(31 * S)).toBeCloseTo((1 * S) / (1.5 * S) / Math.log(10), 9);
  });

  it("convicts nobody for 5 s after a local pause over 5 s", () => {
    const d = new PhiDetector(0, [1], PHI_CASSANDRA_DEFAULTS, 0);
    d.heartbeatFrom(1, 0);
    for (let t = 1; t <= 3; t++) d.tick(t * S); // regular checks, phi small
    expect(d.drain().events).toEqual([]);
    d.tick(60 * S); // the node itself was paused for 57 s: phi is huge but the guard holds
    expect(d.suspects(1)).toBe(false);
    d.tick(61 * S);
    d.tick(64 * S);
    expect(d.suspects(1)).toBe(false);
    d.tick(65 * S); // 5 s after the pause
    expect(d.suspects(1)).toBe(true);
  });
});

/** Deterministic jitter stream for the network. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function cluster(p: PhiParams, n: number, delay: () => number) {
  const nodes = new Map<number, PhiDetector>();
  for (let i = 0; i < n; i++) {
    nodes.set(
      i,
      new PhiDetector(i, Array.from({ length: n }, (_, j) => j).filter((j) => j !== i), p, 0),
    );
  }
  const net = new MiniNet<PhiMsg>(nodes, { delayUs: () => Math.floor(delay()) });
  return { net, nodes };
}

describe("PhiDetector over a network", () => {
  it("a target that never answers is detected from expected-response-after on (Akka)", () => {
    const { net } = cluster(PHI_AKKA_DEFAULTS, 2, () => 1000);
    net.crashed.add(1);
    net.run(30 * S);
    const s = net.eventsOf(FdEventKind.suspect, 0, 1);
    expect(s).toHaveLength(1);
    // first heartbeat recorded at 1 s (seeded history: mean 1 s, std 250 ms); crossing at
    // 1 s + 1 s + 3 s + y·250 ms ≈ 6.3 s, seen by the 7 s check.
    expect(s[0].trueUs).toBe(7 * S);
  });

  for (const variant of ["akka", "cassandra"] as const) {
    const base = variant === "akka" ? PHI_AKKA_DEFAULTS : PHI_CASSANDRA_DEFAULTS;

    it(`${variant} property: regular heartbeats with one-way jitter < 500 ms are never suspected`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 499_000 }), (seed, jitter) => {
          const r = lcg(seed);
          const { net } = cluster(base, 3, () => 500 + r() * jitter);
          net.run(300 * S);
          expect(net.events).toEqual([]);
        }),
        { numRuns: 25, seed: 3 },
      );
    });

    it(`${variant} property: after the target crashes every observer suspects it within B_D, for good`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 5 * S, max: 120 * S }), (seed, crashAt) => {
          const r = lcg(seed);
          const maxOneWay = 20_000;
          const { net } = cluster(base, 3, () => 1000 + r() * (maxOneWay - 1000));
          net.run(crashAt);
          net.crashed.add(2);
          const bound = PHI_SPEC.bound(base, { n: 3, rttUs: 2 * maxOneWay });
          net.run(crashAt + bound.suspectUs + 30 * S);
          for (const obs of [0, 1]) {
            const s = net.eventsOf(FdEventKind.suspect, obs, 2);
            expect(s, `observer ${obs}`).toHaveLength(1);
            expect(s[0].trueUs - crashAt).toBeLessThanOrEqual(bound.suspectUs);
            expect(net.eventsOf(FdEventKind.trust, obs, 2)).toEqual([]);
          }
          expect(net.events.filter((e) => e.target !== 2)).toEqual([]);
        }),
        { numRuns: 20, seed: 5 },
      );
    });
  }

  it("B_D at the defaults: Akka ≈ 4.52 s + 1 s check (+ the seeded std), Cassandra 18.42 × mean + 1 s", () => {
    const akka = PHI_SPEC.bound(PHI_AKKA_DEFAULTS, { n: 3, rttUs: 0, intervalStdUs: 100 * MS });
    expect(Math.abs(akka.suspectUs - 5_520 * MS)).toBeLessThan(10 * MS);
    const cass = PHI_SPEC.bound(PHI_CASSANDRA_DEFAULTS, { n: 3, rttUs: 0, intervalMeanUs: 1 * S });
    expect(Math.abs(cass.suspectUs - 19_420 * MS)).toBeLessThan(10 * MS);
  });
});

describe("phi across restarts (raftsim's hosting: Akka keys histories by incarnation)", () => {
  /** Observer 0 watching target 1; answers carry the target's incarnation. */
  function watch(answers: readonly { atS: number; inc: number }[]): PhiDetector {
    const d = new PhiDetector(0, [1], PHI_AKKA_DEFAULTS, 0);
    for (const a of answers) d.onMessage(1, a.inc === 0 ? { k: 4, seq: 1 } : { k: 4, seq: 1, inc: a.inc }, a.atS * S);
    return d;
  }

  it("a restarted target starts a fresh history; the same incarnation keeps its gap", () => {
    // Answers at 1, 2, 3 s; the target is down 3..5.5 s (shorter than the acceptable pause, so
    // Akka would record the 2.5 s interval) and answers again at 5.5, 6.5 s.
    const same = watch([{ atS: 1, inc: 0 }, { atS: 2, inc: 0 }, { atS: 3, inc: 0 }, { atS: 5.5, inc: 0 }, { atS: 6.5, inc: 0 }]);
    const fresh = watch([{ atS: 1, inc: 0 }, { atS: 2, inc: 0 }, { atS: 3, inc: 0 }, { atS: 5.5, inc: 1 }, { atS: 6.5, inc: 1 }]);
    // Same incarnation: the 2.5 s interval is in the history, so phi at +4 s is lower.
    expect(same.phi(1, 10.5 * S)).toBeLessThan(fresh.phi(1, 10.5 * S));
    // A fresh history is Akka's first-heartbeat seed plus one regular interval: mean 1 s.
    const ref = new PhiAccrual(PHI_AKKA_DEFAULTS);
    ref.heartbeat(5.5 * S);
    ref.heartbeat(6.5 * S);
    expect(fresh.phi(1, 10.5 * S)).toBeCloseTo(ref.phi(10.5 * S), 9);
  });

  it("the restart bound covers a history with one near-zero interval; the steady bound does not", () => {
    const p = PHI_AKKA_DEFAULTS;
    const rtt = 50 * MS;
    const steady = PHI_SPEC.bound(p, { n: 9, rttUs: rtt }).suspectUs;
    const restart = akkaRestartBoundUs(p, rtt);
    expect(restart).toBeGreaterThan(steady);
    // Expected-response-after records a heartbeat at 1 s; a real answer at 1.02 s adds a 20 ms
    // interval; the target then dies. The first check at which phi crosses the threshold:
    const fd = new PhiAccrual(p);
    fd.heartbeat(1 * S);
    fd.heartbeat(1.02 * S);
    let t = 1.02 * S;
    while (fd.isAvailable(t)) t += p.checkIntervalUs;
    const detectAfterCrash = t - 1.02 * S + rtt; // the crash may be up to one RTT before the answer
    expect(detectAfterCrash).toBeGreaterThan(steady);
    expect(detectAfterCrash).toBeLessThanOrEqual(restart);
  });
});
