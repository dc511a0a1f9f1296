// Events per simulated second, seeds per minute and verdicts of raft-metadata seeds 1..N, with
// the event-saving options off and on (issue 12 part 5), in one process, modes interleaved
// seed by seed after a warm-up so machine drift hits every mode alike.
//   npm run build && node dist/bench/events.js [--seeds N] [--time 10] [--modes off,fast]
// Modes: off (fast: false, the original event model), coalesce (raft.coalesceHeartbeats alone),
// liveness (livenessStopWhenHealthy alone), fast (both: the default). The CLI's --no-fast is
// `off`.
import { getSystem, runSystem } from "../src/api/index.js";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: node dist/bench/events.js [--seeds N] [--time S] [--modes off,coalesce,liveness,fast]
Events per simulated second, seeds per minute and verdicts of raft-metadata seeds 1..N with the
event-saving options off and on, modes interleaved seed by seed. Writes nothing.
  -h, --help       this text`, { seeds: { type: "string" }, time: { type: "string" }, modes: { type: "string" } });

const MODES: Readonly<Record<string, Record<string, unknown>>> = {
  off: { fast: false },
  coalesce: { fast: false, raft: { coalesceHeartbeats: true } },
  liveness: { fast: false, livenessStopWhenHealthy: true },
  fast: { fast: true },
};

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

interface Tally {
  seeds: number;
  events: number;
  simUs: number;
  cpuUs: number;
  verdicts: Record<string, number>;
  failures: string[];
}

function main(): void {
  const n = Number(arg("seeds", "200"));
  const timeUs = Number(arg("time", "10")) * 1_000_000;
  const modes = arg("modes", "off,fast").split(",");
  for (const m of modes) if (MODES[m] === undefined) throw new Error(`unknown mode ${m}; known: ${Object.keys(MODES).join(", ")}`);
  const system = getSystem("raft-metadata");
  const run = (seed: number, mode: string) => runSystem(system, { seed, timeUs, options: MODES[mode] });
  for (let s = 1; s <= 30; s++) for (const m of modes) run(100_000 + s, m); // JIT warm-up
  const t: Record<string, Tally> = {};
  for (const m of modes) t[m] = { seeds: 0, events: 0, simUs: 0, cpuUs: 0, verdicts: {}, failures: [] };
  for (let seed = 1; seed <= n; seed++) {
    for (let k = 0; k < modes.length; k++) {
      const m = modes[(seed + k) % modes.length]; // alternate which mode goes first
      const c0 = process.cpuUsage();
      const r = run(seed, m);
      const c = process.cpuUsage(c0);
      const x = t[m];
      x.seeds++;
      x.events += r.stats.events;
      x.simUs += r.stats.simulatedUs;
      x.cpuUs += c.user + c.system;
      x.verdicts[r.verdict] = (x.verdicts[r.verdict] ?? 0) + 1;
      if (r.verdict !== "ok") x.failures.push(`${seed}:${r.verdict}:${r.message}`);
    }
  }
  const base = t[modes[0]];
  for (const m of modes) {
    const x = t[m];
    const row = {
      mode: m,
      seeds: x.seeds,
      eventsPerSeed: Math.round(x.events / x.seeds),
      eventsPerSimSecond: Math.round(x.events / (x.simUs / 1e6)),
      simSecondsPerSeed: +(x.simUs / 1e6 / x.seeds).toFixed(2),
      cpuMsPerSeed: +(x.cpuUs / 1000 / x.seeds).toFixed(2),
      seedsPerCpuMinute: Math.round((x.seeds * 60e6) / x.cpuUs),
      cpuVsFirst: +(x.cpuUs / base.cpuUs).toFixed(3),
      eventsVsFirst: +(x.events / base.events).toFixed(3),
      verdicts: x.verdicts,
      failures: x.failures.slice(0, 10),
    };
    console.log(JSON.stringify(row));
  }
}

main();
