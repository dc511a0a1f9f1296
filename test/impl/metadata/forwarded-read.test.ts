// A follower read forwarded to the leader and never answered (the read index answer lost) is
// answered "unavailable" once electionMin has passed. The follower must ask its host for a
// wake-up at that expiry: nothing else need wake it then, since each heartbeat moves its
// election timer on (swarm seed 532 once ended with such a read pending for seconds, until the
// client gave up; every such read also holds one of maxPending's slots).
import { describe, expect, it } from "vitest";
import { MetaServer, type ServerEnv, type ServerMessage } from "../../../src/impl/metadata/server.js";
import type { ServerReply } from "../../../src/impl/metadata/protocol.js";
import { mulberry32, options } from "../raft/harness.js";

interface Host {
  env: ServerEnv;
  sent: { to: number; msg: ServerMessage }[];
  replies: ServerReply[];
  /** The host's wake-up: the last local time asked for (NaN: none). */
  wake: () => number;
}

function host(id: number): Host {
  let token = 0;
  let wake = Number.NaN;
  const sent: Host["sent"] = [];
  const replies: ServerReply[] = [];
  const env: ServerEnv = {
    id,
    rng: mulberry32(id),
    send: (to, msg) => void sent.push({ to, msg }),
    persist: () => ++token,
    writeFile: () => {},
    renameFile: () => {},
    deleteFile: () => {},
    syncFile: () => ++token,
    rotateWal: () => 0,
    dropWalBefore: () => {},
    reply: (_c, r) => void replies.push(r),
    wakeAt: (local) => {
      wake = local;
    },
    note: () => {},
  };
  return { env, sent, replies, wake: () => wake };
}

const ELECTION_MIN = 1000;

/** Server 1 of {0,1,2}, following leader 0 (heard at t=10), follower reads on. */
function follower(extra: { applyDelayUs?: number } = {}): { s: MetaServer; h: Host } {
  const h = host(1);
  const s = new MetaServer(1, { raft: options([0, 1, 2]), dedupSessions: true, maxPending: 64, followerReads: true, ...extra }, h.env, null, 0);
  s.onMessage(0, { type: "hb", term: 1, from: 0, commit: 0, seq: 1 }, 10);
  expect(s.raft.leader()).toBe(0);
  return { s, h };
}

const readReqs = (h: Host): number => h.sent.filter((x) => x.msg.type === "readReq").length;

describe("forwarded follower reads expire on time", () => {
  for (const applyDelayUs of [undefined, 50]) {
    it(`asks for a wake-up at the read's expiry and answers unavailable then${applyDelayUs === undefined ? "" : " (asynchronous apply)"}`, () => {
      const { s, h } = follower(applyDelayUs === undefined ? {} : { applyDelayUs });
      s.onClient(7, { client: 1, seq: 1, op: { f: "get", key: "k" } }, 100);
      expect(readReqs(h)).toBe(1);
      // The read expires at 100 + electionMin; the election timer (reset by the heartbeat at 10)
      // is later or not by much, and heartbeats keep moving it on:
      for (let t = 200; t <= 1000; t += 200) s.onMessage(0, { type: "hb", term: 1, from: 0, commit: 0, seq: 1 + t }, t);
      expect(h.wake()).toBeLessThanOrEqual(100 + ELECTION_MIN);
      s.onTick(h.wake());
      expect(h.replies).toEqual([{ kind: "unavailable", client: 1, seq: 1, leaderHint: 0 }]);
      // Nothing left to expire: the wake-up is Raft's again (its election timer, past 1000).
      expect(h.wake()).toBeGreaterThan(100 + ELECTION_MIN);
    });
  }

  it("an answered read no longer holds the wake-up", () => {
    const { s, h } = follower();
    s.onClient(7, { client: 1, seq: 1, op: { f: "get", key: "k" } }, 100);
    const ctx = (h.sent.find((x) => x.msg.type === "readReq")!.msg as { ctx: number }).ctx;
    expect(h.wake()).toBe(100 + ELECTION_MIN);
    s.onMessage(0, { type: "readResp", term: 0, from: 0, ctx, index: 0 }, 150);
    expect(h.replies.map((r) => r.kind)).toEqual(["ok"]);
    expect(h.wake()).toBeGreaterThan(100 + ELECTION_MIN);
  });

  it("the oldest of several pending reads sets the expiry", () => {
    const { s, h } = follower();
    s.onClient(7, { client: 1, seq: 1, op: { f: "get", key: "a" } }, 100);
    s.onClient(8, { client: 2, seq: 1, op: { f: "get", key: "b" } }, 300);
    expect(h.wake()).toBe(100 + ELECTION_MIN);
    s.onTick(100 + ELECTION_MIN);
    expect(h.replies.map((r) => r.client)).toEqual([1]);
    expect(h.wake()).toBe(300 + ELECTION_MIN);
    s.onTick(300 + ELECTION_MIN);
    expect(h.replies.map((r) => r.client)).toEqual([1, 2]);
  });
});
