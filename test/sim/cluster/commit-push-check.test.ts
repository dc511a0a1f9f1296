// commit-pushed and commit-rides (src/sim/systems/raft-metadata/commit-push-check.ts): in the
// step in which a leader's commit index moves, without coalesceHeartbeats it sends the new index
// to every caught-up replicating follower (etcd's bcastAppend), and with it sends them no empty
// append for it. On views built here, on correct runs of both event models, and on leaders
// broken on purpose.
import { describe, expect, it } from "vitest";
import { RoleCode } from "../../../src/impl/raft/api.js";
import { Raft } from "../../../src/impl/raft/raft.js";
import { callRewritingSends, prototypePatcher, type Patchable } from "./patch-prototype.js";
import { simulate } from "../../../src/api/simulate.js";
import { loadScenarioRef } from "../../../src/api/scenarios.js";
import { CommitPushCheck } from "../../../src/sim/systems/raft-metadata/commit-push-check.js";
import { TOUCHED_ALL } from "../../../src/sim/kernel/world.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";

const S = 1_000_000;
const patchRaft = prototypePatcher(Raft.prototype);

/** Node 0 leads term 2 with peers 1 and 2; last index 10; `prs` by peer. */
function world(coalesce: boolean, prs: { replicate: boolean; next: number; full?: boolean }[], role = "leader"): AnyWorld {
  const progress = [undefined, ...prs.map((p) => ({ ...p, inflightFull: () => p.full === true }))];
  const raft = { role: () => role, term: () => 2, opts: coalesce ? { coalesceHeartbeats: true } : {}, peers: [1, 2], prs: progress, log: { lastIndex: () => 10 } };
  return { now: 9_000, nodes: [{ raft }, null, null] } as unknown as AnyWorld;
}
const app = (commit: number, entries: unknown[] = []) => ({ type: "app", term: 2, commit, entries });
const caughtUp = { replicate: true, next: 11 };

describe("commit-pushed (coalesceHeartbeats off)", () => {
  it("fails a leader that leaves a caught-up follower without the new commit index, passes one that sends it", () => {
    const c = new CommitPushCheck(3);
    c.roleNoted(0, RoleCode.leader);
    const w = world(false, [caughtUp, caughtUp]);
    c.commitNoted(0, 10, 2);
    c.sentAppend(w, 0, 1, app(10));
    expect(c.afterEvent(w, 0)).toBe("commit-pushed at node 0, t=9.000ms, term 2: its commit index moved to 10, but follower 2 (replicating, sent every entry, room in its pipeline) was sent no append carrying it in that step (etcd bcastAppend after maybeCommit; coalesceHeartbeats off)");
    c.commitNoted(0, 10, 2);
    c.sentAppend(w, 0, 1, app(10));
    c.sentAppend(w, 0, 2, app(10));
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("owes nothing to probing, lagging or full followers, nor after a fault or a step-down", () => {
    const c = new CommitPushCheck(3);
    c.roleNoted(0, RoleCode.leader);
    c.commitNoted(0, 10, 2);
    expect(c.afterEvent(world(false, [{ replicate: false, next: 11 }, { replicate: true, next: 9 }]), 0)).toBeNull();
    c.commitNoted(0, 10, 2);
    expect(c.afterEvent(world(false, [{ ...caughtUp, full: true }, { ...caughtUp, full: true }]), 0)).toBeNull();
    c.commitNoted(0, 10, 2);
    expect(c.afterEvent(world(false, [caughtUp, caughtUp]), TOUCHED_ALL)).toBeNull();
    c.roleNoted(0, RoleCode.leader);
    c.commitNoted(0, 10, 2);
    expect(c.afterEvent(world(false, [caughtUp, caughtUp], "follower"), 0)).toBeNull();
    // A follower's commit notes are not judged.
    c.roleNoted(0, RoleCode.follower);
    c.commitNoted(0, 10, 2);
    expect(c.afterEvent(world(false, [caughtUp, caughtUp]), 0)).toBeNull();
  });

  it("fails a leader that never pushes a commit in an empty append (swarm-periodic-heartbeats seed 1)", () => {
    patchRaft("onMessage", (orig) => function (this: Patchable, from: unknown, m: unknown, now: unknown) {
      const r = this as unknown as Raft<unknown>;
      const before = r.commitIndex();
      return callRewritingSends(this, orig, [from, m, now], (msg) => (msg.type === "app" && (msg.entries as unknown[]).length === 0 && r.commitIndex() > before ? undefined : msg));
    });
    const { scenario } = loadScenarioRef("swarm-periodic-heartbeats");
    const r = simulate({ scenario, seed: scenario.seeds[0], timeUs: scenario.timeUs, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^commit-pushed at node \d+, t=[\d.]+ms, term \d+: its commit index moved to \d+, but follower \d+/);
  });
});

describe("commit-rides (coalesceHeartbeats on)", () => {
  it("fails an empty append to a replicating follower in a commit step; passes appends with entries and the probe after a snapshot", () => {
    const c = new CommitPushCheck(3);
    c.roleNoted(0, RoleCode.leader);
    const w = world(true, [caughtUp, caughtUp]);
    c.commitNoted(0, 10, 2);
    c.sentAppend(w, 0, 1, app(10, [{}]));
    expect(c.afterEvent(w, 0)).toBeNull();
    c.deliveredSnapshotAnswer(1, 0);
    c.commitNoted(0, 10, 2);
    c.sentAppend(w, 0, 1, app(10));
    expect(c.afterEvent(w, 0)).toBeNull();
    c.commitNoted(0, 10, 2);
    c.sentAppend(w, 0, 2, app(10));
    expect(c.afterEvent(w, 0)).toBe("commit-rides at node 0, t=9.000ms, term 2: with coalesceHeartbeats, in the step that moved its commit index to 10 it sent follower 2 (replicating) an empty append (the commit index rides on the next append or heartbeat tick; replication.ts)");
    // No commit moved in this step: an empty append is someone else's business.
    c.sentAppend(w, 0, 2, app(10));
    expect(c.afterEvent(w, 0)).toBeNull();
  });

  it("passes correct runs of both event models", () => {
    for (const seed of [1, 2, 3]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
    const { scenario } = loadScenarioRef("swarm-periodic-heartbeats");
    for (const seed of scenario.seeds.slice(0, 3)) {
      const r = simulate({ scenario, seed, timeUs: scenario.timeUs, sutAsserts: false }).result;
      expect(r.verdict, `periodic seed ${seed}: ${r.message}`).toBe("ok");
    }
  });

  it("fails a coalescing leader that pushes every commit in empty appends (swarm seed 1)", () => {
    // After each step in which its commit index moved, the leader sends every replicating
    // follower an empty append carrying it (coalescing off for commits, on for heartbeats).
    patchRaft("onMessage", (orig) => function (this: Patchable, from: unknown, m: unknown, now: unknown) {
      const r = this as unknown as Raft<unknown> & { env: { send: (to: number, msg: unknown) => void }; prs: ({ replicate: boolean } | undefined)[]; peers: number[]; log: { lastIndex(): number; termAt(i: number): number } };
      const before = r.commitIndex();
      const out = orig.call(this, from, m, now);
      if (r.role() === "leader" && r.commitIndex() > before) {
        const last = r.log.lastIndex();
        for (const p of r.peers) {
          if (r.prs[p]?.replicate !== true) continue;
          r.env.send(p, { type: "app", term: r.term(), from: r.id, prevIndex: last, prevTerm: r.log.termAt(last), entries: [], commit: r.commitIndex() });
        }
      }
      return out;
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^commit-rides at node \d+, t=[\d.]+ms, term \d+: with coalesceHeartbeats/);
  });
});
