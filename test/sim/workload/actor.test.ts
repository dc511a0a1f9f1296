import { describe, expect, it } from "vitest";
import { workloadActorFactory, type WorkloadActor } from "../../../src/sim/systems/raft-metadata/clients/actor.js";
import { ClientNote } from "../../../src/sim/systems/raft-metadata/clients/client.js";
import { defaultWorkloadConfig } from "../../../src/sim/systems/raft-metadata/clients/config.js";
import { HistoryRecorder } from "../../../src/sim/systems/raft-metadata/clients/recorder.js";
import type { ActorEnv } from "../../../src/sim/kernel/world.js";
import type { Rng } from "../../../src/sim/kernel/rng.js";
import type { ClientRequest } from "../../../src/impl/metadata/protocol.js";
import { TestRng } from "./fake.js";

describe("workloadActorFactory", () => {
  it("maps endpoints to client ids, starts the client and forwards replies and notes", () => {
    const sent: { to: number; msg: ClientRequest }[] = [];
    const notes: number[][] = [];
    let timer = -1;
    let now = 0;
    const env: ActorEnv = {
      id: 4,
      rng: new TestRng(9) as unknown as Rng,
      send: (to, msg) => sent.push({ to, msg: msg as ClientRequest }),
      setTimer: (t) => (timer = t),
      note: (a, b, c) => notes.push([a, b, c]),
      now: () => now,
    };
    const rec = new HistoryRecorder();
    const actors: WorkloadActor[] = [];
    const factory = workloadActorFactory(defaultWorkloadConfig([0, 1, 2], 2, { mix: { get: 1, put: 0, delete: 0, cas: 0 } }), rec, 3, actors);
    factory(4, env);
    expect(actors).toHaveLength(1);
    const a = actors[0]!;
    expect(a.client.id).toBe(1);
    expect(timer).toBeGreaterThanOrEqual(0);
    now = timer;
    a.onTimer(now);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.msg).toMatchObject({ client: 1, seq: 1, op: { f: "get" } });
    a.onMessage(sent[0]!.to, { kind: "ok", client: 1, seq: 1, result: { f: "get", found: false } }, now + 10);
    expect(rec.operations()[0]).toMatchObject({ client: 1, status: "ok", call: now, ret: now + 10 });
    expect(notes).toEqual([
      [ClientNote.invoke, 1, 1],
      [ClientNote.ok, 1, 1],
    ]);
  });
});
