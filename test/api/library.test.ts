// The library surface (src/api/index.ts): the objects simulate/replay/check return are the ones
// the CLI prints with --json; user systems and Porcupine-shaped models plug in.
import { beforeAll, describe, expect, it } from "vitest";
import { check, defineModel, faults, models, replay, simulate, systems, registerSystem, getSystem, type PorcupineModel, type System } from "../../src/api/index.js";

import { buildCli, cli } from "../support/cli.js";

beforeAll(() => {
  buildCli();
});

const noWall = (j: { stats: { wallMs: number } }) => ({ ...j, stats: { ...j.stats, wallMs: 0 } });

describe("simulate and replay", () => {
  it("simulate's summary is what `raftsim run --json` prints", () => {
    const s = simulate({ system: "pingpong", seed: 3, timeUs: 2_000_000, bugs: ["ack-before-durable"] });
    const c = cli("run", "--system", "pingpong", "--seed", "3", "--time", "2s", "--bug", "ack-before-durable", "--json");
    expect(noWall(s.summary)).toEqual(noWall(JSON.parse(c.out)));
    expect(s.result.traceHash).toBe(s.summary.traceHash);
  });

  it("an explicit schedule reruns from its replay line (--faults), hash for hash", () => {
    const schedule = [
      { at: 500_000, kind: "crash" as const, node: 1 },
      { at: 900_000, kind: "restart" as const, node: 1 },
    ];
    const s = simulate({ system: "pingpong", seed: 5, timeUs: 3_000_000, faults: schedule });
    expect(s.result.faults.length).toBe(3); // the runner appended heal-all
    expect(s.summary.replay).toContain("--faults '");
    const argv = s.summary.replay.match(/'[^']*'|\S+/g)!.map((w) => w.replace(/^'|'$/g, ""));
    expect(argv.slice(0, 2)).toEqual(["raftsim", "replay"]);
    const c = cli(...argv.slice(1), "--json");
    expect(c.code).toBe(0);
    const j = JSON.parse(c.out);
    expect(j.match).toBe(true);
    expect(j.traceHash).toBe(s.summary.traceHash);
  });

  it("replay insists on the hash", () => {
    const s = simulate({ system: "pingpong", seed: 2, timeUs: 2_000_000 });
    expect(replay({ system: "pingpong", seed: 2, timeUs: 2_000_000, expectHash: s.summary.traceHash }).match).toBe(true);
    const bad = replay({ system: "pingpong", seed: 2, timeUs: 2_000_000, expectHash: "0000000000000000" });
    expect(bad.match).toBe(false);
    expect(bad.summary.expectedHash).toBe("0000000000000000");
  });

  it("a system object of your own runs, and registers by name", () => {
    const base = getSystem("pingpong");
    const mine: System = { ...base, name: "my-pingpong", scenario: undefined };
    const a = simulate({ system: mine, seed: 4, timeUs: 2_000_000 });
    const b = simulate({ system: "pingpong", seed: 4, timeUs: 2_000_000 });
    expect(a.summary.traceHash).toBe(b.summary.traceHash);
    expect(a.summary.system).toBe("my-pingpong");
    registerSystem(mine);
    registerSystem(mine); // the same object twice: harmless
    expect(systems.names()).toContain("my-pingpong");
    expect(simulate({ system: "my-pingpong", seed: 4, timeUs: 2_000_000 }).summary.traceHash).toBe(b.summary.traceHash);
    expect(() => registerSystem({ ...mine })).toThrow(/already registered/);
    expect(() => registerSystem({ ...base })).toThrow(/built-in/);
  });

  it("faults and models list what there is", () => {
    expect(faults.kinds).toContain("crash");
    expect(faults.families).toEqual(expect.arrayContaining(["partition", "crash"]));
    expect(models.names()).toEqual(expect.arrayContaining(["cas-register", "metadata-kv"]));
  });
});

describe("check: the checker on its own", () => {
  // A key-value store in Porcupine's shape: put/get per key.
  type KvIn = { op: "put" | "get"; key: string; value?: string };
  const kv: PorcupineModel<string, KvIn, string | undefined> = {
    name: "test-kv",
    init: () => "",
    step: (state, input, output) => (input.op === "put" ? [true, input.value!] : [output === undefined || output === state, state]),
    partition: (input) => input.key,
    describeOperation: (i, o) => (i.op === "put" ? `put(${i.key}, ${i.value})` : `get(${i.key}) → ${o}`),
  };

  it("a Porcupine model and Porcupine operations: ok, then illegal with a counterexample", () => {
    const ok = check(
      [
        { clientId: 0, input: { op: "put", key: "x", value: "1" }, call: 0, output: undefined, return: 10 },
        { clientId: 1, input: { op: "get", key: "x" }, call: 5, output: "1", return: 15 },
        { clientId: 1, input: { op: "get", key: "y" }, call: 20, output: "", return: 25 },
      ],
      kv,
    );
    expect(ok).toMatchObject({ verdict: "ok", model: "test-kv", ops: 3, partitions: 2 });
    const bad = check(
      [
        { clientId: 0, input: { op: "put", key: "x", value: "1" }, call: 0, output: undefined, return: 10 },
        { clientId: 1, input: { op: "get", key: "x" }, call: 20, output: "", return: 25 },
      ],
      kv,
    );
    expect(bad.verdict).toBe("illegal");
    expect(bad.counterexample?.parts.length).toBe(1);
  });

  it("events and raftsim's own models by name; the same object `raftsim check --json` prints", () => {
    const r = check(
      [
        { type: "invoke", client: 0, input: { f: "write", value: 1 } },
        { type: "ok", client: 0 },
        { type: "invoke", client: 1, input: { f: "read" } },
        { type: "ok", client: 1, output: 2 },
      ],
      "register",
    );
    expect(r.verdict).toBe("illegal");
    expect(Object.keys(r)).toEqual(["verdict", "model", "ops", "partitions", "unchecked", "lenient", "ms", "counterexample"]);
    expect(check([], defineModel(kv)).verdict).toBe("ok");
    expect(() => check([], "no-such-model")).toThrow(/unknown model/);
  });
});
