// The golden set: the runs whose trace hash, verdict, event count and operation count are
// pinned in golden.tsv. A refactoring must leave every row byte-identical; a change that means
// to move hashes re-pins them (`npm run golden:update`) in a commit of its own that says why.
//
// The set (ARCHITECTURE-REVIEW §5 step 1):
//   raft-metadata seeds 1..200 at 10 s (the sweep default), 3 seeds at 30 s (the run default),
//   seeds 1..50 with every fault family, every planted bug at its detecting seed, every shipped
//   scenario (but experiments) at its first 3 seeds, pingpong seeds 1..50 at 10 s with the
//   generic fault families, and failover (gossip) seeds 1..30 at 10 s and each of its planted
//   bugs at its detecting seed, then failover with each hosted detector (timeout, phi, swim,
//   oracle) and the lease design seeds 1..10 at 10 s (ops: its clients' operations, from
//   RunResult.details).
import { BUGS } from "../../src/sim/systems/raft-metadata/bugs.js";
import { runCluster } from "../../src/sim/systems/raft-metadata/run.js";
import { runSimulation } from "../../src/sim/systems/pingpong/run.js";
import { loadScenarioRef, scenarioBlock, scenarioExperiment, shippedScenarioFiles } from "../../src/api/scenarios.js";
import { scenarioRunOptions } from "../../src/sim/scenario/index.js";
import { runSystem } from "../../src/sim/runner/run.js";
import { getSystem } from "../../src/sim/systems/index.js";


export interface GoldenRow {
  readonly set: string;
  readonly seed: number;
  readonly hash: string;
  readonly verdict: string;
  readonly events: number;
  /** Client operations in the history; "-" for a system that records none. */
  readonly ops: number | "-";
}

const S = 1_000_000;


/** The fault families every system has (no Raft operator families): what pingpong is pinned with. */
export const GENERIC_FAMILIES: readonly string[] = ["partition", "crash", "pause", "clock", "disk", "clog", "net"];

function seeds(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let s = lo; s <= hi; s++) out.push(s);
  return out;
}

export interface GoldenCase {
  readonly set: string;
  readonly seed: number;
  readonly run: () => Omit<GoldenRow, "set" | "seed">;
}

function raft(set: string, seed: number, o: Omit<Parameters<typeof runCluster>[0], "seed">): GoldenCase {
  return {
    set,
    seed,
    run: () => {
      const r = runCluster({ ...o, seed });
      return { hash: r.traceHash, verdict: r.verdict, events: r.stats.events, ops: r.history.ops };
    },
  };
}

export function goldenCases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  for (const s of seeds(1, 200)) out.push(raft("raft-metadata/10s", s, { timeUs: 10 * S }));
  for (const s of seeds(1, 3)) out.push(raft("raft-metadata/30s", s, { timeUs: 30 * S }));
  for (const s of seeds(1, 50)) out.push(raft("raft-metadata/every-fault", s, { timeUs: 10 * S, everyFamily: true }));
  for (const b of BUGS) out.push(raft(`raft-metadata/bug/${b.name}`, b.detectingSeed, { timeUs: 10 * S, bugs: [b.name] }));
  for (const { name } of shippedScenarioFiles()) {
    const { scenario } = loadScenarioRef(name);
    if (scenarioExperiment(scenario) !== undefined) continue;
    for (const s of scenario.seeds.slice(0, 3)) {
      out.push({
        set: `scenario/${name}`,
        seed: s,
        run: () => {
          const r = runSystem(getSystem(scenario.system), scenarioRunOptions(scenario, scenarioBlock(scenario), s));
          return { hash: r.traceHash, verdict: r.verdict, events: r.stats.events, ops: r.history === null ? "-" : r.history.ops };
        },
      });
    }
  }
  for (const s of seeds(1, 50)) {
    out.push({
      set: "pingpong/10s",
      seed: s,
      run: () => {
        const r = runSimulation({ seed: s, timeUs: 10 * S, families: GENERIC_FAMILIES });
        return { hash: r.traceHash, verdict: r.verdict, events: r.stats.events, ops: "-" };
      },
    });
  }
  const failover = getSystem("failover");
  const fo = (set: string, seed: number, bugs: string[], detector?: string): GoldenCase => ({
    set,
    seed,
    run: () => {
      const r = runSystem(failover, { seed, timeUs: 10 * S, bugs, ...(detector === undefined ? {} : { options: { detector } }) });
      return { hash: r.traceHash, verdict: r.verdict, events: r.stats.events, ops: (r.details.history as { ops: number }).ops };
    },
  });
  for (const s of seeds(1, 30)) out.push(fo("failover/10s", s, []));
  for (const b of failover.bugs) out.push(fo(`failover/bug/${b.name}`, b.detectingSeed!, [b.name]));
  for (const d of ["timeout", "phi", "swim", "oracle"]) for (const s of seeds(1, 10)) out.push(fo(`failover/${d}/10s`, s, [], d));
  // The lease design (its planted bugs ride in the failover/bug rows above: a lease bug runs it).
  for (const s of seeds(1, 10)) out.push(fo("failover/lease/10s", s, [], "lease"));
  // The valkey system (a Core over raft-module): the default swarm and each planted bug's seed.
  const valkey = getSystem("valkey");
  const vk = (set: string, seed: number, bugs: string[]): GoldenCase => ({
    set,
    seed,
    run: () => {
      const r = runSystem(valkey, { seed, timeUs: 10 * S, bugs });
      return { hash: r.traceHash, verdict: r.verdict, events: r.stats.events, ops: (r.details.valkey as { clientOps: number }).clientOps };
    },
  });
  for (const s of seeds(1, 10)) out.push(vk("valkey/10s", s, []));
  for (const b of valkey.bugs) out.push(vk(`valkey/bug/${b.name}`, b.detectingSeed!, [b.name]));
  return out;
}

export const HEADER = "set\tseed\thash\tverdict\tevents\tops";

export function formatRow(r: GoldenRow): string {
  return `${r.set}\t${r.seed}\t${r.hash}\t${r.verdict}\t${r.events}\t${r.ops}`;
}
