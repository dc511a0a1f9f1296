import { describe, expect, it } from "vitest";
import { InvariantChecker } from "../../src/check/raft/invariants.js";
import type { RaftEntry, RaftView, Role } from "../../src/impl/raft/api.js";

/** A hand-driven RaftView: tests set its fields directly. */
class FakeView implements RaftView<string> {
  r: Role = "follower";
  t = 1;
  commit = 0;
  applied = 0;
  durable = 0;
  log: RaftEntry<string>[] = [];
  constructor(readonly id: number) {}
  role(): Role { return this.r; }
  term(): number { return this.t; }
  votedFor(): number { return -1; }
  leader(): number { return -1; }
  commitIndex(): number { return this.commit; }
  appliedIndex(): number { return this.applied; }
  firstIndex(): number { return 1; }
  lastIndex(): number { return this.log.length; }
  entry(i: number): RaftEntry<string> | undefined { return this.log[i - 1]; }
  durableIndex(): number { return this.durable; }
  isFenced = false;
  snapshotIndex(): number { return 0; }
  snapshotTerm(): number { return 0; }
  fenced(): boolean { return this.isFenced; }
  conf: number[] | null = null;
  voterIds: number[] = [];
  voters(): readonly number[] { return this.conf ?? this.voterIds; }
  learners(): readonly number[] { return []; }
  configIndex(): number { return this.confIndex; }
  confIndex = 0;
  oldVoters: number[] | null = null;
  votersAt(i: number): readonly number[] { return i < this.confIndex && this.oldVoters !== null ? this.oldVoters : this.voters(); }
  append(term: number, data: string): void {
    this.log.push({ index: this.log.length + 1, term, data });
  }
}

function cluster(n: number): { views: FakeView[]; inv: InvariantChecker } {
  const inv = new InvariantChecker(n);
  const views: FakeView[] = [];
  for (let i = 0; i < n; i++) {
    views.push(new FakeView(i));
    views[i].voterIds = Array.from({ length: n }, (_, k) => k);
    inv.setView(i, views[i]);
  }
  return { views, inv };
}

/** Make v leader of its current term, with grants from a quorum recorded as a real election would. */
function win(inv: InvariantChecker, v: FakeView, n: number): void {
  for (let voter = 0, granted = 1; voter < n && granted < Math.floor(n / 2) + 1; voter++) {
    if (voter === v.id) continue;
    inv.recordVote(voter, v.t, v.id);
    granted++;
  }
  v.r = "leader";
}

describe("online invariants", () => {
  it("passes a healthy replicated log", () => {
    const { views, inv } = cluster(3);
    for (const v of views) {
      v.append(1, "a");
      v.append(1, "b");
      v.durable = 2;
    }
    win(inv, views[0], views.length);
    expect(inv.check()).toBeNull();
    for (const v of views) v.commit = 2;
    expect(inv.check()).toBeNull();
    expect(inv.checkLogMatching()).toBeNull();
    expect(inv.committedIndex()).toBe(2);
  });

  it("flags two leaders in one term (election safety)", () => {
    const { views, inv } = cluster(3);
    win(inv, views[0], 3);
    expect(inv.check()).toBeNull();
    views[0].r = "follower";
    views[1].r = "leader"; // no votes recorded: election safety is what trips first
    expect(inv.check()?.invariant).toBe("election-safety");
  });

  it("flags a leader rewriting its own log (leader append-only)", () => {
    const { views, inv } = cluster(3);
    win(inv, views[0], views.length);
    views[0].append(1, "a");
    expect(inv.check()).toBeNull();
    views[0].log[0] = { index: 1, term: 1, data: "z" };
    expect(inv.check()?.invariant).toBe("leader-append-only");
  });

  it("flags two nodes committing different entries at an index (state machine safety)", () => {
    const { views, inv } = cluster(3);
    for (const v of views) v.durable = 1;
    views[0].append(1, "a");
    views[0].commit = 1;
    expect(inv.check()).toBeNull();
    views[1].append(2, "b");
    views[1].commit = 1;
    expect(inv.check()?.invariant).toBe("state-machine-safety");
  });

  it("flags a commit index that goes back", () => {
    const { views, inv } = cluster(3);
    views[0].append(1, "a");
    views[0].append(1, "b");
    views[0].commit = 2;
    expect(inv.check()).toBeNull();
    views[0].commit = 1;
    expect(inv.check()?.invariant).toBe("state-machine-safety");
  });

  it("flags a new leader missing a committed entry (leader completeness)", () => {
    const { views, inv } = cluster(3);
    views[0].append(1, "a");
    views[0].commit = 1;
    expect(inv.check()).toBeNull();
    views[2].t = 2;
    win(inv, views[2], views.length);
    expect(inv.check()?.invariant).toBe("leader-completeness");
  });

  it("allows a leader of a stale term to lack entries committed in later terms", () => {
    // A candidate of term 2 is paused, the cluster moves on to term 3 and commits index 1;
    // the candidate wakes up to its old term-2 votes and becomes leader of term 2.
    const { views, inv } = cluster(3);
    views[1].t = 3;
    views[1].append(3, "a");
    views[1].commit = 1;
    expect(inv.check()).toBeNull();
    views[0].t = 2;
    win(inv, views[0], views.length);
    expect(inv.check()).toBeNull();
    // A leader of a later term without it is a violation.
    views[2].t = 4;
    win(inv, views[2], views.length);
    expect(inv.check()?.invariant).toBe("leader-completeness");
  });

  it("flags an applied index that goes back", () => {
    const { views, inv } = cluster(3);
    views[1].applied = 3;
    expect(inv.check()).toBeNull();
    views[1].applied = 2;
    expect(inv.check()?.invariant).toBe("applied-monotonic");
  });

  it("allows the applied index to restart from zero after a crash", () => {
    const { views, inv } = cluster(3);
    views[1].applied = 3;
    expect(inv.check()).toBeNull();
    inv.setView(1, null);
    const fresh = new FakeView(1);
    inv.setView(1, fresh);
    expect(inv.check()).toBeNull();
  });

  it("flags a leader committing what only a minority holds durably", () => {
    const { views, inv } = cluster(5);
    win(inv, views[0], views.length);
    for (const v of views) v.append(1, "a");
    views[0].durable = 1;
    views[1].durable = 1; // 2 of 5: not a quorum
    views[0].commit = 1;
    expect(inv.check()?.invariant).toBe("commit-durable");
  });

  it("configuration-aware commit-durable: a quorum of the leader's configuration, not of every server", () => {
    const { views, inv } = cluster(5);
    for (const v of views) v.conf = [0, 1, 2]; // 3 and 4 are spares / removed
    win(inv, views[0], 3);
    for (const v of views) v.append(1, "a");
    views[0].durable = 1;
    views[1].durable = 1; // 2 of the 3 voters: a quorum of the configuration
    views[0].commit = 1;
    expect(inv.check()).toBeNull();
    // Durable only on servers outside the configuration does not count.
    views[0].append(1, "b");
    views[0].durable = 2;
    views[3].durable = 2;
    views[4].durable = 2;
    views[0].commit = 2;
    expect(inv.check()?.invariant).toBe("commit-durable");
  });

  it("configuration-aware commit-durable: while the latest configuration is uncommitted, the one at the commit index also suffices", () => {
    const { views, inv } = cluster(5);
    for (const v of views) v.conf = [0, 1, 2];
    win(inv, views[0], 3);
    for (const v of views) v.append(1, "a");
    expect(inv.check()).toBeNull(); // elected under {0,1,2}
    views[0].append(1, "conf"); // promotes 3 at index 2, not committed
    views[0].conf = [0, 1, 2, 3];
    views[0].confIndex = 2;
    views[0].oldVoters = [0, 1, 2];
    views[0].durable = 2;
    views[1].durable = 1;
    views[0].commit = 1; // committed under {0,1,2} by 0 and 1
    expect(inv.check()).toBeNull();
  });

  it("configuration-aware election legitimacy: grants from a quorum of the candidate's configuration", () => {
    const { views, inv } = cluster(5);
    views[0].conf = [0, 1, 2];
    inv.recordVote(1, 1, 0); // 2 of 3 voters
    views[0].r = "leader";
    expect(inv.check()).toBeNull();
    views[1].conf = [1, 2, 3, 4];
    views[1].t = 2;
    inv.recordVote(0, 2, 1); // 0 is no voter of 1's configuration: 1 of 4
    inv.recordVote(2, 2, 1); // 2 of 4: no quorum
    views[0].r = "follower";
    views[1].r = "leader";
    expect(inv.check()?.invariant).toBe("election-legitimacy");
  });

  it("with a node fenced, quorum-1 unfenced durable holders suffice (every election quorum of the others meets them)", () => {
    const { views, inv } = cluster(5);
    win(inv, views[0], views.length);
    for (const v of views) v.append(1, "a");
    views[4].isFenced = true; // restored from a backup: its (stale) acks may have been counted
    views[0].durable = 1;
    views[1].durable = 1;
    views[0].commit = 1;
    expect(inv.check()).toBeNull();
    views[4].isFenced = false; // the same holders without fencing: not enough
    views[0].append(1, "b");
    views[0].durable = 2;
    views[1].durable = 2;
    views[0].commit = 2;
    expect(inv.check()?.invariant).toBe("commit-durable");
  });

  it("flags a commit index beyond the node's own log (commit-within-log), not one at its end", () => {
    const { views, inv } = cluster(3);
    for (const v of views) {
      v.append(1, "a");
      v.append(1, "b");
      v.durable = 2;
    }
    views[1].commit = 2;
    expect(inv.check()).toBeNull();
    views[2].commit = 3; // a follower that took the leader's commit index unclamped
    expect(inv.check()).toMatchObject({ invariant: "commit-within-log", node: 2 });
  });

  it("flags a node that lost an entry it acknowledged in its current term (ack-retained)", () => {
    const { views, inv } = cluster(3);
    views[1].append(1, "a");
    views[1].append(1, "b");
    inv.recordAck(1, 1, 2);
    expect(inv.check()).toBeNull();
    views[1].log.length = 1;
    expect(inv.check()?.invariant).toBe("ack-retained");
    inv.forgetAcks(1); // a backup restore legitimately forgets
    expect(inv.check()).toBeNull();
    inv.recordAck(1, 1, 2);
    views[1].t = 2; // a later term may truncate it (another leader's log)
    expect(inv.check()).toBeNull();
  });

  it("counts a crashed node's last durable index toward the quorum", () => {
    const { views, inv } = cluster(3);
    for (const v of views) v.append(1, "a");
    views[2].durable = 1;
    expect(inv.check()).toBeNull();
    inv.setView(2, null); // down, but its disk still holds index 1
    win(inv, views[0], views.length);
    views[0].durable = 1;
    views[0].commit = 1;
    expect(inv.check()).toBeNull();
  });

  it("flags logs that agree at an index but differ before it (log matching)", () => {
    const { views, inv } = cluster(2);
    views[0].append(1, "a");
    views[0].append(2, "b");
    views[1].append(1, "x");
    views[1].append(2, "b");
    expect(inv.checkLogMatching()?.invariant).toBe("log-matching");
  });

  it("flags a voter granting two candidates in one term (vote once), not one candidate twice", () => {
    const { inv } = cluster(3);
    inv.recordVote(2, 5, 0);
    inv.recordVote(2, 5, 0); // a retransmitted grant
    inv.recordVote(2, 6, 1); // a new term, a new vote
    expect(inv.check()).toBeNull();
    inv.recordVote(2, 6, 0);
    expect(inv.check()?.invariant).toBe("vote-once");
  });

  it("flags a leader elected without a quorum of grants in its term (election legitimacy)", () => {
    const { views, inv } = cluster(5);
    inv.recordVote(1, 3, 0);
    inv.recordVote(2, 2, 0); // granted in an older term: must not count for term 3
    views[0].t = 3;
    views[0].r = "leader";
    expect(inv.check()?.invariant).toBe("election-legitimacy");
  });

  it("accepts a leader with a quorum of grants in its term", () => {
    const { views, inv } = cluster(5);
    inv.recordVote(1, 3, 0);
    inv.recordVote(2, 3, 0);
    views[0].t = 3;
    views[0].r = "leader";
    expect(inv.check()).toBeNull();
  });

  it("flags a log whose terms go down in its uncommitted tail", () => {
    const { views, inv } = cluster(3);
    views[1].append(1, "a");
    views[1].append(3, "b");
    views[1].append(3, "c");
    expect(inv.checkLogTerms()).toBeNull();
    views[1].append(2, "stale"); // an old suffix kept after newer entries
    expect(inv.checkLogTerms()?.invariant).toBe("log-terms-monotonic");
  });
});
