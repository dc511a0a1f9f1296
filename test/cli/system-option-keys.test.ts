// Every system lists the names of its options (System.optionKeys), so `--system-options` with a
// misspelt name is refused (exit 64, the name given) on every system instead of running the
// defaults without a word; a real name still runs. The lists must also hold every name the
// harness itself puts into a system's options (compare's variants and calibration knobs, whose
// replay lines carry them as --system-options, and the shipped scenarios), or those would be
// refused.
import { beforeAll, describe, expect, it } from "vitest";
import { getSystem, listSystems } from "../../src/api/index.js";
import { loadScenarioFile, scenarioBlock, shippedScenarioFiles } from "../../src/api/scenarios.js";
import { buildCli, cli } from "../support/cli.js";

/** Per system: a misspelt option, and a real one (at its default value, so the run is the
 * default run) that a short run accepts. */
const CASES: readonly { system: string; misspelt: string; real: Record<string, unknown>; time: string }[] = [
  { system: "raft-metadata", misspelt: "folowerReads", real: { followerReads: false }, time: "1s" },
  { system: "pingpong", misspelt: "period", real: {}, time: "2s" },
  { system: "failover", misspelt: "leaseUss", real: { replicas: 2 }, time: "1s" },
  { system: "engula", misspelt: "rootVoter", real: { rootVoters: 3 }, time: "1s" },
  { system: "kvrocks-controller", misspelt: "engin", real: { engine: "embedded" }, time: "1s" },
  { system: "valkey", misspelt: "leaseUss", real: { leaseUs: 400_000 }, time: "1s" },
];

describe("--system-options names, on every system", () => {
  beforeAll(buildCli, 120_000);

  it("every built-in system lists its option names", () => {
    for (const s of listSystems()) expect(getSystem(s.name).optionKeys, s.name).toBeDefined();
  });

  it.each(CASES)("$system: a misspelt name is refused (exit 64, named, no stack trace)", ({ system, misspelt, real }) => {
    const r = cli("run", "--system", system, "--seed", "1", "--time", "1s", "--system-options", JSON.stringify({ ...real, [misspelt]: 5 }));
    expect(r.code, r.err).toBe(64);
    expect(r.err).toContain(`system ${system} has no option "${misspelt}"`);
    // Only the misspelt name is named, and the real ones are listed (none for pingpong).
    for (const k of Object.keys(real)) expect(r.err).not.toContain(`"${k}"`);
    if (system === "pingpong") expect(r.err).toContain("it takes none");
    else expect(r.err).toContain(`its options: ${getSystem(system).optionKeys!.join(", ")}`);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe("");
  });

  it.each(CASES)("$system: a real name is accepted and the run gives its verdict", ({ system, real, time }) => {
    const r = cli("run", "--system", system, "--seed", "1", "--time", time, "--system-options", JSON.stringify(real), "--json");
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).verdict).toBe("ok");
  });

  it("compare's variants and calibration knobs name only listed options (their replay lines carry them)", () => {
    for (const { name } of listSystems()) {
      const s = getSystem(name);
      for (const v of s.variants ?? []) {
        const names = [...Object.keys(v.options), ...(v.knob === undefined ? [] : Object.keys(v.knob.options(v.knob.lo)))];
        for (const k of names) expect(s.optionKeys, `${name} variant ${v.name}: ${k}`).toContain(k);
      }
    }
  });

  it("the shipped scenarios give only listed options", () => {
    for (const { file } of shippedScenarioFiles()) {
      const sc = loadScenarioFile(file);
      const options = scenarioBlock(sc).options(sc) as Record<string, unknown> | undefined;
      for (const k of Object.keys(options ?? {})) expect(getSystem(sc.system).optionKeys, `${file}: ${k}`).toContain(k);
    }
  });
});
