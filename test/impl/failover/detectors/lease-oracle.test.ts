import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DETECTOR_SPECS, describeDetectors } from "../../../../src/impl/failover/detectors/index.js";
import {
  LEASE_DEFAULTS,
  LEASE_SPEC,
  LeaseWatch,
  maxRhoForGuard,
  minGuardUs,
  PrimaryLease,
  PrimaryshipGuard,
} from "../../../../src/impl/failover/detectors/lease.js";
import { OracleDetector } from "../../../../src/impl/failover/detectors/oracle.js";
import { DETECTOR_NAMES, FdEventKind, S } from "../../../../src/impl/failover/detectors/types.js";

const L = LEASE_DEFAULTS.leaseUs;

describe("lease: primary side", () => {
  it("serves writes until the acked renewal's send time + L, not its ack time + L", () => {
    const pl = new PrimaryLease();
    expect(pl.canServeWrites(0)).toBe(false);
    pl.renewSent(1, 1 * S);
    expect(pl.canServeWrites(1 * S + 10)).toBe(false); // not acked yet
    pl.renewAcked(1, 1.4 * S); // committed 400 ms later
    expect(pl.expiresAtLocal).toBe(1 * S + L);
    expect(pl.canServeWrites(1 * S + L - 1)).toBe(true);
    expect(pl.canServeWrites(1 * S + L)).toBe(false);
  });

  it("an ack of an older renewal never moves the lease back; a newer one extends it", () => {
    const pl = new PrimaryLease();
    pl.renewSent(1, 1 * S);
    pl.renewSent(2, 1.5 * S);
    pl.renewAcked(2, 1.6 * S);
    pl.renewAcked(1, 1.7 * S); // moot: dropped with 2's ack
    expect(pl.expiresAtLocal).toBe(1.5 * S + L);
  });

  it("P-L2: a backward step of the primary's clock revokes the lease", () => {
    const pl = new PrimaryLease();
    pl.renewSent(1, 10 * S);
    pl.renewAcked(1, 10.1 * S);
    expect(pl.canServeWrites(10.5 * S)).toBe(true);
    expect(pl.canServeWrites(9 * S)).toBe(false); // stepped back 1.5 s: would otherwise be "valid" longer
    expect(pl.stepRevocations).toBe(1);
    expect(pl.canServeWrites(10.6 * S)).toBe(false);
  });
});

describe("lease: store member guard", () => {
  it("refuses a CAS for another node until 2L after its last ack; the current primary may renew", () => {
    const g = new PrimaryshipGuard();
    g.acked(7, 5 * S);
    expect(g.mayAccept(7, 5.1 * S)).toBe(true);
    expect(g.mayAccept(8, 5 * S + 2 * L - 1)).toBe(false);
    expect(g.mayAccept(8, 5 * S + 2 * L)).toBe(true);
    expect(g.refuseUntilLocal()).toBe(5 * S + 2 * L);
  });

  it("a backward step on the member's clock does not shorten the refusal: 2L of elapsed time still pass", () => {
    const g = new PrimaryshipGuard();
    g.acked(7, 5 * S);
    expect(g.mayAccept(8, 4 * S)).toBe(false); // stepped back 1 s: that second does not count as passing
    expect(g.mayAccept(8, 4 * S + 2 * L - 1)).toBe(false);
    expect(g.mayAccept(8, 4 * S + 2 * L)).toBe(true);
  });
});

describe("lease: replica watch", () => {
  it("FAILs the primary 2L after the last renewal it saw, trusts it on the next", () => {
    const w = new LeaseWatch(2, 0, LEASE_DEFAULTS, 0);
    w.renewalSeen(0, 1 * S);
    w.tick(1 * S + 2 * L - 1);
    expect(w.suspects(0)).toBe(false);
    expect(w.nextWakeUs()).toBe(1 * S + 2 * L);
    w.tick(1 * S + 2 * L);
    expect(w.suspects(0)).toBe(true);
    w.renewalSeen(0, 20 * S);
    expect(w.drain().events.map((e) => [e.kind, e.target, e.atLocalUs])).toEqual([
      [FdEventKind.fail, 0, 1 * S + 2 * L],
      [FdEventKind.trust, 0, 20 * S],
    ]);
    expect(LEASE_SPEC.bound(LEASE_DEFAULTS, { n: 3, rttUs: 0 }).failUs).toBe(2 * L);
  });
});

describe("lease: P-L1 disjointness under clock rate error rho", () => {
  it("the guard bound: L·(1+rho)/(1-rho); the RFC's 2L holds up to rho = 1/3 (not sqrt(2)-1)", () => {
    expect(maxRhoForGuard(2)).toBeCloseTo(1 / 3, 12);
    expect(minGuardUs(L, 1 / 3)).toBeCloseTo(2 * L, 6);
    expect(minGuardUs(L, 0.4)).toBeGreaterThan(2 * L); // FAILURE-DETECTION.md's 0.414 is too optimistic
  });

  /**
   * True-time check with the state machines: the primary's clock runs at rate rp, the member's at
   * rm (local = rate·true + offset); the renewal is sent at true t0, acked by the member d later.
   * Returns [true end of the old lease, first true instant the member accepts a new primaryship].
   */
  function race(rp: number, rm: number, d: number, offP = 0, offM = 0): [number, number] {
    const lp = (t: number) => Math.floor(offP + rp * t);
    const lm = (t: number) => Math.floor(offM + rm * t);
    const pl = new PrimaryLease();
    const g = new PrimaryshipGuard();
    const t0 = 10 * S;
    pl.renewSent(1, lp(t0));
    g.acked(0, lm(t0 + d));
    pl.renewAcked(1, lp(t0 + d + d));
    // Scan true time in 1 ms steps (exact enough for the margins used below).
    let end = t0;
    while (pl.canServeWrites(lp(end))) end += 1000;
    let accept = t0 + d;
    while (!g.mayAccept(1, lm(accept))) accept += 1000;
    return [end, accept];
  }

  it("property: with rho below (g-1)/(g+1) the old lease ends before any member accepts a successor", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.32, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 500_000 }),
        (rho, a, b, d) => {
          const [end, accept] = race(1 + a * rho, 1 + b * rho, d, 123_456, -987_654);
          expect(end).toBeLessThanOrEqual(accept);
        },
      ),
      { numRuns: 200, seed: 17 },
    );
  });

  it("above the bound the worst case (slow primary, fast member, instant ack) overlaps", () => {
    const rho = 0.36;
    const [end, accept] = race(1 - rho, 1 + rho, 0);
    expect(end).toBeGreaterThan(accept);
    const [end2, accept2] = race(1 - 0.3, 1 + 0.3, 0);
    expect(end2).toBeLessThanOrEqual(accept2);
  });
});

describe("oracle (ground-truth puppet)", () => {
  it("suspects detectDelay after a real failure, trusts trustDelay after recovery; a quick flap never shows", () => {
    const o = new OracleDetector(0, [1, 2], { detectDelayUs: 300, trustDelayUs: 100 });
    o.setTruth(1, false, 1000);
    expect(o.nextWakeUs()).toBe(1300);
    o.tick(1299);
    expect(o.suspects(1)).toBe(false);
    o.tick(1300);
    expect(o.suspects(1)).toBe(true);
    o.setTruth(1, true, 2000);
    o.tick(2100);
    expect(o.suspects(1)).toBe(false);
    o.setTruth(2, false, 3000);
    o.setTruth(2, true, 3100); // back before the detection delay: nothing to report
    o.tick(5000);
    expect(o.drain().events.map((e) => [e.kind, e.target, e.atLocalUs])).toEqual([
      [FdEventKind.suspect, 1, 1300],
      [FdEventKind.trust, 1, 2100],
    ]);
  });

  it("force flips the view at once (Akka's FailureDetectorPuppet)", () => {
    const o = new OracleDetector(0, [1]);
    o.force(1, true, 5);
    expect(o.suspects(1)).toBe(true);
    o.setTruth(1, false, 6); // already suspected: nothing pending
    expect(o.nextWakeUs()).toBe(Number.POSITIVE_INFINITY);
    o.force(1, false, 7);
    expect(o.drain().events.map((e) => e.kind)).toEqual([FdEventKind.suspect, FdEventKind.trust]);
  });
});

describe("self-description", () => {
  it("every detector describes itself with documented, sourced parameters and a B_D", () => {
    const d = describeDetectors();
    expect(d.map((x) => x.name)).toEqual([...DETECTOR_NAMES]);
    for (const x of d) {
      expect(x.description.length).toBeGreaterThan(20);
      for (const p of x.params) {
        expect(p.doc.length, `${x.name}.${p.name}`).toBeGreaterThan(3);
        expect(p.source.length, `${x.name}.${p.name}`).toBeGreaterThan(3);
        expect((DETECTOR_SPECS[x.name].defaults as Record<string, unknown>)[p.name], `${x.name}.${p.name} default`).toEqual(p.default);
      }
      const b = DETECTOR_SPECS[x.name].bound(DETECTOR_SPECS[x.name].defaults as never, { n: 5, rttUs: 2000 });
      expect(Number.isFinite(b.suspectUs)).toBe(true);
      expect(b.formula.length).toBeGreaterThan(5);
    }
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});
