// The failover system's own swarm family: primaries crash (the "leader" target resolves to a
// slot-owning primary) and stay down long enough for a failover. Drawn from a stream of its
// own, so it moves no other family's draws.
import type { SwarmFamily } from "../../faults/index.js";
import { S } from "../../../util/time.js";

export const primaryCrashFamily: SwarmFamily = {
  name: "primary-crash",
  draw: { p: 0.5 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "crash-leader", downUs: r.int(2 * S, 12 * S) }));
  },
};
