// config-matches-log, config-single-change, follow-on-append, leader-known-elected, timeout-now-caught-up,
// forced-vote-after-timeout-now, transfer-holds-proposals, snapshot-policy, prevote-keeps-term,
// prevote-grant, read-index-covers-commits and read-index-quorum-round
// (src/sim/systems/raft-metadata/{config,follow,transfer,read-index,snapshot-policy,prevote}-check.ts):
// correct runs pass; a node broken on purpose (Raft's prototype patched here, in this process
// only, as the mutants of issue 12 part 3 break it) fails the rule it breaks. Before these checks
// every one of these broken nodes but the one naming node 1 passed swarm seeds 1..60 (see
// reports/mutation/summary.md, "Run 26").
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { simulate } from "../../../src/api/simulate.js";
import { ConfigCheck } from "../../../src/sim/systems/raft-metadata/config-check.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);
type Node = Patchable & { transferee: number; snapDueAt: number; reads: { seq: number; index: number }[]; curRole: string; curTerm: number; id: number; confs: unknown[]; curConf: unknown; curConfIndex: number; baseConf: { index: number; conf: unknown }; env: { send: (to: number, m: unknown) => void } };
type Msg = { type: string; term: number; pre?: boolean; round?: number };
type Stepper = Node & { becomeFollower: (term: number, leader: number, now: number, restart?: boolean) => void };

const run = (seed: number, everyFamily = false) => simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;

describe("leadership checks", () => {
  it("pass correct runs (swarm and every-fault seeds)", () => {
    for (const seed of [1, 2, 3, 5, 7, 13]) {
      for (const everyFamily of [false, true]) {
        const r = run(seed, everyFamily);
        expect(r.verdict, `seed ${seed}${everyFamily ? " (every fault)" : ""}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("follow-on-append: a candidate that ignores an AppendEntries of its term (step-candidate's case \"app\" mutant)", () => {
    patch("step", (orig) => function (this: Node, ...a: unknown[]) {
      const m = a[1] as Msg;
      if ((this.curRole === "candidate" || this.curRole === "precandidate") && m.type === "app" && m.term === this.curTerm) return;
      return orig.apply(this, a);
    });
    const r = run(1);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^follow-on-append at node \d+, t=[\d.]+ms: it received a term-\d+ AppendEntries\/heartbeat\/snapshot from node \d+ \(term \d+ >= its own\), but ended that step as (pre)?candidate of term \d+ following nobody$/);
  });

  it("leader-known-elected: a node that names node 1 where it should name nobody (`-1` → `+1`)", () => {
    patch("becomeFollower", (orig) => function (this: Node, ...a: unknown[]) {
      return orig.call(this, a[0], a[1] === -1 ? 1 : a[1], a[2], a[3]);
    });
    const r = run(1);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^leader-known-elected at node \d+, t=[\d.]+ms, term \d+: (it is follower, but names itself as leader|it names node 1 as leader, but .*)$/);
  });

  it("config-matches-log: a node that reverts to its snapshot's configuration while its log holds a newer one", () => {
    patch("onMessage", (orig) => function (this: Node, ...a: unknown[]) {
      orig.apply(this, a);
      if (this.confs.length > 0) {
        this.curConf = this.baseConf.conf;
        this.curConfIndex = this.baseConf.index;
      }
    });
    const r = run(2);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^config-matches-log at node \d+, t=[\d.]+ms: its configuration in effect was set by index \d+, not by its newest configuration entry \(index \d+\)$/);
  });

  it("timeout-now-caught-up: a leader that sends TimeoutNow as soon as it is asked to transfer", () => {
    patch("transferLeadership", (orig) => function (this: Node, ...a: unknown[]) {
      const ok = orig.apply(this, a);
      if (ok === true) this.env.send(a[0] as number, { type: "timeoutNow", term: this.curTerm, from: this.id });
      return ok;
    });
    const r = run(1, true);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^timeout-now-caught-up at node \d+, t=[\d.]+ms, term \d+: it sent node \d+ a TimeoutNow, but in this term that node acknowledged (nothing|only up to \d+), short of the leader's last entry \d+$/);
  });

  it("forced-vote-after-timeout-now: a node whose every election is forced", () => {
    for (const name of ["onTick", "onPersisted"]) {
      patch(name, (orig) => function (this: Node, ...a: unknown[]) {
        const env = this.env;
        const send = env.send;
        env.send = (to, m) => send.call(env, to, (m as Msg).type === "vote" && !(m as Msg).pre ? { ...(m as object), force: true } : m);
        try {
          return orig.apply(this, a);
        } finally {
          env.send = send;
        }
      });
    }
    const r = run(1);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^forced-vote-after-timeout-now at node \d+, t=[\d.]+ms: it sent node \d+ a forced RequestVote of term \d+, but never received a TimeoutNow of term \d+$/);
  });

  // Swarm seed 13 draws follower reads (the leader answers them on the server-to-server wire).
  it("read-index-quorum-round: a leader that lets a read ride a heartbeat round sent before it arrived", () => {
    patch("readIndex", (orig) => function (this: Node, ...a: unknown[]) {
      const ok = orig.apply(this, a);
      const rd = this.reads[this.reads.length - 1];
      if (ok === true && rd !== undefined) this.reads[this.reads.length - 1] = { ...rd, seq: 0 };
      return ok;
    });
    const r = run(13);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^read-index-quorum-round at node \d+, t=[\d.]+ms, term \d+: it answered follower \d+'s read with index \d+, but only \d+ of its \d+ voters \(itself included\) acknowledged a heartbeat sent after the request arrived/);
  });

  it("read-index-covers-commits: a leader that answers every read with index 0", () => {
    patch("readIndex", (orig) => function (this: Node, ...a: unknown[]) {
      const ok = orig.apply(this, a);
      const rd = this.reads[this.reads.length - 1];
      if (ok === true && rd !== undefined) this.reads[this.reads.length - 1] = { ...rd, index: 0 };
      return ok;
    });
    const r = run(13);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^read-index-covers-commits at node \d+, t=[\d.]+ms, term \d+: it answered follower \d+'s read with index 0, but index \d+ was already committed when the request arrived$/);
  });

  it("transfer-holds-proposals: a leader that keeps accepting proposals while it transfers", () => {
    patch("propose", (orig) => function (this: Node, ...a: unknown[]) {
      const t = this.transferee;
      this.transferee = -1;
      try {
        return orig.apply(this, a);
      } finally {
        this.transferee = t;
      }
    });
    const r = run(2, true);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^transfer-holds-proposals at node \d+, t=[\d.]+ms, term \d+: while transferring leadership to node \d+ its log grew from \d+ to \d+$/);
  });

  it("snapshot-policy: a node that snapshots at every tick (raft.ts onTick's due-time guard mutated)", () => {
    patch("onTick", (orig) => function (this: Node, ...a: unknown[]) {
      this.snapDueAt = 0;
      return orig.apply(this, a);
    });
    const r = run(1);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^snapshot-policy at node \d+, t=[\d.]+ms: it took a snapshot at index \d+, (only \d+ entries past its previous one \(\d+\); snapshotEvery is \d+|but its snapshotEvery is 0 \(snapshots off\))$/);
  });

  it("prevote-keeps-term: a node that takes a higher-term PreVote's term (raft.ts step's PreVote branch mutated)", () => {
    patch("step", (orig) => function (this: Stepper, ...a: unknown[]) {
      const m = a[1] as Msg;
      if (m.type === "vote" && m.pre === true && m.term > this.curTerm) this.becomeFollower(m.term, -1, a[2] as number, false);
      return orig.apply(this, a);
    });
    const r = run(1);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^prevote-keeps-term at node \d+, t=[\d.]+ms: handling node \d+'s PreVote request \(term \d+\) moved its term from \d+ to \d+$/);
  });

  it("prevote-grant: a node that answers a stale PreVote with a grant (raft.ts step's stale-PreVote answer mutated)", () => {
    patch("step", (orig) => function (this: Node, ...a: unknown[]) {
      const m = a[1] as Msg;
      if (m.type === "vote" && m.pre === true && m.term < this.curTerm) {
        this.env.send(a[0] as number, { type: "voteResp", term: this.curTerm, from: this.id, pre: true, granted: true, fenced: false, round: m.round });
        return;
      }
      return orig.apply(this, a);
    });
    const r = run(1);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^prevote-grant at node \d+, t=[\d.]+ms: it granted node \d+'s PreVote for term \d+, below its own term \d+$/);
  });

  it("config-single-change: a leader whose add-learner entry leaves the learner out (confchange.ts line 46's mutant)", () => {
    patch("proposeConfChange", (orig) => function (this: Node & { log: { entry(i: number): { conf?: { voters: readonly number[]; learners: readonly number[] } } } }, ...a: unknown[]) {
      const res = orig.apply(this, a) as { index: number } | string;
      const ch = a[0] as { kind: string };
      if (typeof res !== "string" && ch.kind === "add-learner") {
        const e = this.log.entry(res.index);
        e.conf = { voters: e.conf!.voters, learners: e.conf!.learners.slice(0, -1) };
      }
      return res;
    });
    const r = run(2);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^config-single-change at node \d+, t=[\d.]+ms: the configuration entry at index \d+ \(voters \[[\d,]*\], learners \[[\d,]*\]\) follows voters \[[\d,]*\], learners \[[\d,]*\]: it changes nothing$/);
  });

  it("config-single-change: a joining server's own snapshot of entries with no configuration entry is not the configuration before its first one (seed 238, 30 s)", () => {
    // Node 4 waits to join (voters []), replays entries 1..16 (none a configuration entry) and
    // snapshots them with the empty start it still has; then entry 21 adds it as a learner to
    // the initial [0,1,2,3]. Before the fix: "... follows voters [], learners []".
    const r = simulate({ seed: 238, timeUs: 30 * S, sutAsserts: false }).result;
    expect(r.verdict, `${r.message} — replay: raftsim run --seed 238 --sut-asserts off`).toBe("ok");
  });
});

// config-single-change on one server's log, built by hand (what the check reads of a Raft): a
// snapshot, entries after it, one configuration entry arriving in an AppendEntries.
describe("config-single-change judges against the configuration before the entry", () => {
  type Conf = { voters: readonly number[]; learners: readonly number[] };
  const initial = [0, 1, 2, 3];
  /** Server 4 with `startVoters`, a snapshot at 16 (`snap`, or none: log from 1), entries to 20;
   * then entry 21 carrying `next` arrives. The check's verdict after it. */
  function judge(startVoters: readonly number[], snap: Conf | null, next: Conf): string | null {
    const first = snap === null ? 1 : 17;
    const entries = new Map<number, { index: number; term: number; conf?: Conf }>();
    for (let i = first; i <= 20; i++) entries.set(i, { index: i, term: 4 });
    let last = 20;
    let conf: Conf = snap ?? { voters: startVoters, learners: [] };
    let ci = snap === null ? 0 : 16;
    const raft = {
      opts: { voters: startVoters },
      firstIndex: () => first,
      lastIndex: () => last,
      entry: (i: number) => entries.get(i),
      snapshotIndex: () => (snap === null ? 0 : 16),
      latestSnapshot: () => (snap === null ? null : { index: 16, term: 4, voters: snap.voters, learners: snap.learners }),
      voters: () => conf.voters,
      learners: () => conf.learners,
      configIndex: () => ci,
      role: () => "follower",
    };
    const w = { now: 3_302_460, nodes: [null, null, null, null, { raft }] } as unknown as AnyWorld;
    const c = new ConfigCheck(5, initial);
    c.onDeliver(4, { type: "hb" }); // a heartbeat reaches it: the check first reads its log
    expect(c.afterEvent(w, 4 as never)).toBeNull(); // the log before entry 21 is as it should be
    entries.set(21, { index: 21, term: 4, conf: next });
    last = 21;
    conf = next;
    ci = 21;
    c.onDeliver(4, { type: "app", entries: [{ index: 21 }] });
    return c.afterEvent(w, 4 as never);
  }
  const addLearner4 = { voters: initial, learners: [4] };
  const jump = { voters: [0, 1, 2], learners: [4] }; // 3 out and 4 in at once
  const jumpFromInitial = /^config-single-change at node 4, t=3302\.460ms: the configuration entry at index 21 \(voters \[0,1,2\], learners \[4\]\) follows voters \[0,1,2,3\], learners \[\]: it is not one single-server change$/;

  it("passes: a joining server's own snapshot (voters []) then the entry adding it to the initial configuration", () => {
    expect(judge([], { voters: [], learners: [] }, addLearner4)).toBeNull();
  });

  it("passes: a joining server with no snapshot, entries 1..20 then the entry adding it", () => {
    expect(judge([], null, addLearner4)).toBeNull();
  });

  it("fails: a joining server's own snapshot (voters []) then an entry two changes from the initial configuration", () => {
    expect(judge([], { voters: [], learners: [] }, jump)).toMatch(jumpFromInitial);
  });

  it("fails: a joining server with no snapshot, then an entry two changes from the initial configuration", () => {
    expect(judge([], null, jump)).toMatch(jumpFromInitial);
  });

  it("fails: a member's snapshot with no voters is judged as it stands (no cluster is ever in it)", () => {
    expect(judge(initial, { voters: [], learners: [] }, addLearner4)).toMatch(/follows voters \[\], learners \[\]: it is not one single-server change$/);
  });

  it("fails: a member's snapshot then an entry two changes from it", () => {
    expect(judge(initial, { voters: initial, learners: [] }, jump)).toMatch(jumpFromInitial);
  });
});
