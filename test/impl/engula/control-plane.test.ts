// The pure parts of Engula's control plane: the liveness table (with and without the planted
// reset), the cure decision, and the universe state machine.
import { describe, expect, it } from "vitest";
import { nextCure, type CureInput } from "../../../src/impl/engula/cure.js";
import { LivenessTable } from "../../../src/impl/engula/liveness.js";
import { Universe } from "../../../src/impl/engula/universe.js";

const S = 1_000_000;

describe("liveness table", () => {
  it("a node is dead once the threshold passes without a success", () => {
    const t = new LivenessTable(3 * S, S / 5);
    t.success(4, 10 * S);
    expect(t.isDead(4, 13 * S)).toBe(false);
    expect(t.isDead(4, 13 * S + 1)).toBe(true);
    expect(t.nextExpiry(11 * S)).toBe(13 * S);
  });

  it("a new control unit continues from the checkpoint (plus one heartbeat timeout of grace), not a full threshold", () => {
    const t = new LivenessTable(3 * S, S / 5);
    t.applyCheckpoint([1, 2, 3], [S, -1, 2 * S], 20 * S); // applied at local 20 s
    t.takeOver([1, 2, 3, 4], 20.5 * S, false);
    expect(t.isDead(1, 21 * S + 1)).toBe(true); // 20 s + 1 s left
    expect(t.isDead(2, 20.7 * S + 1)).toBe(true); // dead: only the grace
    expect(t.isDead(3, 22 * S)).toBe(false);
    expect(t.isDead(4, 20.7 * S)).toBe(false); // no checkpoint names it: the grace only
    expect(t.isDead(4, 20.7 * S + 1)).toBe(true);
  });

  it("the planted reset gives every node a full threshold at every takeover (bug #12)", () => {
    const t = new LivenessTable(3 * S, S / 5);
    t.applyCheckpoint([1], [-1], 20 * S);
    t.takeOver([1], 21 * S, true);
    expect(t.isDead(1, 23.9 * S)).toBe(false);
    expect(t.isDead(1, 24 * S + 1)).toBe(true);
  });

  it("remaining() is what a checkpoint carries: time left, -1 when dead", () => {
    const t = new LivenessTable(3 * S, S / 5);
    t.success(1, 0);
    t.success(2, 5 * S);
    expect(t.remaining([1, 2, 9], 6 * S)).toEqual([-1, 2 * S, -1]);
  });
});

function input(over: Partial<CureInput> & { voters: number[]; dead?: number[]; learners?: number[]; pending?: boolean }): CureInput {
  const dead = new Set(over.dead ?? []);
  return {
    status: { g: 1, leader: true, term: 2, voters: over.voters, learners: over.learners ?? [], pending: over.pending ?? false },
    replicas: 3,
    isDead: (n) => dead.has(n),
    nodes: over.nodes ?? [0, 1, 2, 3, 4],
    load: over.load ?? (() => 0),
    replacing: over.replacing ?? -1,
    removeBeforeAdd: over.removeBeforeAdd ?? false,
  };
}

describe("cure decisions", () => {
  it("a dead voter gets its replacement added first, as a learner, on the least loaded live node", () => {
    expect(nextCure(input({ voters: [0, 1, 2], dead: [2, 3], load: (n) => (n === 4 ? 0 : 2) }))).toEqual({ kind: "add-learner", node: 4 });
  });

  it("the dead voter is removed only from the larger configuration", () => {
    expect(nextCure(input({ voters: [0, 1, 2, 4], dead: [2], replacing: 2 }))).toEqual({ kind: "remove", node: 2 });
    // The replaced voter came back: it is still the one removed.
    expect(nextCure(input({ voters: [0, 1, 2, 4], dead: [], replacing: 2 }))).toEqual({ kind: "remove", node: 2 });
  });

  it("waits while a change is pending or a learner catches up; does nothing when all are alive", () => {
    expect(nextCure(input({ voters: [0, 1, 2], dead: [2], pending: true }))).toBeNull();
    expect(nextCure(input({ voters: [0, 1, 2], dead: [2], learners: [4] }))).toBeNull();
    expect(nextCure(input({ voters: [0, 1, 2] }))).toBeNull();
  });

  it("does not try when half the voters are dead (no quorum to commit a change)", () => {
    expect(nextCure(input({ voters: [0, 1, 2], dead: [1, 2] }))).toBeNull();
  });

  it("the planted remove-before-add takes the dead voter out first", () => {
    expect(nextCure(input({ voters: [0, 1, 2], dead: [2], removeBeforeAdd: true }))).toEqual({ kind: "remove", node: 2 });
    expect(nextCure(input({ voters: [0, 1], removeBeforeAdd: true }))).toEqual({ kind: "add-learner", node: 2 });
  });
});

describe("universe state machine", () => {
  it("joins fill the control plane up to its size; units are idempotent per request id", () => {
    const u = new Universe(3, 0);
    expect(u.apply(1, { kind: "join", node: 3, by: 0, rid: 0 })).toBe("joined");
    expect(u.apply(2, { kind: "join", node: 1, by: 0, rid: 0 })).toBe("joined");
    expect(u.apply(3, { kind: "join", node: 2, by: 0, rid: 0 })).toBe("joined");
    expect(u.apply(4, { kind: "join", node: 2, by: 0, rid: 0 })).toBe("member");
    expect(u.read({ f: "list-members" })).toEqual([0, 1, 3]);
    expect(u.read({ f: "list-nodes" })).toEqual([0, 1, 2, 3]);
    expect(u.apply(5, { kind: "unit", op: "create", unit: "a", client: 9, rid: 1 })).toBe("created");
    // The same request delivered twice is applied once and answered alike.
    expect(u.apply(6, { kind: "unit", op: "create", unit: "a", client: 9, rid: 1 })).toBe("created");
    expect(u.apply(7, { kind: "unit", op: "delete", unit: "a", client: 8, rid: 1 })).toBe("deleted");
    expect(u.apply(8, { kind: "unit", op: "delete", unit: "a", client: 9, rid: 1 })).toBe("created");
    expect(u.read({ f: "list-units" })).toEqual([]);
    expect(u.applied).toBe(8);
  });
});
