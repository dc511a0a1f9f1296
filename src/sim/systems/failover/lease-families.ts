// The lease design's own swarm family, "lease-stress" (FAILURE-DETECTION.md §d #5 and #18):
// schedules aimed at the places where a lease can outlive its guard. Its actions are wrapped
// ({kind: "lease-only", a}) so that only a lease run carries them out: the lease setup unwraps
// them (adjustSchedule), the Valkey designs drop them, and their generated schedules stay as
// they were. Drawn from a stream of its own: it moves no other family's draws.
//
// Episodes, on one shard's members p, c, o (a random order; the holder is often the shard's
// first node, which claims the primaryship at boot):
// - late news (#18a): the links into p are clogged for 1.1-2.2 L (p learns late that its
//   renewal committed), and p's own links out are cut a moment later (its next renewals never
//   commit), then healed after 3 L;
// - a starved candidate (#18b): p's link to c is cut for 2.2-3.5 L (if p leads the shard log, c
//   misses the last renewals and FAILs the holder early while the third member still acks it);
// - a stepped clock (#5): p's clock jumps by +-1 h, then p is isolated for 3-4 L;
// - drift: two members drift in opposite directions, up to the kernel's bound (10%: the
//   simulator's clocks allow no more; the spec's 40% cannot be drawn here).
import type { FaultAction, GenericFault, SwarmFamily } from "../../faults/index.js";
import { MS, S } from "../../../util/time.js";

/** The wrapper kind: an action only the lease design carries out. */
export const LEASE_ONLY = "lease-only";

/** The lease length the family aims at (the design's default L). */
const L = 2 * S;

export const leaseStressFamily: SwarmFamily = {
  name: "lease-stress",
  draw: { p: 0.5 },
  generate(r, { servers: N, emit, episodes }) {
    const size = N % 3 === 0 ? 3 : N;
    const wrap = (a: GenericFault): void => emit({ at: a.at, kind: LEASE_ONLY, a } as FaultAction);
    episodes((at) => {
      const shard = r.int(0, N / size - 1);
      const members: number[] = [];
      for (let j = 0; j < size; j++) members.push(shard * size + j);
      const [p, c, o] = r.shuffle(members);
      switch (r.int(0, 3)) {
        case 0: {
          const d = r.int(Math.round(1.1 * L), Math.round(2.2 * L));
          const cut = at + r.int(0, 500 * MS);
          for (const q of [c, o]) if (q !== undefined) wrap({ at, kind: "clog", from: q, to: p, durationUs: d });
          for (const q of [c, o]) if (q !== undefined) wrap({ at: cut, kind: "cut-one-way", from: p, to: q });
          wrap({ at: cut + 3 * L, kind: "heal" });
          return;
        }
        case 1:
          if (c === undefined) return;
          wrap({ at, kind: "cut-one-way", from: p, to: c });
          wrap({ at: at + r.int(Math.round(2.2 * L), Math.round(3.5 * L)), kind: "heal" });
          return;
        case 2: {
          wrap({ at, kind: "clock-jump", node: p, us: r.chance(0.5) ? 3_600 * S : -3_600 * S });
          const iso = at + r.int(0, S);
          wrap({ at: iso, kind: "isolate", node: p });
          wrap({ at: iso + r.int(3 * L, 4 * L), kind: "heal" });
          return;
        }
        default: {
          const ppm = r.int(10_000, 100_000);
          wrap({ at, kind: "clock-drift", node: p, ppm });
          if (c !== undefined) wrap({ at, kind: "clock-drift", node: c, ppm: -ppm });
        }
      }
    });
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
