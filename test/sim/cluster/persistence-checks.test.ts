// vote-kept and fence-end (src/sim/systems/raft-metadata/vote-kept-check.ts, fence-end-check.ts):
// a restarted server remembers the vote it last cast; a restored server ends its fence exactly
// when its commit index reaches an entry of a term above its fence term, and only a fenced
// server reports the end of one; a snapshot is acknowledged only once durable
// (snapshot-ack-durable, snapshot-ack-check.ts). The rules on hand-built worlds, correct runs (must pass), and
// servers broken on purpose (must fail): the planted bug vote-not-persisted, and Raft.step
// patched (in this process only) to keep a fence, end it early, or report one that never was.
import { describe, expect, it } from "vitest";
import { Raft } from "../../../src/impl/raft/raft.js";
import { RaftNote } from "../../../src/impl/raft/api.js";
import { NOTE_UNFENCED } from "../../../src/impl/raft/state.js";
import { loadScenarioFile } from "../../../src/api/scenarios.js";
import { simulate } from "../../../src/api/simulate.js";
import { FenceEndCheck } from "../../../src/sim/systems/raft-metadata/fence-end-check.js";
import { snapshotAckFault } from "../../../src/sim/systems/raft-metadata/snapshot-ack-check.js";
import { VoteKeptCheck } from "../../../src/sim/systems/raft-metadata/vote-kept-check.js";
import type { AnyWorld } from "../../../src/sim/runner/system.js";
import { callRewritingSends, prototypePatcher, type Patchable } from "./patch-prototype.js";

const S = 1_000_000;
const patch = prototypePatcher(Raft.prototype);
const scenario = (name: string) => loadScenarioFile(new URL(`../../../scenarios/${name}.yaml`, import.meta.url).pathname);

/** Two servers; node objects, restores, terms, votes, commit, fence and marker are mutable. */
function world() {
  const st = { term: [0, 0], vote: [-1, -1], commit: [0, 0], fenced: [false, false], marker: [-1, -1], entryTerm: 0, now: 1_000 };
  const node = (i: number) => ({
    raft: {
      term: () => st.term[i],
      votedFor: () => st.vote[i],
      commitIndex: () => st.commit[i],
      fenced: () => st.fenced[i],
      snapshotIndex: () => 0,
      snapshotTerm: () => 0,
      entry: (j: number) => (j > 0 && j <= st.commit[i] ? { index: j, term: st.entryTerm } : undefined),
    },
  });
  const w = {
    nodes: [node(0), node(1)] as unknown[],
    restores: new Int32Array(2),
    disks: [0, 1].map((i) => ({ durableFile: () => (st.marker[i] < 0 ? undefined : { kind: "restored", fenceTerm: st.marker[i] }) })),
    get now() { return st.now; },
  };
  return { st, w, aw: w as unknown as AnyWorld, node };
}

describe("vote-kept", () => {
  it("fails a restart that forgot a granted or asked-for vote, not a later term or a restore", () => {
    const { st, w, aw, node } = world();
    const c = new VoteKeptCheck(2);
    expect(c.afterFault(aw)).toBeNull(); // first sight of both nodes
    st.term = [3, 3];
    st.vote = [1, 1];
    c.grantedVote(0, 1, 3);
    c.askedVote(1, 3);
    w.nodes[0] = node(0); // node 0 restarts with its vote
    expect(c.afterFault(aw)).toBeNull();
    st.vote[0] = -1;
    w.nodes[0] = node(0); // restarts without it
    expect(c.afterFault(aw)).toMatch(/^vote-kept at node 0, t=1.000ms: it restarted with term 3 and vote -1, but before the crash it had voted for 1 in term 3/);
    st.term[0] = 4;
    w.nodes[0] = node(0); // a later term: nothing to remember of term 3
    expect(c.afterFault(aw)).toBeNull();
    st.term[1] = 2;
    w.nodes[1] = node(1);
    w.restores[1]++; // a restore rewinds on purpose
    expect(c.afterFault(aw)).toBeNull();
    w.nodes[1] = null; // crashed: nothing to judge until it restarts
    expect(c.afterFault(aw)).toBeNull();
    w.nodes[1] = node(1);
    expect(c.afterFault(aw)).toBeNull(); // the restore cleared what it promised
  });

  it("passes correct servers", () => {
    for (const seed of [1, 2, 3, 7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
    for (const name of ["crash-after-compaction", "crash-windows", "snapshot-restore"]) {
      const sc = scenario(name);
      const r = simulate({ scenario: sc, seed: sc.seeds[0], timeUs: sc.timeUs, sutAsserts: false }).result;
      expect(r.verdict, `${name}: ${r.message}`).toBe("ok");
    }
  });

  it("fails servers that answer a vote before it is durable (planted bug vote-not-persisted)", () => {
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false, bugs: ["vote-not-persisted"] }).result;
    // vote-durable (election-step-checks.ts) judges the same bug at the send, before any restart
    // shows it, so on the merged main it fails this run first; vote-kept's own cases are above.
    expect(r.message).toMatch(/^(vote-kept|vote-durable) at node \d/);
  });
});

describe("fence-end", () => {
  it("fails a fence kept past an entry above the fence term, ended early, or reported unfenced", () => {
    const { st, aw } = world();
    const c = new FenceEndCheck(2);
    st.fenced[0] = true;
    st.marker[0] = 5;
    st.commit[0] = 4;
    st.entryTerm = 5;
    expect(c.afterFault(aw)).toBeNull(); // node 0 restarted fenced (fence term 5)
    expect(c.afterEvent(aw, 0)).toBeNull(); // nothing moved
    st.commit[0] = 6;
    expect(c.afterEvent(aw, 0)).toBeNull(); // term 5: still fenced, rightly
    st.entryTerm = 6;
    st.commit[0] = 7;
    expect(c.afterEvent(aw, 0)).toMatch(/^fence-end at node 0, t=1.000ms: its commit index moved to 7, an entry of term 6 above its fence term 5, and it is still fenced$/);
    st.fenced[0] = false;
    expect(c.afterEvent(aw, 0)).toBeNull(); // unfenced at an entry of term 6
    expect(c.afterEvent(aw, 0)).toBeNull(); // no longer watched
    c.unfenceNoted(1);
    expect(c.afterEvent(aw, 1)).toMatch(/^fence-end at node 1, t=1.000ms: it reported the end of a fence \(NOTE_UNFENCED\), but it was not fenced$/);
    // Ended early: commit index at an entry of the fence term.
    st.fenced[1] = true;
    st.marker[1] = 6;
    st.commit[1] = 2;
    expect(c.afterFault(aw)).toBeNull();
    c.unfenceNoted(1); // a fenced server may report it
    st.fenced[1] = false;
    expect(c.afterEvent(aw, 1)).toMatch(/^fence-end at node 1, t=1.000ms: it ended its fence with its commit index at 2, an entry of term 6, not above its fence term 6$/);
  });

  it("passes correct servers", () => {
    for (const seed of [7]) {
      for (const everyFamily of [false, true]) {
        const r = simulate({ seed, timeUs: 10 * S, sutAsserts: false, everyFamily }).result;
        expect(r.verdict, `seed ${seed}: ${r.message}`).toBe("ok");
      }
    }
    for (const name of ["snapshot-restore", "restore-live-leader", "membership-fenced-learner"]) {
      const sc = scenario(name);
      for (const seed of sc.seeds.slice(0, 2)) {
        const r = simulate({ scenario: sc, seed, timeUs: sc.timeUs, sutAsserts: false }).result;
        expect(r.verdict, `${name} ${seed}: ${r.message}`).toBe("ok");
      }
    }
  });

  it("fails servers that never end a fence", () => {
    patch("step", (orig) => function (this: Patchable, ...a: unknown[]) {
      const self = this as { fenceTerm: number };
      const f = self.fenceTerm;
      const out = orig.apply(this, a);
      if (f >= 0) self.fenceTerm = f;
      return out;
    });
    const r = simulate({ seed: 7, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.message).toMatch(/^fence-end at node \d+, t=[\d.]+ms: its commit index moved to \d+, an entry of term \d+ above its fence term \d+, and it is still fenced$/);
  });

  it("fails servers that report the end of a fence they never had", () => {
    patch("step", (orig) => function (this: Patchable, ...a: unknown[]) {
      const self = this as { fenceTerm: number; commit: number; env: { note: (c: number, a: number, b: number) => void } };
      const before = self.commit;
      const out = orig.apply(this, a);
      if (self.fenceTerm < 0 && self.commit > before) self.env.note(RaftNote.custom, NOTE_UNFENCED, 0);
      return out;
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.message).toMatch(/^fence-end at node \d+, t=[\d.]+ms: it reported the end of a fence \(NOTE_UNFENCED\), but it was not fenced$/);
  });
});

// fence-flag was merged into answer-fenced-check.ts's answer-fenced-flag (the same rule over every
// answer type); the broken server below must still fail, now by that check.
describe("fenced answers (answer-fenced-flag)", () => {
  it("fails servers whose snapshot answers hide their fence", () => {
    for (const method of ["step", "onPersisted"]) {
      patch(method, (orig) => function (this: Patchable, ...a: unknown[]) {
        return callRewritingSends(this, orig, a, (x) => (x.type === "snapResp" ? { ...x, fenced: false } : x));
      });
    }
    const r = simulate({ seed: 7, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.message).toMatch(/^answer-fenced-flag at node \d+, t=[\d.]+ms: its snapResp of term \d+ says it is not fenced, but it is/);
  });
});

describe("snapshot-ack-durable", () => {
  it("fails an acknowledgement ahead of both the durable log and the durable snapshot file", () => {
    const st = { durable: 10, file: 0 };
    const w = {
      nodes: [{ raft: { durableIndex: () => st.durable } }],
      disks: [{ durableFile: () => (st.file === 0 ? undefined : { index: st.file }) }],
      now: 3_000,
    } as unknown as AnyWorld;
    const ans = (index: number, next: number) => ({ term: 2, index, next });
    expect(snapshotAckFault(w, 0, ans(12, 0))).toBeNull(); // a chunk request: not an acknowledgement
    expect(snapshotAckFault(w, 0, ans(10, -1))).toBeNull();
    expect(snapshotAckFault(w, 0, ans(12, -1))).toMatch(/^snapshot-ack-durable at node 0, t=3.000ms, term 2: it acknowledges the snapshot at 12, but its durable log ends at 10 and its durable snapshot file is at none$/);
    st.file = 12;
    expect(snapshotAckFault(w, 0, ans(12, -1))).toBeNull();
  });

  it("fails followers that acknowledge an installed snapshot before it is durable", () => {
    const early = new Set<unknown>();
    patch("step", (orig) => function (this: Patchable, ...a: unknown[]) {
      const out = orig.apply(this, a);
      const self = this as { deferred: { to: number; msg: { type: string; next: number } }[]; dHead: number; env: { send: (to: number, x: unknown) => void } };
      for (let k = self.dHead; k < self.deferred.length; k++) {
        const d = self.deferred[k];
        if (d.msg.type === "snapResp" && d.msg.next < 0 && !early.has(d)) {
          early.add(d);
          self.env.send(d.to, d.msg); // answered now, and again once durable
        }
      }
      return out;
    });
    const r = simulate({ seed: 1, timeUs: 10 * S, sutAsserts: false }).result;
    expect(r.message).toMatch(/^snapshot-ack-durable at node \d+/);
  });
});
