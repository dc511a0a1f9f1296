// `npm run mutation` stays runnable: the Stryker config names the sweep's own vitest config,
// that config's only test file is the sweep (which `npm test` does not pick up), the sweep's
// test names can be selected one by one, and its first runs pass on the correct code.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { mutationCases, mutationPlan, REGRESSION_SEEDS, verdictProblem } from "./cases.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** A config file's default export (loaded by URL: tests import only src and test). */
const load = async (file: string): Promise<Record<string, any>> => ((await import(pathToFileURL(`${root}${file}`).href)) as { default: Record<string, any> }).default;

describe("mutation testing setup", () => {
  it("stryker.config.mjs runs the sweep with per-test coverage over src/impl", async () => {
    const cfg = await load("stryker.config.mjs");
    expect(cfg.testRunner).toBe("vitest");
    expect(cfg.coverageAnalysis).toBe("perTest");
    expect(cfg.vitest.related).toBe(false);
    expect(existsSync(`${root}${cfg.vitest.configFile}`)).toBe(true);
    // TypeScript 7 cannot serve Stryker's tsconfig rewriting: the file it names must not exist.
    expect(existsSync(`${root}${cfg.tsconfigFile}`)).toBe(false);
    for (const glob of cfg.mutate as string[]) {
      expect(glob.startsWith("src/impl/"), glob).toBe(true);
      expect(existsSync(`${root}${glob.replace(/\/\*\*.*$/, "")}`), glob).toBe(true);
    }
  });

  it("the sweep is the mutation config's only test and not part of npm test", async () => {
    const mainConfig = await load("vitest.config.ts");
    const mutationConfig = await load("vitest.mutation.config.ts");
    expect(mutationConfig.test?.include).toEqual(["test/mutation/sweep.mutation.ts"]);
    expect(existsSync(`${root}test/mutation/sweep.mutation.ts`)).toBe(true);
    for (const g of mainConfig.test?.include as string[]) expect(g.endsWith(".test.ts"), g).toBe(true);
  });

  it("no test name is a substring of another (Stryker selects tests by an unanchored pattern)", () => {
    const names = mutationCases({ ...mutationPlan(), seeds: 200, everyFault: 50, scenarioSeeds: 3 }).map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const a of names) for (const b of names) if (a !== b) expect(b.includes(a), `${a} in ${b}`).toBe(false);
  });

  it("the first sweep runs pass on the correct code", () => {
    const cases = mutationCases({ seeds: 2, everyFault: 1, scenarioSeeds: 0, timeUs: 10_000_000 });
    expect(cases.map((c) => c.name)).toEqual(["[swarm 0001]", "[swarm 0002]", "[every-fault 0001]"]);
    for (const c of cases) expect(verdictProblem(c.run()), c.name).toBeNull();
  });

  it("the long sweeps' regression seeds are in the sweep and pass on the correct code", () => {
    const cases = mutationCases({ seeds: 0, everyFault: 0, scenarioSeeds: 0, timeUs: 10_000_000, regression: true });
    expect(cases.map((c) => c.name)).toContain("[regression swarm 61628]");
    expect(cases.map((c) => c.name)).toContain("[regression every-fault 5201]");
    expect(cases).toHaveLength(REGRESSION_SEEDS.length);
    for (const c of cases) expect(verdictProblem(c.run()), c.name).toBeNull();
    expect(mutationCases({ seeds: 0, everyFault: 0, scenarioSeeds: 0, timeUs: 10_000_000, regression: false })).toEqual([]);
  });

  it("MUTATION_ONLINE_CHECKS picks raft-metadata's check set for every run, and refuses other values", () => {
    const was = process.env.MUTATION_ONLINE_CHECKS;
    try {
      delete process.env.MUTATION_ONLINE_CHECKS;
      expect(mutationPlan().onlineChecks).toBeUndefined();
      process.env.MUTATION_ONLINE_CHECKS = "all";
      expect(mutationPlan().onlineChecks).toBeUndefined();
      process.env.MUTATION_ONLINE_CHECKS = "starting";
      expect(mutationPlan().onlineChecks).toBe("starting");
      process.env.MUTATION_ONLINE_CHECKS = "fewer";
      expect(() => mutationPlan()).toThrow(/MUTATION_ONLINE_CHECKS must be all, starting or none, got fewer/);
    } finally {
      if (was === undefined) delete process.env.MUTATION_ONLINE_CHECKS;
      else process.env.MUTATION_ONLINE_CHECKS = was;
    }
  });
});
