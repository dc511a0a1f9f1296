// The engula system's liveness condition after the final heal: why the universe has not
// settled, or null. Settled: every node up and joined; a control unit in office that knows
// every node and holds none dead; every data group led, with exactly `replicas` voters, no
// learner and no pending change, its leader having committed an entry of its term.
import type { EngulaNode } from "../../../impl/engula/node.js";
import type { EngulaOptions } from "../../../impl/engula/types.js";
import { NodeStatus } from "../../kernel/world.js";
import type { AnyWorld } from "../../runner/system.js";

export function settled(w: AnyWorld, o: EngulaOptions): string | null {
  const N = o.servers;
  let cu: EngulaNode | null = null;
  for (let i = 0; i < N; i++) {
    const n = w.nodes[i] as EngulaNode | null;
    if (n === null || w.status[i] !== NodeStatus.up) return `node ${i} is down`;
    if (!n.joined) return `node ${i} has not joined`;
    if (n.cu !== null && (cu === null || n.cu.term > cu.cu!.term)) cu = n;
  }
  if (cu === null) return "no control unit";
  const local = w.localNow(cu.id);
  for (let i = 0; i < N; i++) {
    if (!cu.universe.nodes.includes(i)) return `control unit ${cu.id} does not know node ${i}`;
    if (cu.liveness.isDead(i, local)) return `control unit ${cu.id} holds node ${i} dead`;
  }
  for (let g = 1; g <= o.groups; g++) {
    let leader: EngulaNode | null = null;
    for (let i = 0; i < N; i++) {
      const n = w.nodes[i] as EngulaNode;
      const r = n.host.get(g);
      if (r !== undefined && r.role() === "leader" && (leader === null || r.term() > leader.host.get(g)!.term())) leader = n;
    }
    if (leader === null) return `group ${g} has no leader`;
    const r = leader.host.get(g)!;
    if (r.entry(r.commitIndex())?.term !== r.term()) return `group ${g}'s leader ${leader.id} has not committed in its term`;
    if (r.voters().length !== o.replicas) return `group ${g} has ${r.voters().length} voters [${r.voters().join(",")}]`;
    if (r.learners().length > 0) return `group ${g} has learners [${r.learners().join(",")}]`;
    if (r.confChangePending()) return `group ${g} has a pending configuration change`;
  }

  return null;
}
