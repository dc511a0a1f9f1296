// The scenario file format (YAML or JSON), as a zod schema whose output is a normalised
// Scenario: durations in µs, seeds as a list, defaults filled in. Documented in
// scenarios/README.md; the loader (load.ts) turns zod issues into "file: path: problem".
//
// The format is generic: name, description, system, cluster size, time, seeds, expectation,
// network, faults (a swarm of families or a schedule of actions) and planted bugs. A system adds
// its own keys, fault kinds, families and bugs through a ScenarioBlock (System.scenario; for
// raft-metadata: src/sim/systems/raft-metadata/scenario-block.ts); the schema of a file is built
// for the system it names (`system:`, default: the registry's default).
import * as z from "zod";
import { GENERIC_FAULT_KINDS, type GenericFault } from "../faults/index.js";
import type { NetConfig } from "../kernel/network.js";
import { livenessWindowUs } from "../runner/liveness-window.js";
import { EXPECTATIONS, type Expectation } from "../runner/verdict.js";
import { seedRangeOrNull } from "../../util/ranges.js";
import { durationToUs, usToDuration } from "../../util/duration.js";

export { EXPECTATIONS, type Expectation };

/** A fault action in a scenario: a generic kind, or one of the system's own. */
export type ScenarioAction = GenericFault | { readonly at: number; readonly kind: string; readonly [field: string]: unknown };

export type ScenarioFaults = { readonly swarm: readonly string[] } | { readonly schedule: readonly ScenarioAction[] };

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** The system under test. */
  readonly system: string;
  readonly servers: number;
  readonly clients: number;
  readonly timeUs: number;
  readonly seeds: readonly number[];
  readonly expect: Expectation;
  readonly net: NetConfig;
  readonly faults: ScenarioFaults;
  readonly bugs: readonly string[];
  /** The system's own keys, as its block parsed them (raft-metadata: raft, workload, experiment). */
  readonly [key: string]: unknown;
}

/** What a system adds to the scenario format. */
export interface ScenarioBlock {
  readonly system: string;
  /** Its swarm families, in their canonical order. */
  readonly families: readonly string[];
  readonly bugs: readonly string[];
  /** Schemas of its own fault kinds, each built with `act(kind, shape)`. */
  readonly actions: readonly z.ZodObject<any>[];
  /** Its own top-level keys and their schemas (with defaults). */
  readonly shape: z.ZodRawShape;
  /** Cross-field checks of one of its own actions: node(field, id) checks a node id exists. */
  checkAction?(a: ScenarioAction, node: (field: string, v: number) => void, add: (field: string, message: string) => void): void;
  /** The system's run options for a parsed scenario (the runner's RunOptions.options). */
  options(s: Scenario): unknown;
  /** The inverse, for writing a scenario file (a shrunk run): the file's own keys that give
   * these system options. Throws when some option has no file form. None: the system has no
   * options (undefined is the only value it can write). */
  fileKeys?(options: unknown): Record<string, unknown>;
}

/** The systems a scenario may name. */
export interface ScenarioBlocks {
  readonly defaultSystem: string;
  get(system: string): ScenarioBlock | undefined;
  readonly names: readonly string[];
}

// ---- building blocks ---------------------------------------------------------------------

/** A type error message that says "required" when the field is missing. */
export const want = (hint: string) => (iss: { input?: unknown }) => (iss.input === undefined ? `required: ${hint}` : hint);

const DURATION_HINT = `expected a duration like "2s", "150ms" or an integer of µs`;

/** A duration string or an integer of µs. */
export function duration(opts: { signed?: boolean; positive?: boolean } = {}) {
  return z.union([z.string(), z.number()], { error: want(DURATION_HINT) }).transform((v, ctx) => {
    const us = typeof v === "number" ? (Number.isSafeInteger(v) ? v : null) : durationToUs(v, opts.signed);
    if (us === null) {
      ctx.addIssue({ code: "custom", message: `${DURATION_HINT}${opts.signed ? ` (may be negative: "-1s")` : ""}` });
      return z.NEVER;
    }
    if (!opts.signed && us < 0) {
      ctx.addIssue({ code: "custom", message: "must not be negative" });
      return z.NEVER;
    }
    if (opts.positive && us <= 0) {
      ctx.addIssue({ code: "custom", message: "must be positive" });
      return z.NEVER;
    }
    return us;
  });
}

export const nodeId = z.number({ error: want("expected a node id (an integer)") }).int({ error: "expected a node id (an integer)" }).nonnegative({ error: "node ids start at 0" });
export const nodeList = z.array(nodeId, { error: want("expected a list of node ids, e.g. [0, 1]") });
export const probability = z.number({ error: "expected a probability in [0, 1]" }).min(0, { error: "expected a probability in [0, 1]" }).max(1, { error: "expected a probability in [0, 1]" });
export const posInt = z.number({ error: want("expected a positive integer") }).int({ error: "expected a positive integer" }).min(1, { error: "expected a positive integer" });
export const weight = z.number({ error: "expected a non-negative integer weight" }).int({ error: "expected a non-negative integer weight" }).min(0, { error: "expected a non-negative integer weight" });
export const driftPpm = z.number({ error: "expected a drift bound in ppm, 0 <= ppm < 1000000" }).min(0, { error: "expected a drift bound in ppm, 0 <= ppm < 1000000" }).lt(1_000_000, { error: "expected a drift bound in ppm, 0 <= ppm < 1000000" });
export const positiveMs = z.number({ error: "expected a number of milliseconds" }).positive({ error: "must be positive" }).transform((ms) => Math.round(ms * 1000));

// ---- fault actions: the generic kinds (src/sim/faults/kinds.ts), `at` as a duration ----------

const at = duration();
/** The schema of one fault action: {at, kind, ...shape}, no other keys. */
export const act = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) => z.strictObject({ at, kind: z.literal(kind), ...shape });

const GENERIC_ACTIONS = [
    act("partition-halves", { side: nodeList }),
    act("partition-ring", { order: nodeList }),
    act("partition-bridge", { side: nodeList, bridge: nodeId }),
    act("isolate", { node: nodeId }),
    act("cut-one-way", { from: nodeId, to: nodeId }),
    act("heal", {}),
    act("crash", { node: nodeId }),
    act("restart", { node: nodeId }),
    act("pause", { node: nodeId }),
    act("resume", { node: nodeId }),
    act("clock-offset", { node: nodeId, us: duration({ signed: true }) }),
    act("clock-jump", { node: nodeId, us: duration({ signed: true }) }),
    act("clock-strobe", { node: nodeId, us: duration({ positive: true }), periodUs: duration({ positive: true }), durationUs: duration({ positive: true }) }),
    // The simulated clocks accept drift within ±100000 ppm (10%; src/sim/clock.ts).
    act("clock-drift", {
      node: nodeId,
      ppm: z.number({ error: want("expected a drift in ppm (an integer)") }).int({ error: "expected an integer ppm" })
        .min(-100_000, { error: "expected a drift within ±100000 ppm (the simulated clocks' range)" })
        .max(100_000, { error: "expected a drift within ±100000 ppm (the simulated clocks' range)" }),
    }),
    act("disk-lose-unsynced", { node: nodeId, mode: z.enum(["all", "prefix", "torn"], { error: want(`expected "all", "prefix" or "torn"`) }) }),
    act("clog", { from: nodeId, to: nodeId, durationUs: duration({ positive: true }) }),
    act("disk-stall", { node: nodeId, durationUs: duration({ positive: true }) }),
    act("net", {
      latencyMedianUs: duration().optional(),
      latencySigma: z.number({ error: "expected a number >= 0" }).min(0, { error: "expected a number >= 0" }).optional(),
      lossP: probability.optional(),
      dupP: probability.optional(),
    }),
    act("heal-all", {}),
    act("isolate-leader", {}),
    act("crash-leader", { downUs: duration({ positive: true }) }),
    act("reconnect", { node: nodeId }),
    act("snapshot-restore", { node: nodeId, back: posInt }),
] as const;

// ---- seeds --------------------------------------------------------------------------------

const SEEDS_HINT = `expected seeds like 1..20, 7, or a list [1, 5, "10..12"]`;
const MAX_SEEDS = 100_000;

function seedItems(v: unknown): number[] | null {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? [v] : null;
  if (typeof v !== "string") return null;
  const r = seedRangeOrNull(v);
  if (r === null || r.to - r.from >= MAX_SEEDS) return null;
  const { from, to } = r;
  const out: number[] = [];
  for (let s = from; s <= to; s++) out.push(s);
  return out;
}

const seeds = z.unknown().transform((v, ctx) => {
  const items = Array.isArray(v) ? v : [v];
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const s = seedItems(items[i]);
    if (s === null) {
      ctx.addIssue({ code: "custom", message: SEEDS_HINT, path: Array.isArray(v) ? [i] : [] });
      return z.NEVER;
    }
    for (const x of s) if (!out.includes(x)) out.push(x);
  }
  if (out.length === 0 || out.length > MAX_SEEDS) {
    ctx.addIssue({ code: "custom", message: `${SEEDS_HINT} (1 to ${MAX_SEEDS} seeds)` });
    return z.NEVER;
  }
  return out;
});

// ---- the network ---------------------------------------------------------------------------

const net = z
  .strictObject({
    latency: duration().default(1_000),
    sigma: z.number({ error: "expected a number >= 0" }).min(0, { error: "expected a number >= 0" }).default(0.4),
    loss: probability.default(0),
    dup: probability.default(0),
  }, { error: "expected an object of network settings" })
  .transform((n): NetConfig => ({ latencyMedianUs: n.latency, latencySigma: n.sigma, lossP: n.loss, dupP: n.dup }));


// ---- the scenario -------------------------------------------------------------------------

const cache = new Map<ScenarioBlock, z.ZodType<Scenario>>();

/** The schema of a scenario file for one system. */
export function scenarioSchema(block: ScenarioBlock): z.ZodType<Scenario> {
  const hit = cache.get(block);
  if (hit !== undefined) return hit;
  const kinds = [...GENERIC_FAULT_KINDS, ...block.actions.map((a) => (a.shape.kind as z.ZodLiteral<string>).value)];
  const faultAction = z.discriminatedUnion("kind", [...GENERIC_ACTIONS, ...block.actions] as unknown as [z.ZodObject<any>, ...z.ZodObject<any>[]], {
    error: (iss) => (iss.code === "invalid_union" ? `unknown fault kind; expected one of ${kinds.join(", ")}` : iss.input === undefined ? "required" : "expected a fault action {at, kind, ...}"),
  });
  const FAMILIES = block.families;
  const family = z.enum(["all", ...FAMILIES] as [string, ...string[]], { error: `expected a fault family: all, ${FAMILIES.join(", ")}` });
  const swarm = z
    .preprocess((v) => (typeof v === "string" ? [v] : v), z.array(family, { error: want(`expected "all" or a list of fault families (${FAMILIES.join(", ")})`) }).min(1, { error: "list at least one fault family (or: all)" }))
    .transform((v): string[] => {
      const list: string[] = v;
      if (list.includes("all")) return [...FAMILIES];
      return FAMILIES.filter((f) => list.includes(f)); // canonical order, no duplicates
    });
  const faults = z
    .strictObject({ swarm: swarm.optional(), schedule: z.array(faultAction, { error: "expected a list of fault actions" }).optional() }, { error: "expected {swarm: [...]} or {schedule: [...]}" })
    .check((ctx) => {
      const v = ctx.value;
      if (v.swarm !== undefined && v.schedule !== undefined)
        ctx.issues.push({ code: "custom", input: v, message: "give either swarm or schedule, not both" });
      if (v.swarm === undefined && v.schedule === undefined)
        ctx.issues.push({ code: "custom", input: v, message: "give swarm: [families] or schedule: [actions]" });
    })
    .transform((v): ScenarioFaults => (v.swarm !== undefined ? { swarm: v.swarm } : { schedule: (v.schedule ?? []) as ScenarioAction[] }));
  const bugMessage = block.bugs.length > 0 ? `unknown bug; expected one of ${block.bugs.join(", ")}` : `unknown bug; system ${block.system} has no planted bugs`;
  const bug = z.string({ error: bugMessage }).refine((b) => block.bugs.includes(b), { error: bugMessage });
  const schema = z
    .strictObject({
      name: z.string({ error: "required: a name like partition-halves" }).regex(/^[a-z0-9][a-z0-9-]*$/, { error: "expected lower-case letters, digits and dashes, e.g. partition-halves" }),
      description: z.string({ error: "expected a string" }).default(""),
      system: z.literal(block.system).default(block.system),
      servers: z.number({ error: "expected an integer 1..16" }).int({ error: "expected an integer 1..16" }).min(1, { error: "expected an integer 1..16" }).max(16, { error: "expected an integer 1..16" }).default(5),
      clients: z.number({ error: "expected an integer 1..50" }).int({ error: "expected an integer 1..50" }).min(1, { error: "expected an integer 1..50" }).max(50, { error: "expected an integer 1..50" }).default(5),
      time: duration({ positive: true })
        .refine((us) => us >= 1_000_000, { error: `the run must last at least 1s (a bare number is µs: write a unit, e.g. "10s")` })
        .default(10_000_000),
      seeds: seeds.default([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
      expect: z.enum(EXPECTATIONS, { error: `expected "ok", "violation" or "liveness"` }).default("ok"),
      ...block.shape,
      net: net.prefault({ latency: 1_000, sigma: 0.4, loss: 0, dup: 0 }),
      faults: faults.default({ schedule: [] }),
      bugs: z.array(bug, { error: "expected a list of bug names (see `raftsim bugs`)" }).default([]),
    }, { error: "expected a scenario object {name, description, faults, ...}" })
    .check((ctx) => checkAgainstCluster({ ...ctx.value, timeUs: (ctx.value as { time: number }).time } as unknown as Scenario, block, ctx.issues))
    .transform(({ time, ...rest }) => ({ ...rest, timeUs: time }) as unknown as Scenario);
  cache.set(block, schema as unknown as z.ZodType<Scenario>);
  return schema as unknown as z.ZodType<Scenario>;
}

/** Cross-field checks: node ids exist, partitions make sense, actions happen before the heal. */
function checkAgainstCluster(s: Scenario, block: ScenarioBlock, issues: z.core.$ZodRawIssue[]): void {
  if (!("schedule" in s.faults)) return;
  const N = s.servers;
  const add = (i: number, field: string | (string | number)[], message: string) =>
    issues.push({ code: "custom", input: undefined, path: ["faults", "schedule", i, ...(Array.isArray(field) ? field : [field])], message });
  const node = (i: number, field: string | (string | number)[], v: number) => {
    if (v >= N) add(i, field, `no node ${v}: the cluster has ${N} servers (0..${N - 1})`);
  };
  const explicitHeal = s.faults.schedule.some((a) => a.kind === "heal-all");
  const healAt = s.timeUs - livenessWindowUs(s.timeUs);
  s.faults.schedule.forEach((sa, i) => {
    const a = sa as GenericFault;
    if (a.at >= s.timeUs) add(i, "at", `${usToDuration(a.at)} is not before the end of the run (time ${usToDuration(s.timeUs)})`);
    else if (!explicitHeal && a.at >= healAt && a.kind !== "heal" && a.kind !== "heal-all")
      add(i, "at", `${usToDuration(a.at)} is after the automatic final heal at ${usToDuration(healAt)} (time minus the liveness window); add an explicit heal-all or a longer time`);
    switch (a.kind) {
      case "partition-halves":
        a.side.forEach((x, j) => node(i, ["side", j], x));
        if (a.side.length === 0 || a.side.length >= N) add(i, "side", `must list some but not all of the ${N} servers`);
        break;
      case "partition-ring":
        if (a.order.length !== N || new Set(a.order).size !== N || a.order.some((x) => x >= N))
          add(i, "order", `must list every server 0..${N - 1} exactly once`);
        break;
      case "partition-bridge":
        a.side.forEach((x, j) => node(i, ["side", j], x));
        node(i, "bridge", a.bridge);
        if (a.side.includes(a.bridge)) add(i, "bridge", "the bridge node must not be in side");
        break;
      case "cut-one-way":
      case "clog":
        node(i, "from", a.from);
        node(i, "to", a.to);
        if (a.from === a.to) add(i, "to", "must differ from from");
        break;
      case "isolate": case "crash": case "restart": case "pause": case "resume": case "clock-offset": case "clock-jump":
      case "clock-drift": case "clock-strobe": case "disk-lose-unsynced": case "disk-stall": case "reconnect": case "snapshot-restore":
        node(i, "node", a.node);
        break;
      default:
        block.checkAction?.(a, (field, v) => node(i, field, v), (field, message) => add(i, field, message));
        break;
    }
  });
}

