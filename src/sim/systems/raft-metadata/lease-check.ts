// Lease safety, checked directly (issue 12 part 3: what the mutation sweep showed missing).
//
// A lease-mode leader answers reads from its own state while its read lease is valid on its own
// clock (src/impl/raft/lease.ts). The lease's whole claim is that meanwhile no other leader
// exists: a quorum acknowledged a round of it and promised no vote for electionMin. A stale
// lease read needs a client to read at the old leader inside the window after the new leader
// committed a write, which a swarm seed rarely arranges, so the history check alone almost never
// sees a broken lease (a mutant that makes every lease valid forever survived 26 lease-mode
// seeds). This check sees the broken promise itself: at every event, no node holds a valid
// read lease in term t while another node is leader of a term above t.
//
// Only meaningful under the clock assumption the lease states (drift within maxDriftPpm; wall
// clock steps are fine, the lease runs on the monotonic clock): the swarm's lease-mode schedules
// respect it (swarm.ts, leaseSafeSchedule); a scenario that breaks it on purpose
// (lease-reads-beyond-drift-bound) expects a violation anyway.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

export function leaseViolation(w: AnyWorld, n: number): string | null {
  for (let holder = 0; holder < n; holder++) {
    const h = w.nodes[holder] as MetaServer | null;
    if (h === null || h.raft.role() !== "leader") continue;
    const lease = h.raft.leaseView(w.clocks[holder].local(w.now)).readLeaseUs;
    // Correct code reports a positive time left or 0; anything else non-zero (a negative time
    // left) is a lease the node believes it holds past its end.
    if (lease === null || lease === 0) continue;
    const term = h.raft.term();
    for (let other = 0; other < n; other++) {
      const o = other === holder ? null : (w.nodes[other] as MetaServer | null);
      if (o !== null && o.raft.role() === "leader" && o.raft.term() > term) {
        return `lease-safety at node ${holder}, t=${(w.now / 1000).toFixed(3)}ms: it holds a read lease in term ${term} for ${lease}µs more, but node ${other} is leader of term ${o.raft.term()}`;
      }
    }
  }
  return null;
}
