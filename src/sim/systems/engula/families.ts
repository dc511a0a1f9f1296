// The engula system's own swarm families, each drawn from a stream of its own ({p}), so none
// moves another family's draws. Their timing follows the default options (threshold 1.5 s,
// heartbeat timeout 200 ms, interval 1.3 s): a family is generated before the run and does not
// see the run's options.
import type { SwarmFamily } from "../../faults/index.js";
import { MS, S } from "../../../util/time.js";
import { DEFAULTS } from "./options.js";

const THRESHOLD = DEFAULTS.livenessThresholdMs * MS;

/** Bug #12's schedule (FAILURE-DETECTION.md §d): crash a node, then force a control-plane
 * leader change every threshold/2 (isolate the control unit briefly) until the heal. The node is
 * drawn among the later joiners, which are seldom root-group members. */
export const cuChurnFamily: SwarmFamily = {
  name: "cu-churn",
  draw: { p: 0.3 },
  generate(r, { servers: N, start, end, emit }) {
    // After the joins (a node that never joined is not the control unit's to detect), early
    // enough that the detection bound ends before the heal.
    const t0 = start + r.int(1000 * MS, 1600 * MS);
    emit({ at: t0, kind: "crash", node: r.int(Math.min(3, N - 1), N - 1) });
    for (let t = t0 + r.int(0, THRESHOLD / 2); t < end; t += THRESHOLD / 2) {
      emit({ at: t, kind: "isolate-leader" });
      emit({ at: t + r.int(300 * MS, 500 * MS), kind: "heal" });
    }
  },
};

/** Crash two voters of one data group (initial placement: consecutive nodes), a little apart,
 * and bring them back: the group has no quorum until one returns (the faults alone). */
export const twoVotersFamily: SwarmFamily = {
  name: "crash-two-voters",
  draw: { p: 0.25 },
  generate(r, { servers: N, emit, episodes }) {
    episodes((at) => {
      const a = r.int(0, N - 1);
      const b = (a + r.int(1, 2)) % N;
      emit({ at, kind: "crash", node: a });
      emit({ at: at + r.int(0, 2 * S), kind: "crash", node: b });
      emit({ at: at + r.int(2 * S, 5 * S), kind: "restart", node: a });
      emit({ at: at + r.int(2 * S, 5 * S), kind: "restart", node: b });
    });
  },
};

/** A voter is cut off from the other nodes (clients still reach it) long enough to be declared
 * dead and cured, then a second node crashes while the cure is under way. */
export const cutThenCrashFamily: SwarmFamily = {
  name: "cut-then-crash",
  draw: { p: 0.3 },
  generate(r, { servers: N, start, emit }) {
    const t0 = start + r.int(200 * MS, 1500 * MS);
    const c = r.int(0, N - 1);
    const a = (c + r.int(1, N - 1)) % N;
    emit({ at: t0, kind: "partition-halves", side: [c] });
    const tc = t0 + THRESHOLD + r.int(0, 2 * S);
    emit({ at: tc, kind: "crash", node: a });
    emit({ at: tc + r.int(500 * MS, 2 * S), kind: "heal" });
    emit({ at: tc + r.int(1 * S, 3 * S), kind: "restart", node: a });
  },
};

/** A root-group follower is cut off from the other nodes while clients keep writing through the
 * control unit and keep reaching it (they are not cut): its replica falls behind. */
export const laggingRootFamily: SwarmFamily = {
  name: "lagging-root",
  draw: { p: 0.3 },
  generate(r, { servers: N, emit, episodes }) {
    episodes((at) => {
      emit({ at, kind: "partition-halves", side: [r.int(1, Math.min(2, N - 1))] });
      emit({ at: at + r.int(500 * MS, 2 * S), kind: "heal" });
    });
  },
};

export const ENGULA_FAMILIES: readonly SwarmFamily[] = [cuChurnFamily, twoVotersFamily, cutThenCrashFamily, laggingRootFamily];
