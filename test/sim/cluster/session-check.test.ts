// raft-metadata's session check (session-check.ts): the reference replay of the committed log
// states the session rule (dedup, expiry) and judges the clients' answers and the replicas' stores
// against it. Unit cases of the rule; runs that must pass; runs with broken sessions (a store that
// never expires a session, expires too early or one entry early, answers a stale command from the
// cache, lists its sessions out of order, or executes retries twice) that must fail.
import { afterEach, describe, expect, it } from "vitest";
import { simulate } from "../../../src/api/simulate.js";
import { loadScenarioFile } from "../../../src/api/scenarios.js";
import type { MetaCommand } from "../../../src/impl/metadata/commands.js";
import type { StoreOp, StoreResult } from "../../../src/impl/metadata/ops.js";
import { SessionTable } from "../../../src/impl/metadata/sessions.js";
import { MetadataStore } from "../../../src/impl/metadata/store.js";
import { ReferenceStore, sameResult } from "../../../src/sim/systems/raft-metadata/session-check.js";

const put = (client: number, seq: number, key: string, start?: number): MetaCommand<StoreOp> => ({ client, seq, op: { f: "put", key, value: `${client}-${seq}` }, ...(start !== undefined ? { start } : {}) });

describe("the reference session rule", () => {
  it("without expiry: a new seq executes, the last one is answered from the cache, an older one is stale", () => {
    const r = new ReferenceStore(0);
    expect(r.apply(1, put(0, 1, "a"))).toEqual({ kind: "executed", result: { f: "put", revision: 1 } });
    expect(r.apply(2, put(0, 1, "a"))).toEqual({ kind: "cached", result: { f: "put", revision: 1 } });
    expect(r.apply(3, put(0, 2, "a"))).toEqual({ kind: "executed", result: { f: "put", revision: 3 } });
    expect(r.apply(4, put(0, 1, "a"))).toEqual({ kind: "stale" });
  });

  it("with expiry: a session idle for ttl entries or more is refused, never executed; a live one is not", () => {
    const r = new ReferenceStore(3);
    expect(r.apply(1, put(0, 1, "a")).kind).toBe("executed");
    r.advance(2);
    r.advance(3);
    // Client 0 last executed at 1; at 4, 1 < 4 - 3 is false: still live (two entries between).
    expect(r.apply(4, put(1, 1, "b")).kind).toBe("executed");
    expect(r.apply(5, put(0, 2, "a")).kind).toBe("expired"); // 1 < 5 - 3: idle 3 entries
    // A new session above every seq the old one used opens; one at or below does not.
    expect(r.apply(6, put(0, 3, "a", 2)).kind).toBe("executed");
    const r2 = new ReferenceStore(3);
    r2.apply(1, put(0, 5, "a"));
    expect(r2.apply(9, put(0, 6, "a", 5)).kind).toBe("expired"); // start 5 <= old seq 5
    expect(r2.apply(10, put(0, 7, "a", 6)).kind).toBe("executed");
  });

  it("a retry answered from the cache does not refresh the session", () => {
    const r = new ReferenceStore(2);
    r.apply(1, put(0, 1, "a"));
    expect(r.apply(3, put(0, 1, "a")).kind).toBe("cached");
    expect(r.apply(4, put(0, 2, "a")).kind).toBe("expired");
  });

  it("txns: all compares, then every write at the txn's index; the first failing compare named", () => {
    const r = new ReferenceStore(0);
    r.apply(1, put(0, 1, "a"));
    const txn = (seq: number, ea: number | "absent"): MetaCommand<StoreOp> => ({ client: 1, seq, op: { f: "txn", ops: [{ key: "a", expected: ea, value: "t" }, { key: "b", expected: "absent", value: null }] } });
    expect(r.apply(2, txn(1, "absent"))).toEqual({ kind: "executed", result: { f: "txn", ok: false, failed: 0, currentRevision: 1 } });
    expect(r.apply(3, txn(2, 1))).toEqual({ kind: "executed", result: { f: "txn", ok: true, revision: 3 } });
  });

  it("compares a replica's snapshot: entries, sessions, their order", () => {
    const r = new ReferenceStore(0);
    const s = new MetadataStore();
    for (const [i, c] of [put(3, 1, "b"), put(1, 1, "a"), put(2, 1, "c")].entries()) {
      r.apply(i + 1, c);
      s.apply(i + 1, c as MetaCommand);
    }
    expect(r.differs(s.snapshot())).toBeNull();
    const snap = s.snapshot();
    expect(r.differs({ ...snap, sessions: [...snap.sessions].reverse() })).toMatch(/session 0/);
    expect(r.differs({ ...snap, entries: snap.entries.slice(1) })).toMatch(/keys/);
    expect(r.differs({ ...snap, appliedIndex: 2 })).toMatch(/applied index/);
    // Without expiry, a session entry carries none of expiry's fields (SessionEntry).
    expect(r.differs({ ...snap, sessions: snap.sessions.map((x) => ({ ...x, start: 1, lastIndex: 0, expired: false })) })).toMatch(/expiry fields/);
  });

  it("sameResult is structural", () => {
    const a: StoreResult = { f: "cas", ok: false, currentRevision: 3 };
    expect(sameResult(a, { currentRevision: 3, ok: false, f: "cas" })).toBe(true);
    expect(sameResult(a, { f: "cas", ok: false, currentRevision: 4 })).toBe(false);
    expect(sameResult({ f: "put", revision: 1 }, { f: "put", revision: 1, extra: 0 })).toBe(false);
  });
});

const T = SessionTable.prototype as unknown as {
  cached(c: number, seq: number): StoreResult | undefined;
  expireBefore(min: number): void;
  entries(): readonly unknown[];
  sessions: Map<number, { seq: number; result: StoreResult; expired: boolean; lastIndex: number }>;
};
const original = { cached: T.cached, expireBefore: T.expireBefore, entries: T.entries };
afterEach(() => Object.assign(T, original));

const scenario = loadScenarioFile(new URL("../../../scenarios/session-expiry.yaml", import.meta.url).pathname);
const SEEDS = [1, 2, 3, 4, 5];
const runScenario = (seed: number) => simulate({ scenario, seed, timeUs: scenario.timeUs, sutAsserts: false }).result;
const swarm = (seed: number, bugs: string[] = []) => simulate({ seed, timeUs: 10_000_000, sutAsserts: false, bugs }).result;
const failing = (check: (seed: number) => { verdict: string }) => SEEDS.filter((s) => check(s).verdict !== "ok").length;

describe("session checks on runs", () => {
  it("correct runs pass: the session-expiry scenario, and swarm seeds", () => {
    for (const seed of SEEDS) expect(runScenario(seed).verdict, `scenario seed ${seed}`).toBe("ok");
    for (const seed of [1, 46, 34]) expect(swarm(seed).verdict, `swarm seed ${seed}`).toBe("ok");
  });

  it("a store whose sessions never expire is found", () => {
    T.expireBefore = function () {};
    expect(failing(runScenario)).toBe(SEEDS.length);
    expect(runScenario(1).message).toMatch(/^session-state/);
  });

  it("a store that expires sessions early, even one entry early, is found", () => {
    T.expireBefore = function (this: typeof T, min: number) {
      for (const s of this.sessions.values()) if (!s.expired && s.lastIndex <= min) s.expired = true;
    };
    expect(failing(runScenario)).toBeGreaterThanOrEqual(4);
    T.expireBefore = function (this: typeof T, min: number) {
      original.expireBefore.call(this, min + 3);
    };
    expect(failing(runScenario)).toBeGreaterThanOrEqual(4);
  });

  it("a store that answers a stale command from the cache is found (swarm seed 83, with the window and disk-stall families: 4 of seeds 1..230 reach a stale command at a server still holding its old request)", () => {
    T.cached = function (this: typeof T, c: number) {
      const s = this.sessions.get(c);
      return s !== undefined && !s.expired ? s.result : undefined;
    };
    const r = swarm(83);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^session-answer/);
  });

  it("a store whose snapshot lists sessions out of client order is found", () => {
    T.entries = function (this: typeof T) {
      return original.entries.call(this).slice().reverse();
    };
    expect(swarm(1).message).toMatch(/^session-state/);
  });

  it("the planted bug no-session-dedup (retries executed twice, no session table) is found at seed 1", () => {
    const r = swarm(1, ["no-session-dedup"]);
    expect(r.verdict).toBe("violation");
    expect(r.message).toMatch(/^session-(state|answer)/);
  });
});
