import { describe, expect, it } from "vitest";
import { probeWorld, type Probe } from "./helpers.js";

describe("World host", () => {
  it("boots every node with recovered=null and ticks it once", () => {
    const { w, node } = probeWorld(1, 3);
    w.runFor(1);
    for (let i = 0; i < 3; i++) {
      expect(node(i).recovered).toBeNull();
      expect(node(i).ticks.length).toBe(1);
    }
  });

  it("wakeAt is in local time, converted through the node's clock", () => {
    const { w, node } = probeWorld(1, 1);
    w.runFor(1);
    w.clockOffset(0, 5_000_000); // local = virtual + 5s
    node(0).env.wakeAt(w.localNow(0) + 1_000);
    w.runFor(999);
    expect(node(0).ticks.length).toBe(1);
    w.runFor(1);
    expect(node(0).ticks.length).toBe(2);
    expect(node(0).ticks[1]).toBe(w.now + 5_000_000);
    // a forward jump brings the wake-up earlier
    node(0).env.wakeAt(w.localNow(0) + 1_000_000);
    w.clockJump(0, 999_000);
    w.runFor(1_000);
    expect(node(0).ticks.length).toBe(3);
  });

  it("crash loses unsynced writes; restart rebuilds the node from disk only", () => {
    const { w, node } = probeWorld(2, 2);
    w.runFor(1);
    const old = node(0);
    old.env.persist([1, 2], true);
    w.runFor(1_000_000);
    expect(old.persisted).toEqual([1]);
    old.env.persist([3], false);
    old.env.persist([4], true); // crash before this fsync completes
    w.crash(0);
    expect(w.nodes[0]).toBeNull();
    node(1).env.send(0, { type: "m", n: 1 });
    w.runFor(1_000_000);
    expect(w.net.dropped).toBe(1); // delivered to a crashed node → dropped on arrival
    w.restart(0);
    const fresh = w.nodes[0] as Probe;
    expect(fresh).not.toBe(old);
    expect(fresh.recovered).toEqual({ records: [1, 2], corruptFrom: 2, files: new Map() });
    expect(old.persisted).toEqual([1]); // the cancelled fsync never reached anyone
    old.env.send(1, { type: "m", n: 2 }); // a discarded incarnation's env is inert
    w.runFor(1_000_000);
    expect(node(1).got.length).toBe(0);
  });

  it("a paused node receives nothing until resumed, then everything in order", () => {
    const { w, node } = probeWorld(3, 2);
    w.runFor(1);
    w.pause(1);
    node(1).env.wakeAt(0); // (ignored: the node is paused, but nothing crashes)
    for (let i = 0; i < 5; i++) node(0).env.send(1, { type: "m", n: i });
    w.runFor(1_000_000);
    expect(node(1).got).toEqual([]);
    w.resume(1);
    w.runFor(1);
    expect(node(1).got.map(([, n]) => n)).toEqual([0, 1, 2, 3, 4]);
    expect(node(1).got[0][2]).toBe(w.localNow(1) - 1); // delivered with the node's local time
  });

  it("client actors send to servers and receive replies through the network", () => {
    let replies = 0;
    const { w } = probeWorld(4, 1, {
      clients: 1,
      factory: (_id, env) => ({
        onMessage() {}, onTick() {}, onPersisted() {},
        onClient(client: number) { env.reply(client, "pong"); },
      }),
      actorFactory: (id, env) => {
        env.setTimer(10);
        return { onTimer() { env.send(0, "ping"); }, onMessage(from: number, msg: unknown) { if (from === 0 && msg === "pong") replies++; } };
      },
    });
    w.runFor(1_000_000);
    expect(replies).toBe(1);
    expect(w.stats().messagesDelivered).toBe(2);
  });

  it("afterEachEvent sees every event", () => {
    let calls = 0;
    const { w } = probeWorld(5, 2, { afterEachEvent: () => void calls++ });
    w.runFor(10);
    expect(calls).toBe(w.stats().events);
  });
});
