// The failover system's own swarm families. Each is drawn from a stream of its own ({p}), so
// adding one moves no other family's draw (src/sim/faults/swarm.ts). "primary-crash" came
// first; the F-families are the fault schedules F2-F12 of FAILURE-DETECTION.md §e R4 (F1, a
// primary crash, is "primary-crash"), named after them so `raftsim compare` rows read as the
// spec's table; two more aim at planted bugs that need a particular shape of run.
//
// Families see only the server count, not the run's options, so they assume the default shape
// (shards of one primary and 2 replicas: shard s is nodes 3s..3s+2, 3s its primary as created)
// and Valkey's test settings (T = 3 s). Faults meant for "the primary" are the failover
// system's own kind "primary-fault" (faults.ts), resolved when it runs against the primaries
// that own slots then, so they hit the current primary even after failovers.
//
// Scale: the default is 3 shards (9 servers), and a family cannot change the server count.
// F11 ("just under half of the voting primaries") is then floor((shards - 1) / 2) = 1 primary
// at 3 shards; run it with --servers 15 or more (5+ shards) for 2 or more at once.
import type { SwarmFamily } from "../../faults/index.js";
import { range } from "../../kernel/network.js";
import { VALKEY_TEST_SETTINGS } from "../../../impl/failover/valkey/types.js";
import { MS, S } from "../../../util/time.js";

const T = (VALKEY_TEST_SETTINGS.nodeTimeoutMs ?? 3_000) * MS;
const PER_SHARD = 3;
const HOUR = 3_600 * S;

/** F1: primaries crash (the "leader" target resolves to a slot-owning primary) and stay down
 * long enough for a failover. */
export const primaryCrashFamily: SwarmFamily = {
  name: "primary-crash",
  draw: { p: 0.5 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "crash-leader", downUs: r.int(2 * S, 12 * S) }));
  },
};

/** F2: a primary crashes and restarts within T (before it can be failed over). */
export const f2CrashRestart: SwarmFamily = {
  name: "f2-crash-restart",
  draw: { p: 0.1 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "crash-leader", downUs: r.int(T / 10, (9 * T) / 10) }));
  },
};

/** F3: the primary and one of its replicas split from the majority for 2T, then healed. */
export const f3MinoritySplit: SwarmFamily = {
  name: "f3-minority-split",
  draw: { p: 0.2 },
  generate(r, { start, span, emit }) {
    // One or two splits: each lasts 2T, so more would leave no room to heal in a 10 s run.
    const n = r.int(1, 2);
    for (let i = 0; i < n; i++) emit({ at: start + r.int(0, Math.max(0, span - 2 * T)), kind: "primary-fault", what: "split", durationUs: 2 * T });
  },
};

/** F4: one observer cut from one primary only, one way (observer -> primary), as kvrocks#329. */
export const f4ObserverCut: SwarmFamily = {
  name: "f4-observer-cut",
  draw: { p: 0.1 },
  generate(r, { servers: N, emit, episodes, dur }) {
    episodes((at) => emit({ at, kind: "primary-fault", what: "cut-from", observer: r.int(0, N - 1), durationUs: dur() }));
  },
};

/** F5: one-way loss: links that drop everything in one direction only. */
export const f5OneWayLoss: SwarmFamily = {
  name: "f5-one-way-loss",
  draw: { p: 0.1 },
  generate(r, { servers: N, emit, episodes, dur }) {
    episodes((at) => {
      const ids = r.shuffle(range(N));
      const k = r.int(1, Math.max(1, N - 1));
      for (let i = 0; i < k; i++) emit({ at, kind: "cut-one-way", from: ids[0], to: ids[1 + (i % (N - 1))] });
      emit({ at: at + dur(), kind: "heal" });
    });
  },
};

/** F6: the primary pauses (a GC or a long script) for 0.5T, 1.0T or 1.5T. */
export const f6PrimaryPause: SwarmFamily = {
  name: "f6-primary-pause",
  draw: { p: 0.1 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "primary-fault", what: "pause", durationUs: Math.round(r.pick([0.5, 1.0, 1.5]) * T) }));
  },
};

/** F7: an observer that is not a primary (as created) pauses. */
export const f7ObserverPause: SwarmFamily = {
  name: "f7-observer-pause",
  draw: { p: 0.1 },
  generate(r, { servers: N, emit, episodes, dur }) {
    const replicas = range(N).filter((i) => i % PER_SHARD !== 0);
    if (replicas.length === 0) return;
    episodes((at) => {
      const node = r.pick(replicas);
      emit({ at, kind: "pause", node });
      emit({ at: at + dur(), kind: "resume", node });
    });
  },
};

/** F8: the primary's clock jumps by ±1 h, or runs 1-40% fast or slow (until the heal). */
export const f8PrimaryClock: SwarmFamily = {
  name: "f8-primary-clock",
  draw: { p: 0.15 },
  generate(r, { emit, episodes }) {
    episodes((at) => {
      if (r.chance(0.5)) emit({ at, kind: "primary-fault", what: "clock-jump", us: r.chance(0.5) ? HOUR : -HOUR });
      else emit({ at, kind: "primary-fault", what: "clock-drift", ppm: (r.chance(0.5) ? 1 : -1) * r.int(10_000, 400_000) });
    });
  },
};

/** F9: loss 1-30% and duplication on every link, for the whole fault phase. */
export const f9LossDup: SwarmFamily = {
  name: "f9-loss-dup",
  draw: { p: 0.1 },
  generate(r, { start, emit }) {
    emit({ at: start, kind: "net", lossP: r.int(1, 30) / 100, dupP: r.pick([0.01, 0.05, 0.1, 0.2]) });
  },
};

/** F10: two primaries killed in the same tick (they stay down long enough to fail over). */
export const f10TwoPrimaries: SwarmFamily = {
  name: "f10-two-primaries",
  draw: { p: 0.1 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "primary-fault", what: "crash", count: 2, durationUs: r.int(2 * S, 12 * S) }));
  },
};

/** F11: just under half of the voting primaries killed at once: floor((shards - 1) / 2). */
export const f11MinorityOfPrimaries: SwarmFamily = {
  name: "f11-minority-of-primaries",
  draw: { p: 0.1 },
  generate(r, { servers: N, emit, episodes }) {
    const count = Math.max(1, Math.floor((Math.floor(N / PER_SHARD) - 1) / 2));
    episodes((at) => emit({ at, kind: "primary-fault", what: "crash", count, durationUs: r.int(2 * S, 12 * S) }));
  },
};

/** F12: mass restart: every node crashes in one tick and comes back, together or staggered. */
export const f12MassRestart: SwarmFamily = {
  name: "f12-mass-restart",
  draw: { p: 0.1 },
  generate(r, { servers: N, start, span, emit }) {
    const at = start + r.int(0, span - 1);
    const stagger = r.chance(0.5) ? 0 : r.int(1 * MS, 500 * MS);
    const down = r.int(100 * MS, 2 * S);
    for (const node of range(N)) emit({ at, kind: "crash", node });
    for (const node of r.shuffle(range(N)).map((x, i) => [x, i] as const)) emit({ at: at + down + node[1] * stagger, kind: "restart", node: node[0] });
  },
};

/** Slow message processing (Lifeguard's CPU-starved members): about 10% of the nodes (at least
 * one) handle every delivered message 5-300 ms late, until the heal. */
export const slowProcessingFamily: SwarmFamily = {
  name: "slow-processing",
  draw: { p: 0.1 },
  generate(r, { servers: N, start, span, emit }) {
    const k = Math.max(1, Math.round(N / 10));
    const at = start + r.int(0, Math.floor(span / 2));
    for (const node of r.shuffle(range(N)).slice(0, k)) emit({ at, kind: "slow-node", node, us: r.int(5 * MS, 300 * MS) });
  },
};

/** Aimed at bugs of failure detection and failover (P-FD1 for FAIL, P-FO6): one primary
 * crashes early in the fault phase, alone, and stays down until the heal, so the bounded
 * checks can run to their deadlines inside the fault phase (P-FO6 only in runs long enough:
 * its deadline is about 5 s after the crash and 10 s runs heal at 6.7 s). */
export const lonePrimaryCrash: SwarmFamily = {
  name: "lone-primary-crash",
  draw: { p: 0.5 },
  generate(r, { start, span, emit }) {
    // After the cluster settles (primaries refuse writes for 2 s after boot), early enough for
    // the FAIL deadline (T + 2P + 4C + 2 RTT) to fall before the heal at 2/3 of a 10 s run.
    emit({ at: start + Math.round(span * r.int(33, 42) / 100), kind: "crash-leader", downUs: span });
  },
};

/** Aimed at the sub-replica safeguard (no-chain-fold): a replica D of shard s hears nobody but
 * its primary P (every other server's link to D cut one way); P crashes, its other replica wins
 * the failover, P comes back and is demoted. D hears P turned replica before it hears the new
 * owner's slot claims: it must fold the chain and follow the new primary. */
export const deafReplicaFailover: SwarmFamily = {
  name: "deaf-replica-failover",
  draw: { p: 0.4 },
  generate(r, { servers: N, start, span, emit }) {
    const shards = Math.floor(N / PER_SHARD);
    if (shards < 1) return;
    const p = PER_SHARD * r.int(0, shards - 1);
    const deaf = p + r.int(1, PER_SHARD - 1);
    // Early: the failover takes about T + 1-2 s, and P must be back (and demoted) before the
    // heal (at 2/3 of a run: 6.7 s of a 10 s run); not in the first 100 ms, while the
    // primaries still resolve their equal initial configEpochs (a crash then leaves replicas
    // with a stale one, and voters refuse them: §d #16 for real). P returns after it is FAIL
    // (T + a few hundred ms), before or after the election: either way the winner demotes it.
    const at = start + Math.round(span * r.int(4, 6) / 100);
    const restart = at + 100 * MS + r.int(Math.round(1.5 * T), Math.round(1.7 * T));
    // The cuts are laid again every 200 ms until a second after P's return: another family's
    // "heal" must not let D hear the new owner before it hears P demoted.
    for (let t = at; t < restart + S; t += 200 * MS) for (const from of range(N)) if (from !== p && from !== deaf) emit({ at: t, kind: "cut-one-way", from, to: deaf });
    emit({ at: at + 100 * MS, kind: "crash", node: p });
    emit({ at: restart, kind: "restart", node: p });
  },
};

/** The failover families, in generation order (appended to, never reordered). */
export const FAILOVER_FAMILIES: readonly SwarmFamily[] = [
  primaryCrashFamily,
  f2CrashRestart, f3MinoritySplit, f4ObserverCut, f5OneWayLoss, f6PrimaryPause, f7ObserverPause,
  f8PrimaryClock, f9LossDup, f10TwoPrimaries, f11MinorityOfPrimaries, f12MassRestart,
  slowProcessingFamily, lonePrimaryCrash, deafReplicaFailover,
];
