// snapshot-due (src/sim/systems/raft-metadata/snapshot-due-check.ts): a server whose applied index
// is snapshotEvery past its snapshot, with no snapshot write in flight, snapshots by its next tick.
// The check's bookkeeping on a hand-built world, correct runs (must pass), and servers broken on
// purpose (Raft patched, in this process only) that never take the snapshot they scheduled, or
// schedule it one entry late (must fail).
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { NOT_DUE } from "../../../src/impl/raft/state.js";
import { simulate } from "../../../src/api/simulate.js";
import { SnapshotDueCheck } from "../../../src/sim/systems/raft-metadata/snapshot-due-check.js";
import { TOUCHED_ALL } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);

/** One server (id 0) with the given indexes and durable snapshot file; mutable. */
function world(every: number) {
  const st = { applied: 0, snap: 0, file: 0, now: 0, status: 0 };
  const raft = { opts: { snapshotEvery: every }, snapshotIndex: () => st.snap, appliedIndex: () => st.applied };
  const w = {
    nodes: [{ raft }],
    status: { get 0() { return st.status; } },
    disks: [{ durableFile: () => (st.file === 0 ? undefined : { index: st.file }) }],
    get now() { return st.now; },
  } as unknown as AnyWorld;
  return { st, w };
}

describe("snapshot-due", () => {
  it("fails a server due past its tick, not one saving, paused, or below the threshold", () => {
    const { st, w } = world(10);
    const c = new SnapshotDueCheck(1);
    c.noted(0);
    st.applied = 9;
    expect(c.afterEvent(w, 0)).toBeNull(); // below the threshold: no longer watched
    st.applied = 10;
    st.now = 5_000;
    expect(c.afterEvent(w, 0)).toBeNull(); // not watched: no commit noted since
    c.committed(0, 9); // below snapshot + snapshotEvery: cannot be due, not looked at
    st.now = 5_500;
    expect(c.afterEvent(w, 0)).toBeNull();
    st.now = 5_000;
    c.committed(0, 10);
    expect(c.afterEvent(w, 0)).toBeNull(); // due from now
    st.now = 5_000 + 1_000;
    expect(c.afterEvent(w, 0)).toBeNull(); // within the slack
    st.now = 7_000;
    expect(c.afterEvent(w, 0)).toMatch(/^snapshot-due at node 0, t=7.000ms: applied index 10 is 10 entries past its snapshot \(0\), snapshotEvery is 10, no snapshot write is in flight, and it has taken none since t=5.000ms$/);
    // Taken at 10: the write is in flight until the file is durable; then 10 more are due.
    st.snap = 10;
    st.applied = 25;
    c.noted(0);
    expect(c.afterEvent(w, 0)).toBeNull();
    st.now = 50_000;
    expect(c.afterEvent(w, 0)).toBeNull(); // still saving
    st.file = 10;
    expect(c.afterEvent(w, 0)).toBeNull(); // durable: due from now
    st.status = 2; // paused
    st.now = 90_000;
    expect(c.afterEvent(w, 0)).toBeNull();
    st.status = 0;
    expect(c.afterEvent(w, TOUCHED_ALL)).toBeNull(); // the resume
    expect(c.afterEvent(w, 0)).toBeNull(); // due from the resume
    st.now = 90_500;
    st.snap = 25;
    expect(c.afterEvent(w, 0)).toBeNull(); // taken
    st.now = 200_000;
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("snapshots off: never due", () => {
    const { st, w } = world(0);
    const c = new SnapshotDueCheck(1);
    st.applied = 1_000;
    c.noted(0);
    expect(c.afterEvent(w, 0)).toBeNull();
    st.now = 1e9;
    c.noted(0);
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("a snapshot falling due while a server's local clock reads below zero is taken (swarm 1902, 2808)", () => {
    // Our Raft kept "-1: nothing due" in a field holding local clock readings; after a
    // clock-offset fault the reading itself was negative, and the due snapshot waited until the
    // clock passed zero (state.ts NOT_DUE). snapshot-due found it on these seeds.
    for (const seed of [1902, 2808]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
    }
  });

  it("passes correct servers", () => {
    for (const seed of [1, 2, 3, 7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails servers that never take the snapshot they scheduled", () => {
    patch("onTick", (orig) => function (this: Patchable, ...a: unknown[]) {
      (this as { snapDueAt: number }).snapDueAt = NOT_DUE;
      return orig.apply(this, a);
    });
    const found: string[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false }).result;
      if (r.verdict === "violation" && /^snapshot-due /.test(r.message ?? "")) found.push(r.message!);
    }
    expect(found.length, found.join("\n")).toBeGreaterThanOrEqual(2);
  });
});
