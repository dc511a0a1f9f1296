// membership-request-answered, promote-caught-up and removed-server-learns
// (src/sim/systems/raft-metadata/{conf-request,promote,removal}-check.ts, wired by
// membership-checks.ts): correct runs pass; a node broken on purpose (Raft's prototype patched
// here, in this process only, the way confchange.ts's surviving mutants of issue 12 break it)
// fails the rule it breaks. Without these checks (the same build with them not constructed),
// five of the eight broken nodes pass all 60 runs (swarm and every-fault 1..30); the other three
// fail later checks first: the untold removal heartbeat-due, the extra heartbeat to a removed
// server heartbeat-redundant, the removed leader that keeps leading checkquorum-step-down.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);
type Env = { send: (to: number, m: unknown) => void };
type Node = Patchable & {
  id: number; curRole: string; curTerm: number; isVoter: boolean; promoteLag: number; readSeq: number;
  bugs: Record<string, boolean>; env: Env; cfg: { has: (p: number) => boolean };
  curConf: { voters: readonly number[]; learners: readonly number[] };
  proposeConfChange: (ch: { kind: string; node: number }, now: number) => unknown;
};

const run = (seed: number, everyFamily = false) => simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;

/** The first of `seeds` (swarm, then every-fault) whose run is not ok, or null. */
function firstFailure(seeds: readonly number[]): { seed: number; message: string } | null {
  for (const everyFamily of [false, true]) {
    for (const seed of seeds) {
      const r = run(seed, everyFamily);
      if (r.verdict !== "ok") return { seed, message: r.message ?? "" };
    }
  }
  return null;
}

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);

/** Patch a node's env.send (once per node object) to drop what `drop` says. */
function dropSends(drop: (n: Node, to: number, m: { type: string }) => boolean): void {
  patch("onMessage", (orig) => function (this: Node, ...a: unknown[]) {
    if (!(this as Patchable).__dropping) {
      const env = this.env;
      const send = env.send.bind(env);
      (this as Patchable).__dropping = true;
      this.env = { ...env, send: (to: number, m: unknown) => { if (!drop(this, to, m as { type: string })) send(to, m); } } as Env;
      Object.setPrototypeOf(this.env, Object.getPrototypeOf(env));
    }
    return orig.apply(this, a);
  });
}

describe("membership checks", () => {
  it("pass correct runs (swarm and every-fault seeds with membership)", () => {
    for (const seed of [2, 3, 9, 23, 26, 29]) {
      for (const everyFamily of [false, true]) {
        const r = run(seed, everyFamily);
        expect(r.verdict, `seed ${seed}${everyFamily ? " (every fault)" : ""}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("membership-request-answered: a leader that refuses every change (confchange.ts 166–173 refusing)", () => {
    patch("proposeConfChange", () => function () {
      return "busy";
    });
    const f = firstFailure(SEEDS);
    expect(f).not.toBeNull();
    expect(f!.message).toMatch(/^membership-request-answered at node \d+ \(term \d+\): (the operator's (remove|promote|add-learner) \d+ was refused \("busy"\), but the leader may take it|node \d+'s join was answered "retry", but it must be "added")/);
  });

  it("membership-request-answered: a leader that takes a second change while one is uncommitted (confchange.ts 171)", () => {
    patch("proposeConfChange", (orig) => function (this: Node, ...a: unknown[]) {
      const bugs = this.bugs;
      this.bugs = { ...bugs, membershipConcurrent: true };
      try {
        return orig.apply(this, a);
      } finally {
        this.bugs = bugs;
      }
    });
    const f = firstFailure(SEEDS);
    expect(f).not.toBeNull();
    expect(f!.message).toMatch(/^membership-request-answered at node \d+ \(term \d+\): .* was accepted, but it must be refused \(a configuration change is uncommitted; /);
  });

  it("promote-caught-up: a leader that never finds its learners caught up (confchange.ts 184–194)", () => {
    patch("onMessage", (orig) => function (this: Node, ...a: unknown[]) {
      this.promoteLag = -1e9;
      return orig.apply(this, a);
    });
    const f = firstFailure(SEEDS);
    expect(f).not.toBeNull();
    expect(f!.message).toMatch(/^promote-caught-up at node \d+, t=[\d.]+ms \(term \d+\): learner \d+ acknowledged index \d+ \(leader's last index \d+, commit \d+, promoteLag 16\), not fenced, and the leader could change its configuration .* but it proposed no promotion$/);
  });

  it("promote-caught-up: a leader that promotes a learner that has not caught up (confchange.ts 194 false)", () => {
    patch("onMessage", (orig) => function (this: Node, ...a: unknown[]) {
      const out = orig.apply(this, a);
      if (this.curRole === "leader" && this.curConf.learners.length > 0) this.proposeConfChange({ kind: "promote", node: this.curConf.learners[0] }, a[2] as number);
      return out;
    });
    const f = firstFailure(SEEDS);
    expect(f).not.toBeNull();
    expect(f!.message).toMatch(/^promote-caught-up at node \d+, t=[\d.]+ms \(term \d+\): it promoted learner \d+ on its own \(entry \d+\), but the learner had acknowledged at most index \d+ in this term.*: not caught up/);
  });

  it("removed-server-learns: a leader that does not tell the servers it removed (no heartbeat at commit)", () => {
    dropSends((n, to, m) => m.type === "hb" && n.curRole === "leader" && !n.cfg.has(to) && !n.curConf.learners.includes(to));
    const f = firstFailure(SEEDS);
    expect(f).not.toBeNull();
    // The stray heartbeat carries the leader's commit index to a server that acknowledged none of
    // it: heartbeat-commit-bound (heartbeat-commit-check.ts) may judge that first; either is this bug's.
    if (f!.message.startsWith("heartbeat-commit-bound")) return expect(f!.message).toMatch(/^heartbeat-commit-bound at node \d+, t=[\d.]+ms/);
    expect(f!.message).toMatch(/^removed-server-learns at node \d+, t=[\d.]+ms \(term \d+\): its commit index reached \d+, past the configuration entry \d+ that removed node \d+, but it did not tell node \d+/);
  });

  it("removed-server-learns: a leader that keeps replicating to a server whose removal is committed (confchange.ts 133 true)", () => {
    // One more heartbeat, at its next tick, to each server the leader had as a member earlier in
    // its term and no longer has (what applyConf keeping the old configuration's peers does).
    const had = new Map<Node, { term: number; members: Set<number>; told: Set<number> }>();
    patch("onTick", (orig) => function (this: Node, ...a: unknown[]) {
      const out = orig.apply(this, a);
      if (this.curRole !== "leader") return out;
      let h = had.get(this);
      if (h === undefined || h.term !== this.curTerm) had.set(this, (h = { term: this.curTerm, members: new Set(), told: new Set() }));
      const now = [...this.curConf.voters, ...this.curConf.learners];
      for (const p of h.members) {
        if (now.includes(p) || h.told.has(p)) continue;
        h.told.add(p);
        this.env.send(p, { type: "hb", term: this.curTerm, from: this.id, commit: (this as unknown as { commit: number }).commit, seq: this.readSeq });
      }
      for (const p of now) if (p !== this.id) h.members.add(p);
      return out;
    });
    const f = firstFailure(SEEDS);
    expect(f).not.toBeNull();
    // The stray heartbeat carries the leader's commit index to a server that acknowledged none of
    // it: heartbeat-commit-bound (heartbeat-commit-check.ts) may judge that first; either is this bug's.
    if (f!.message.startsWith("heartbeat-commit-bound")) return expect(f!.message).toMatch(/^heartbeat-commit-bound at node \d+, t=[\d.]+ms/);
    expect(f!.message).toMatch(/^removed-server-learns at node \d+, t=[\d.]+ms \(term \d+\): it sent node \d+ a heartbeat, but its removal is committed .*: a leader lets a removed server go$/);
  });

  it("removed-server-learns: a removed leader that keeps leading (confchange.ts 201 {})", () => {
    patch("becomeFollower", (orig) => function (this: Node, ...a: unknown[]) {
      if (this.curRole === "leader" && !this.isVoter && a[0] === this.curTerm) return;
      return orig.apply(this, a);
    });
    const f = firstFailure(SEEDS);
    expect(f).not.toBeNull();
    // The stray heartbeat carries the leader's commit index to a server that acknowledged none of
    // it: heartbeat-commit-bound (heartbeat-commit-check.ts) may judge that first; either is this bug's.
    if (f!.message.startsWith("heartbeat-commit-bound")) return expect(f!.message).toMatch(/^heartbeat-commit-bound at node \d+, t=[\d.]+ms/);
    expect(f!.message).toMatch(/^removed-server-learns at node \d+, t=[\d.]+ms \(term \d+\): its committed configuration \(entry \d+, commit \d+\) has voters \[[\d,]+\] without it, but it still leads$/);
  });

  it("removed-server-learns: a removed leader that steps down without handing over (confchange.ts 205–207)", () => {
    dropSends((n, _to, m) => m.type === "timeoutNow" && !n.isVoter);
    const f = firstFailure(SEEDS);
    expect(f).not.toBeNull();
    // The stray heartbeat carries the leader's commit index to a server that acknowledged none of
    // it: heartbeat-commit-bound (heartbeat-commit-check.ts) may judge that first; either is this bug's.
    if (f!.message.startsWith("heartbeat-commit-bound")) return expect(f!.message).toMatch(/^heartbeat-commit-bound at node \d+, t=[\d.]+ms/);
    expect(f!.message).toMatch(/^removed-server-learns at node \d+, t=[\d.]+ms \(term \d+\): it stepped down on leaving the configuration without a TimeoutNow, but voter \d+ had acknowledged its whole log/);
  });
});
