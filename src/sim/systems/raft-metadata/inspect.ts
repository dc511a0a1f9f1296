// raft-metadata's node snapshot (SystemRun.inspectNode, `raftsim replay --at`): what one server
// holds at an instant — Raft's role, term, vote and leader, its log and snapshot, commit and
// applied indexes, the store's revision, the leases and the configuration. Read-only: it calls
// only Raft's and the store's accessors.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld, NodeField } from "../../runner/system.js";

/** The terms a log spans, as runs of equal term: "[1..40]@1 [41..97]@3"; "-" when empty. */
export function termRuns(first: number, last: number, termAt: (i: number) => number): string {
  if (last < first) return "-";
  const runs: string[] = [];
  let from = first;
  let term = termAt(first);
  for (let i = first + 1; i <= last + 1; i++) {
    const t = i <= last ? termAt(i) : Number.NaN;
    if (t === term) continue;
    runs.push(from === i - 1 ? `[${from}]@${term}` : `[${from}..${i - 1}]@${term}`);
    from = i;
    term = t;
  }
  return runs.join(" ");
}

export function inspectServer(w: AnyWorld, id: number, atUs: number): Readonly<Record<string, NodeField>> | null {
  const n = w.nodes[id] as MetaServer | null;
  if (n === null) return null;
  const r = n.raft;
  const first = r.firstIndex();
  const last = r.lastIndex();
  const lease = r.leaseView(w.clocks[id].local(atUs));
  return {
    role: r.role(),
    term: r.term(),
    vote: r.votedFor() < 0 ? null : r.votedFor(),
    leader: r.leader() < 0 ? null : r.leader(),
    log: last < first ? `-` : `${first}..${last}`,
    terms: termRuns(first, last, (i) => r.entry(i)!.term),
    snapshot: r.snapshotIndex() === 0 ? "-" : `${r.snapshotIndex()}@${r.snapshotTerm()}`,
    commit: r.commitIndex(),
    applied: r.appliedIndex(),
    durable: r.durableIndex(),
    revision: n.store.appliedIndex(),
    keys: n.store.size(),
    quorumLease: lease.quorumLease,
    readLeaseUs: lease.readLeaseUs,
    voters: r.voters().join(","),
    learners: r.learners().join(","),
    confPending: r.confChangePending(),
    fenced: r.fenced(),
  };
}
