// The valkey system's planted bugs: each a flag of the Core (src/impl/valkey-contract/core/
// types.ts CoreBugs), each found by the harness's own checks with the Core's and the module's
// assertions off (`--sut-asserts off`) on its detectingSeed of the default 10 s swarm run.
import type { CoreBugs } from "../../../impl/valkey-contract/core/types.js";
import type { PlantedBug } from "../../runner/system.js";

export const BUGS: readonly PlantedBug[] = [
  {
    name: "restart-no-lease",
    description: "a restarted holder resumes its primaryship from its recovered shard log at once, without a heartbeat (no restart sync, no lease): it serves while a replica that took over meanwhile serves too",
    breaks: "single writer per shard",
    detectingSeed: 13,
  },
  {
    name: "wait-before-replicas",
    description: "WAIT counts a replica as soon as the write is streamed to it, not when the replica acknowledges it durably: a WAIT-acknowledged write may be on the primary alone, and lost when it fails over",
    breaks: "no lost WAIT-acknowledged write",
    detectingSeed: 6,
  },
  {
    name: "fenced-never-reverted",
    description: "a manual failover that times out leaves its FENCED marker in the shard log (and no primary clears a stale one): the fenced primary never accepts a write again",
    breaks: "liveness after heal (a writable primary per shard)",
    detectingSeed: 3,
  },
  {
    name: "wall-clock-ttl",
    description: "the Core keeps its heartbeat TTL as an expiry on the wall clock and trusts it alone (clusterDown ignored): a primary whose clock is stepped back serves past its lease, while a replica takes over",
    breaks: "single writer per shard",
    detectingSeed: 5,
  },
  {
    name: "gossip-authority",
    description: "a node accepts writes for the slots GLOBAL gossip routes to it (with a valid heartbeat) without asking the shard log who holds the primaryship: a deposed primary serves until the new route reaches it",
    breaks: "single writer per shard",
    detectingSeed: 2,
  },
  {
    name: "no-catch-up",
    description: "a new primary serves as soon as its takeover CAS succeeded (and the wait passed), without pulling the most up-to-date data of a majority: WAIT-acknowledged writes its own copy lacks are lost",
    breaks: "no lost WAIT-acknowledged write",
    detectingSeed: 86,
  },
];

const FLAGS: Readonly<Record<string, keyof CoreBugs>> = {
  "restart-no-lease": "restartNoLease",
  "wait-before-replicas": "waitBeforeReplicas",
  "fenced-never-reverted": "fencedNeverReverted",
  "wall-clock-ttl": "wallClockTtl",
  "gossip-authority": "gossipAuthority",
  "no-catch-up": "noCatchUp",
};

export function coreBugs(names: readonly string[]): CoreBugs {
  const out: Record<string, boolean> = {};
  for (const n of names) if (FLAGS[n] !== undefined) out[FLAGS[n]] = true;
  return out as CoreBugs;
}
