// raftsim compare as a library: variants side by side on the same generated schedules (checked
// per seed), a variant with a planted bug shows its violation with a replay line that reruns it,
// the JSON shape, and clear errors for bad input. In this thread (jobs 1), with systems of our
// own registered by name (a pingpong whose variants switch its planted bug on, and one whose
// schedule depends on its options).
import { describe, expect, it } from "vitest";
import { compare, CompareInputError, getSystem, registerSystem, ScheduleMismatchError, simulate, SWARM_ROW, type System } from "../../src/api/index.js";
import { layered } from "../../src/api/compare.js";
import { failoverVariants } from "../../src/sim/systems/failover/variants.js";
import { KNOWN_DETECTORS } from "../../src/sim/systems/failover/options.js";

const pingpong = getSystem("pingpong");

/** pingpong with two variants: clean, and one that plants ack-before-durable (a crash takes an
 * acknowledged count back: the observer's violation). Compare columns: the run's op count. */
const variantPingpong: System = {
  ...pingpong,
  name: "pingpong-variants",
  scenario: undefined,
  variants: [
    { name: "clean", description: "as shipped", options: {} },
    { name: "buggy", description: "ack-before-durable on", options: { plant: true } },
  ],
  compareMetrics: (d) => ({ servers: typeof d.servers === "number" ? d.servers : null }),
  setup: (req) => {
    const plant = (req.options as { plant?: boolean } | undefined)?.plant === true;
    const run = pingpong.setup({ ...req, bugs: plant ? ["ack-before-durable"] : req.bugs, options: undefined });
    return { ...run, details: () => ({ servers: req.servers }) };
  },
};

/** A system whose schedule depends on its options: variant "drop" removes every crash. */
/** Variants that carry out different parts of one generated schedule (the lease design's
 * lease-only actions are the real case): compare checks the schedule as generated. */
const droppingPingpong: System = {
  ...pingpong,
  name: "pingpong-dropping",
  scenario: undefined,
  variants: [
    { name: "keep", description: "schedule as generated", options: {} },
    { name: "drop", description: "crashes dropped from the schedule", options: { drop: true } },
  ],
  setup: (req) => {
    const run = pingpong.setup({ ...req, options: undefined });
    const drop = (req.options as { drop?: boolean } | undefined)?.drop === true;
    return { ...run, adjustSchedule: (actions) => (drop ? actions.filter((a) => a.kind !== "crash" && a.kind !== "restart") : actions) };
  },
};

/** A family whose schedule is not a function of the seed (each generation differs): what a
 * system whose schedule generation depended on its options would look like to compare. */
let generations = 0;
const driftingPingpong: System = {
  ...droppingPingpong,
  name: "pingpong-drifting",
  families: [{ name: "crash", draw: "coin", generate: (_r, { emit, start }) => emit({ at: start + 1_000 * ++generations, kind: "crash", node: 0 }) }],
};

registerSystem(variantPingpong);
registerSystem(droppingPingpong);
registerSystem(driftingPingpong);

describe("compare", () => {
  it("runs every variant on the same schedules, and the buggy variant shows its violation with a replay line", async () => {
    const r = await compare({ system: "pingpong-variants", seeds: { from: 1, to: 4 }, families: ["crash", SWARM_ROW], timeUs: 2_000_000, jobs: 1 });
    expect(r.families).toEqual(["crash", SWARM_ROW]);
    expect(r.rows.map((x) => `${x.family}/${x.variant}`)).toEqual(["crash/clean", "crash/buggy", "swarm/clean", "swarm/buggy"]);
    // Every (family, seed) pair was checked: both variants ran the same faults.
    expect(r.schedulesChecked).toBe(8);
    const crash = r.rows.filter((x) => x.family === "crash");
    expect(crash[0].violations).toBe(0);
    expect(crash[0].counterexample).toBeUndefined();
    expect(crash[1].violations).toBeGreaterThan(0);
    const cx = crash[1].counterexample!;
    expect(cx.verdict).toBe("violation");
    expect(cx.replay).toBe(`raftsim run --system pingpong-variants --seed ${cx.seed} --time 2s --families crash --system-options '{"plant":true}'`);
    // The seed fails again as replayed (the family alone, the variant's options).
    const again = simulate({ system: "pingpong-variants", seed: cx.seed, timeUs: 2_000_000, families: ["crash"], systemOptions: { plant: true } });
    expect(again.summary.verdict).toBe("violation");
    expect(again.summary.message).toBe(cx.message);
    // The compare columns, aggregated over the seeds.
    expect(r.columns).toEqual(["servers"]);
    expect(crash[0].servers).toEqual({ seeds: 4, p50: 5, p99: 5, max: 5, min: 5, sum: 20 });
  });

  it("prints the JSON shape the issue names: rows of {variant, detector, family, seeds, violations, ...metrics}", async () => {
    const r = await compare({ system: "failover", variants: ["gossip", "oracle"], seeds: { from: 1, to: 2 }, families: ["partition"], timeUs: 5_000_000, jobs: 1 });
    const json = JSON.parse(JSON.stringify(r)) as { rows: Record<string, unknown>[] };
    expect(json.rows).toHaveLength(2);
    for (const row of json.rows) {
      expect(row).toMatchObject({ family: "partition", seeds: 2, violations: expect.any(Number), liveness: expect.any(Number), errors: 0 });
      expect(row.detector).toBe(row.variant);
      for (const c of ["tdP50Ms", "failoverP50Ms", "unavailMaxMs", "falseFailovers", "dualWritableMs", "lostAckedWrites", "epochCollisions", "msgsPerNodeS", "busKBPerNodeS"])
        expect(row[c]).toMatchObject({ seeds: expect.any(Number), p50: expect.toSatisfy((x: unknown) => x === null || typeof x === "number"), max: expect.toSatisfy((x: unknown) => x === null || typeof x === "number") });
    }
    expect(r.schedulesChecked).toBe(2);
  });

  it("system options go under every variant's: nested objects merge key by key", async () => {
    expect(layered({ valkey: { pingIntervalMs: 0, cronMs: 100 }, a: 1 }, { detector: "gossip", valkey: { nodeTimeoutMs: 2900 } })).toEqual({ valkey: { pingIntervalMs: 0, cronMs: 100, nodeTimeoutMs: 2900 }, a: 1, detector: "gossip" });
    expect(layered(undefined, { a: [1] }, { a: [2] })).toEqual({ a: [2] });
    // The bug planted through the system options shows in the clean variant too.
    const r = await compare({ system: "pingpong-variants", seeds: { from: 1, to: 4 }, families: ["crash"], timeUs: 2_000_000, jobs: 1, systemOptions: { plant: true } });
    expect(r.rows[0].variant).toBe("clean");
    expect(r.rows[0].violations).toBeGreaterThan(0);
    expect(r.rows[0].counterexample!.replay).toContain(`--system-options '{"plant":true}'`);
    expect(r.systemOptions).toEqual({ plant: true });
  });

  it("checks the schedule as generated: variants may carry out different parts of it", async () => {
    const r = await compare({ system: "pingpong-dropping", seeds: { from: 1, to: 6 }, families: ["crash"], timeUs: 2_000_000, jobs: 1 });
    expect(r.schedulesChecked).toBe(6);
  });

  it("refuses when a system's schedule depends on its options", async () => {
    const p = compare({ system: "pingpong-drifting", seeds: { from: 1, to: 6 }, families: ["crash"], timeUs: 2_000_000, jobs: 1 });
    await expect(p).rejects.toThrow(ScheduleMismatchError);
    await expect(compare({ system: "pingpong-drifting", seeds: { from: 1, to: 6 }, families: ["crash"], timeUs: 2_000_000, jobs: 1 })).rejects.toThrow(/variants keep and drop ran different fault schedules on seed \d+ \(family crash\): its schedule generation depends on its options/);
  });

  it("names the field and the problem for bad input", async () => {
    const o = { system: "pingpong-variants", seeds: { from: 1, to: 2 }, timeUs: 1_000_000, jobs: 1 };
    await expect(compare({ ...o, variants: ["clean", "nope"] })).rejects.toThrow(new CompareInputError('variants: unknown variant "nope" of system pingpong-variants; known: clean, buggy'));
    await expect(compare({ ...o, families: ["tsunami"] })).rejects.toThrow(/^families: unknown fault family "tsunami" of system pingpong-variants; known: partition, crash/);
    await expect(compare({ ...o, system: "pingpong" })).rejects.toThrow(/system pingpong defines no variants/);
    await expect(compare({ ...o, seeds: { from: 3, to: 2 } })).rejects.toThrow(/seeds: the range is empty/);
    await expect(compare({ ...o, calibrateTo: 100 })).rejects.toThrow(/calibrate: system pingpong-variants defines no calibration runs/);
  });

  it("failover's variants are generated from KNOWN_DETECTORS, each with its detector as options", () => {
    expect(failoverVariants.map((v) => v.name)).toEqual([...KNOWN_DETECTORS]);
    for (const v of failoverVariants) {
      expect(v.options).toEqual({ detector: v.name });
      if (v.knob !== undefined) expect(v.knob.options(v.knob.lo)).toMatchObject({ detector: v.name });
    }
  });

  it("calibration brings a variant's median crash-to-failover time to the target, deterministically", async () => {
    const run = () => compare({ system: "failover", variants: ["gossip"], seeds: { from: 1, to: 1 }, families: ["partition"], timeUs: 2_000_000, jobs: 1, calibrateTo: 4000, calibrationSteps: 6 });
    const a = await run();
    const c = a.calibration!.results[0];
    expect(c.knob).toBe("valkey.nodeTimeoutMs");
    expect(c.reached).toBe(true);
    // Failover takes about T + 1.1 s at P = 100 ms: T near 2.9 s for 4 s.
    expect(c.value!).toBeGreaterThan(2_000);
    expect(c.value!).toBeLessThan(3_500);
    expect(Math.abs(c.median! - 4000)).toBeLessThan(400);
    expect(a.variants[0].options).toEqual({ detector: "gossip", valkey: { nodeTimeoutMs: c.value } });
    const b = await run();
    expect(b.calibration).toEqual(a.calibration);
  }, 120_000);
});
