// The sweep engine called as a library (the CLI's tests spawn the built command). Worker
// threads load the built worker (dist/src/api/sweep-worker.js): `npm run build` first.
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import sweepWorker, { describeError, LOADS_ALONE, resolverFor, runOneWith, runSeeds } from "../../src/api/sweep-worker.js";
import { runSystem } from "../../src/sim/runner/run.js";
import { getSystem } from "../../src/sim/systems/index.js";
import { planJobs, sweep, sweepWorkerFile, type SweepProgress } from "../../src/api/sweep.js";

const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
const stable = (r: Awaited<ReturnType<typeof sweep>>) => ({ ...r, wallMs: 0, seedsPerMinute: 0 });

describe("api sweep", () => {
  it("plans jobs: min(requested, CPUs, batches), at least 1", () => {
    expect(planJobs(10_000, 2, 2)).toEqual({ jobs: 1, requested: 10_000, cpus: 2, batches: 1 });
    expect(planJobs(10_000, 300, 2)).toMatchObject({ jobs: 2, batches: 30 });
    expect(planJobs(3, 300, 8)).toMatchObject({ jobs: 3, requested: 3 });
    expect(planJobs(undefined, 300, 4)).toMatchObject({ jobs: 4, requested: 4 });
    expect(planJobs(4, 0, 4)).toMatchObject({ jobs: 1, batches: 0 });
  });

  it("a worker thread loads the systems of LOADS_ALONE by themselves: the registry's own objects; other names through the registry", async () => {
    for (const [name, load] of Object.entries(LOADS_ALONE)) {
      const sys = await load();
      expect(sys).toBe(getSystem(name));
      expect((await resolverFor(name))(name)).toBe(sys);
    }
    expect((await resolverFor("pingpong"))("pingpong")).toBe(getSystem("pingpong"));
    // The worker's entry: the same summaries as this thread gives.
    const task = { system: "raft-metadata", seeds: [4, 5], base: { timeUs: 1_000_000 } };
    expect(await sweepWorker(task)).toEqual(runSeeds(task, runOneWith(getSystem), getSystem));
    const other = { system: "pingpong", seeds: [4], base: { timeUs: 1_000_000 } };
    expect(await sweepWorker(other)).toEqual(runSeeds(other, runOneWith(getSystem), getSystem));
  });

  it("finds the built worker from the TypeScript sources", () => {
    expect(sweepWorkerFile()).toMatch(/dist[\\/]src[\\/]api[\\/]sweep-worker\.js$/);
  });

  it("reports progress through the callback and gives the same report in this thread and on 2 workers", async () => {
    const seen: SweepProgress[] = [];
    const one = await sweep({ seeds, timeUs: 2_000_000, jobs: 1 }, (p) => seen.push(p));
    expect(one).toMatchObject({ seeds: 12, ran: 12, failures: [], jobs: 1, jobsRequested: 1 });
    expect(seen.map((p) => p.done)).toEqual([10, 12]);
    expect(seen.at(-1)).toMatchObject({ total: 12, failures: 0 });
    const two = await sweep({ seeds, timeUs: 2_000_000, jobs: 2 });
    expect(two).toMatchObject({ jobs: Math.min(2, availableParallelism()), jobsRequested: 2 });
    expect({ ...stable(two), jobs: 1, jobsRequested: 1 }).toEqual(stable(one));
  });

  it("another system: pingpong seeds sweep, and its failures' replay lines name it", async () => {
    const r = await sweep({ system: "pingpong", seeds: [1, 2, 3, 4, 5], timeUs: 10_000_000, jobs: 1 });
    expect(r).toMatchObject({ seeds: 5, ran: 5, failures: [], errors: 0 });
    expect(r.verdicts.ok).toBe(5);
    const bad = runSeeds({ system: "pingpong", seeds: [7], base: { timeUs: 1_000_000 } }, () => {
      throw new Error("boom");
    }, getSystem);
    expect(bad[0].error).toMatch(/^Error: boom/);
  });

  it("a planted bug: failures carry the run form of the replay line", async () => {
    const r = await sweep({ seeds: [1, 2, 3], timeUs: 10_000_000, bugs: ["no-session-dedup"], stopOnFirst: true, jobs: 1 });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].replay).toBe(`raftsim run --seed ${r.failures[0].seed} --time 10s --bug no-session-dedup`);
  });

  it("faultsHash: computed by default (compare reads it), left out when the task says false (a sweep)", () => {
    const task = { system: "pingpong", seeds: [3], base: { timeUs: 1_000_000 } };
    const [withHash] = runSeeds(task, runOneWith(getSystem), getSystem);
    const [without] = runSeeds({ ...task, faultsHash: false }, runOneWith(getSystem), getSystem);
    expect(withHash.faultsHash).toMatch(/^[0-9a-f]{16}$/);
    expect(without.faultsHash).toBeUndefined();
    expect({ ...withHash, faultsHash: undefined }).toEqual({ ...without, faultsHash: undefined });
  });

  it("a run that throws becomes that seed's error (name, message, first frame); the batch goes on", () => {
    const rs = runSeeds({ system: "raft-metadata", seeds: [1, 2, 3], base: { timeUs: 1_000_000 } }, (system, o) => {
      if (o.seed === 2) (null as unknown as { x: number }).x;
      return runSystem(getSystem(system), o);
    }, getSystem);
    expect(rs.map((r) => r.verdict)).toEqual(["ok", null, "ok"]);
    expect(rs[1].error).toMatch(/^TypeError: .+ \(at .+:\d+:\d+\)?$/);
    expect(rs[1].message).toBe(rs[1].error);
    expect(rs[0].error).toBeUndefined();
    expect(describeError("boom")).toBe('non-Error thrown: "boom"');
    const e = new RangeError("bad");
    e.stack = "RangeError: bad\n    at f (file:///home/x/raftsim/dist/src/sim/world.js:1:2)\n    at g (file:///home/x/raftsim/dist/src/api/sweep.js:3:4)";
    expect(describeError(e)).toBe("RangeError: bad (at f (dist/src/sim/world.js:1:2))");
  });
});
