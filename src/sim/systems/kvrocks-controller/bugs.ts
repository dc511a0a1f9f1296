// The kvrocks-controller system's planted bugs (FAILURE-DETECTION.md §d #8, #9, #10, #17, and
// one from etcd's client), each a flag of the controller (src/impl/kvrocks/types.ts KvrocksBugs).
// Each is found by its hunt scenario (scenarios/kvrocks-<bug>.yaml: 90 s runs of the one seed
// family that aims at it) at detectingSeed; a 10 s run cannot reach any of them (a failover
// needs 5 probe misses of 3 s, and a new leader first waits out its predecessor).
import type { PlantedBug } from "../../runner/system.js";
import type { KvrocksBugs } from "../../../impl/kvrocks/types.js";

export const BUGS: readonly PlantedBug[] = [
  {
    name: "single-observer",
    description: "#8 (apache/kvrocks-controller#329): the leader alone decides a failover, with no votes of its peers; a leader cut from one master fails over a master every other controller (and the clients) still reach",
    breaks: "P-FO7 no failover of a master that a peer controller reaches",
    detectingSeed: 16,
    detectingScenario: "kvrocks-single-observer",
  },
  {
    name: "blind-update",
    description: "#9 (kvrocks-controller store/store.go UpdateCluster @4599b12): read, compare (stored > new rejects, equal passes), then a blind Set: two controllers that read version v both commit a v+1",
    breaks: "P-KC2 committed versions strictly increase",
    detectingSeed: 46,
    detectingScenario: "kvrocks-blind-update",
  },
  {
    name: "local-read",
    description: "#10 (kvrocks-controller PR #183, the seed): the controller reads the topology from its engine's local map, no ReadIndex, and acts on it",
    breaks: "metadata history linearizable (a stale read of the topology)",
    detectingSeed: 1,
    detectingScenario: "kvrocks-local-read",
  },
  {
    name: "range-mutation",
    description: "#17 (code reading of kvrocks-controller @7ca006b failover/cluster.go): a task is removed from the queue while ranging over it, so the next queued master is skipped and then trimmed off: it waits for its next 5 misses",
    breaks: "P-FO6 bounded failover",
    detectingSeed: 1,
    detectingScenario: "kvrocks-range-mutation",
  },
  {
    name: "session-from-receipt",
    description: "etcd clientv3 lease.go (recvKeepAlive: ka.deadline = time.Now().Add(TTL)): the external engine's session deadline is measured from the keepalive response's receipt, not the request's send; a delayed response lets a leader whose session the store already expired go on acting (engine external)",
    breaks: "P-KC1 one active controller",
    detectingSeed: 2,
    detectingScenario: "kvrocks-session-from-receipt",
  },
];

const FLAGS: Readonly<Record<string, keyof KvrocksBugs>> = {
  "single-observer": "singleObserver",
  "blind-update": "blindUpdate",
  "local-read": "localRead",
  "range-mutation": "rangeMutation",
  "session-from-receipt": "sessionFromReceipt",
};

export function kvrocksBugs(names: readonly string[]): KvrocksBugs {
  const out: Record<string, boolean> = {};
  for (const n of names) if (FLAGS[n] !== undefined) out[FLAGS[n]] = true;
  return out as KvrocksBugs;
}
