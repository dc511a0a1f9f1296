// The swarm's workload profiles as run: for each profile (src/sim/systems/raft-metadata/swarm.ts)
// the share of reads, CAS and list among the operations issued, over seeds 1..N (default 100;
// WORKLOAD_SEEDS) of 10 s generated runs with that profile's workload, and the linearizability
// check's time (lists put the keys they cover into one part: model-ranges.ts). Then how often
// the swarm draws each profile, follower reads, sticky clients and CheckQuorum off.
// `npm run build && node dist/bench/workload-mix.js`
import { runCluster, swarmWorkload, WORKLOAD_PROFILES } from "../src/api/index.js";
import { Rng } from "../src/sim/kernel/rng.js";
import { checkBenchArgs } from "./usage.js";

checkBenchArgs(`Usage: node dist/bench/workload-mix.js
The swarm's workload profiles as run (WORKLOAD_SEEDS, default 100). Writes nothing.
  -h, --help       this text`, {});

const N = Number(process.env.WORKLOAD_SEEDS ?? 100);
const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`.padStart(6);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

process.stdout.write(`profile          ops/run  reads   cas    list   writes  (put/delete)  lin ms median/max  verdicts\n`);
for (const p of WORKLOAD_PROFILES) {
  let ops = 0, reads = 0, cas = 0, list = 0, put = 0, del = 0;
  const ms: number[] = [];
  const verdicts = new Map<string, number>();
  for (let seed = 1; seed <= N; seed++) {
    const r = runCluster({ seed, timeUs: 10_000_000, workload: p.workload });
    verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
    if (r.lin !== null) ms.push(r.lin.ms);
    for (const o of r.operations) {
      ops++;
      const f = o.input.f;
      if (f === "get" || f === "exists" || f === "list") reads++;
      if (f === "list") list++;
      if (f === "cas") cas++;
      if (f === "put") put++;
      if (f === "delete") del++;
    }
  }
  const v = [...verdicts].map(([k, n]) => `${k} ${n}`).join(", ");
  process.stdout.write(`${p.name.padEnd(16)} ${String(Math.round(ops / N)).padStart(7)} ${pct(reads, ops)} ${pct(cas, ops)} ${pct(list, ops)} ${pct(ops - reads, ops)}  (${pct(put, ops)}/${pct(del, ops)})  ${median(ms).toFixed(0).padStart(6)}/${Math.max(0, ...ms).toFixed(0).padStart(6)}  ${v}\n`);
}

const counts = new Map<string, number>();
let fr = 0, sticky = 0, cq = 0;
const M = 1000;
for (let seed = 1; seed <= M; seed++) {
  const d = swarmWorkload(Rng.root(seed).fork("workload-mix"));
  counts.set(d.profile, (counts.get(d.profile) ?? 0) + 1);
  if (d.followerReads) fr++;
  if ((d.workload.stickyUs ?? 0) > 0) sticky++;
  if (d.checkQuorumOff) cq++;
}
process.stdout.write(`\nswarm draws over seeds 1..${M}: ${[...counts].map(([k, n]) => `${k} ${pct(n, M).trim()}`).join(", ")}; follower reads ${pct(fr, M).trim()}, sticky clients ${pct(sticky, M).trim()}, CheckQuorum-off draw ${pct(cq, M).trim()} (lease and membership runs keep it on)\n`);
