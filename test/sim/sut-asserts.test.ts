// --sut-asserts off: the system under test runs without its own assertions, so that only the
// harness's checks (invariants, durability, linearizability, liveness) can find a bug.
import { findBug } from "../../src/sim/systems/raft-metadata/bugs.js";
import { beforeAll, describe, expect, it } from "vitest";
import { runSystem } from "../../src/sim/runner/run.js";
import { getSystem } from "../../src/api/systems.js";
import { failureOf } from "../../src/api/shrink.js";
import { RaftLog } from "../../src/impl/raft/log.js";
import { MetadataStore } from "../../src/impl/metadata/store.js";
import { buildCli, cli } from "../support/cli.js";
import { BUG_FINDS } from "../../src/api/bug-finds.js";

const TEN_S = 10_000_000;

describe("--sut-asserts off", () => {
  it("an assertion that holds changes nothing: the same seeds give the same trace hashes", () => {
    for (const name of ["raft-metadata", "pingpong"]) {
      for (const seed of [1, 2, 3, 4]) {
        const on = runSystem(getSystem(name), { seed, timeUs: TEN_S, everyFamily: seed % 2 === 0 });
        const off = runSystem(getSystem(name), { seed, timeUs: TEN_S, everyFamily: seed % 2 === 0, sutAsserts: false });
        expect(off.traceHash, `${name} seed ${seed}`).toBe(on.traceHash);
        expect(off.verdict).toBe(on.verdict);
      }
    }
  });

  it("switches the code's own checks off: the log and the store carry on where they would throw", () => {
    const strictLog = new RaftLog<string>();
    expect(() => strictLog.compact(5)).toThrow(/raft invariant: compacting to 5 beyond last index 0/);
    const lax = new RaftLog<string>(false, false);
    expect(() => lax.compact(5)).not.toThrow();
    const cmd = (seq: number, value: string) => ({ client: 1, seq, op: { f: "put" as const, key: "k", value } });
    const store = new MetadataStore();
    store.apply(3, cmd(1, "v"));
    expect(() => store.apply(2, cmd(2, "w"))).toThrow(/metadata invariant: apply index 2 not above applied index 3/);
    const laxStore = new MetadataStore({ asserts: false });
    laxStore.apply(3, cmd(1, "v"));
    expect(() => laxStore.apply(2, cmd(2, "w"))).not.toThrow();
  });

  it("a planted bug is still found by the harness's own checks, and the same seed passes without it", () => {
    const sys = getSystem("raft-metadata");
    const seed = findBug("vote-not-persisted")!.detectingSeed;
    const withBug = runSystem(sys, { seed, timeUs: TEN_S, bugs: ["vote-not-persisted"], sutAsserts: false });
    // The check that finds it first, as the planted-bug table last measured (npm run bugs:table).
    expect(failureOf(withBug)).toEqual({ verdict: "violation", check: BUG_FINDS["raft-metadata/vote-not-persisted"]!.assertsOff.check });
    expect(runSystem(sys, { seed, timeUs: TEN_S, sutAsserts: false }).verdict).toBe("ok");
  });
});

describe("--sut-asserts on the command line", () => {
  beforeAll(buildCli, 120_000);

  it("off is repeated in the replay line; a bad value is a usage error", () => {
    const r = cli("run", "--system", "pingpong", "--seed", "1", "--time", "2s", "--sut-asserts", "off", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).replay).toMatch(/--sut-asserts off/);
    const bad = cli("run", "--seed", "1", "--sut-asserts", "maybe");
    expect(bad.code).toBe(64);
    expect(bad.err).toMatch(/--sut-asserts.*expected on or off, found "maybe"/);
  });
});
