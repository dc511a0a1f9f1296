// The engula system's planted bugs, each a flag of the node (src/impl/engula) and a seed that
// finds it with the system's own assertions off.
import type { EngulaBugs } from "../../../impl/engula/types.js";
import type { PlantedBug } from "../../runner/system.js";

export const BUGS: readonly PlantedBug[] = [
  {
    name: "liveness-reset",
    description:
      "#12 (FAILURE-DETECTION.md §d; etcd#9395, Engula @9901b7c src/server/src/root/liveness.rs `liveness.reset()`): every new control unit restarts every node's liveness window with a full threshold instead of continuing from the replicated checkpoint, so with control-plane leader changes more often than the threshold a crashed node is never declared dead",
    breaks: "P-C1 bounded detection across control-plane leader changes",
    detectingSeed: 20,
  },
  {
    name: "follower-local-read",
    description:
      "a node answers universe reads (/nodes, /members, units) from its own root-group replica instead of redirecting to the control unit: kvrocks-controller PR #183 (embedded Raft storage), where \"Reading data (Get, Exists) directly queries the kv map\" on followers and deposed leaders alike",
    breaks: "linearizability of the universe-wide request history",
    detectingSeed: 5,
  },
  {
    name: "remove-before-add",
    description:
      "a cure removes the dead voter first and adds its replacement in a later round (3 voters -> 2 -> 3), the order etcd's runtime-reconfiguration guide gives for replacing a failed member, instead of adding the replacement as a learner first (TiKV PD's replace-down-peer operator: add learner, promote, remove); while the group has 2 voters a crash of either survivor stops it even when the removed voter is back",
    breaks: "no quorum lost through a cure",
    detectingSeed: 10,
  },
];

const FLAGS: Readonly<Record<string, keyof EngulaBugs>> = {
  "liveness-reset": "livenessReset",
  "follower-local-read": "staleLocalRead",
  "remove-before-add": "removeBeforeAdd",
};

export function engulaBugs(names: readonly string[]): EngulaBugs {
  const out: Record<string, boolean> = {};
  for (const n of names) if (FLAGS[n] !== undefined) out[FLAGS[n]] = true;
  return out as EngulaBugs;
}
