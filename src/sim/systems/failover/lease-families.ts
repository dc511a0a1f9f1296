// The lease design's own swarm family, "lease-stress" (FAILURE-DETECTION.md §d #5 and #18):
// schedules aimed at the places where a lease can outlive its guard. Its actions are wrapped
// ({kind: "lease-only", a}) so that only a lease run carries them out: the lease setup unwraps
// them (adjustSchedule), the Valkey designs drop them, and their generated schedules stay as
// they were. Drawn from a stream of its own: it moves no other family's draws.
//
// Episodes start once the shards have a primaryship (1.5 s in), on one shard's members p, c, o
// (p is the shard's first node, the holder since boot unless a failover moved it, three times
// in four; else a random order):
// - late news (#18a): the links into p are clogged for 1.7-2.4 L (p learns late that its
//   renewal committed) and p's links out are cut 0.3-0.5 s later (its next renewals never
//   commit); when the clog has let the news through, p is isolated (it must not hear of the
//   takeover) for 2 L;
// - a starved candidate (#18b): p's link to c is cut for 2 L + 0.3-1.5 s: c misses the holder's
//   heartbeats and FAILs it while the third member still applies its renewals;
// - a stepped clock (#5): p's clock jumps back 1 h and p is isolated (within L) for 3-4 L; or
//   c's and o's clocks jump ahead 1 h while the links into p are clogged for L;
// - drift: two members drift in opposite directions, 1-10%. Not the spec's 40%: with a 2L guard
//   leases are disjoint only for rate error below 1/3 (detectors/lease.ts), so 40% would break
//   the correct design, which claims no more.
import type { FaultAction, GenericFault, SwarmFamily } from "../../faults/index.js";
import { MS, S } from "../../../util/time.js";

/** The wrapper kind: an action only the lease design carries out. */
export const LEASE_ONLY = "lease-only";

/** The lease length the family aims at (the design's default L). */
const L = S;
const HOUR = 3_600 * S;

export const leaseStressFamily: SwarmFamily = {
  name: "lease-stress",
  draw: { p: 0.75 },
  generate(r, { servers: N, start, emit, episodes }) {
    const size = N % 3 === 0 ? 3 : N;
    const wrap = (a: GenericFault): void => emit({ at: a.at, kind: LEASE_ONLY, a } as FaultAction);
    const episode = (at: number): void => {
      const shard = r.int(0, N / size - 1);
      const members: number[] = [];
      for (let j = 0; j < size; j++) members.push(shard * size + j);
      const [p, c, o] = r.chance(0.75) ? [members[0], ...r.shuffle(members.slice(1))] : r.shuffle(members);
      // Late news needs the longest quiet stretch (other families' heals undo its isolation):
      // drawn most often.
      const x = r.int(0, 19);
      const what = x < 7 ? 0 : x < 11 ? 1 : x < 15 ? 2 : x < 18 ? 3 : 4;
      if (at < start + 1.5 * S || c === undefined || o === undefined) return;
      switch (what) {
        case 0: {
          // At least one renewal (every L/4) leaves between the clog and the cut; the news of it
          // reaches p after the members' guard would have let a lease from its send time end.
          const cut = at + r.int(300 * MS, 500 * MS);
          const d = cut - at + r.int(Math.round(1.4 * L), Math.round(1.9 * L));
          wrap({ at, kind: "clog", from: c, to: p, durationUs: d });
          wrap({ at, kind: "clog", from: o, to: p, durationUs: d });
          wrap({ at: cut, kind: "cut-one-way", from: p, to: c });
          wrap({ at: cut, kind: "cut-one-way", from: p, to: o });
          wrap({ at: at + d + 20 * MS, kind: "isolate", node: p });
          wrap({ at: at + d + 2 * L, kind: "heal" });
          return;
        }
        case 1:
          wrap({ at, kind: "cut-one-way", from: p, to: c });
          wrap({ at: at + 2 * L + r.int(300 * MS, 1_500 * MS), kind: "heal" });
          return;
        case 2: {
          wrap({ at, kind: "clock-jump", node: p, us: -HOUR });
          const iso = at + r.int(0, L);
          wrap({ at: iso, kind: "isolate", node: p });
          wrap({ at: iso + r.int(3 * L, 4 * L), kind: "heal" });
          return;
        }
        case 3:
          wrap({ at, kind: "clock-jump", node: c, us: HOUR });
          wrap({ at, kind: "clock-jump", node: o, us: HOUR });
          wrap({ at, kind: "clog", from: c, to: p, durationUs: L });
          wrap({ at, kind: "clog", from: o, to: p, durationUs: L });
          return;
        default: {
          const ppm = r.int(10_000, 100_000);
          wrap({ at, kind: "clock-drift", node: p, ppm });
          wrap({ at, kind: "clock-drift", node: c, ppm: -ppm });
        }
      }
    };
    // Two streams of episodes: each one is a long shot (it needs its shard's holder where the
    // draw put it, and a quiet stretch), so twice the chances.
    episodes(episode);
    episodes(episode);
  },
};

/** A lease run's schedule: the wrapped actions carried out as what they wrap. */
export function unwrapLeaseOnly(actions: readonly FaultAction[]): FaultAction[] {
  return actions.map((a) => (a.kind === LEASE_ONLY ? (a as unknown as { a: FaultAction }).a : a));
}

/** Any other design's schedule: without the lease family's actions. */
export function dropLeaseOnly(actions: readonly FaultAction[]): FaultAction[] {
  return actions.filter((a) => a.kind !== LEASE_ONLY);
}
