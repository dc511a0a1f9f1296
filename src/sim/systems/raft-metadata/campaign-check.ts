// non-voter-never-campaigns: a server becomes precandidate or candidate (starts an election) only if it is a voter of the
// configuration it uses (its latest configuration entry), or that entry is uncommitted, not yet
// covered by its snapshot, and removes it from the voters of the configuration before it.
//
// Source: dissertation §4.2.1 (a learner — a non-voting member — is not counted in elections and
// does not start them), §4.2.3 (a server removed from the configuration must not disrupt the
// cluster: once its removal is committed it never campaigns) and §4.2.2 (a server removed by an
// entry not yet committed may still be needed to elect a leader, so it may still campaign; its
// own vote does not count). The exception's exact form — "uncommitted and not under the
// snapshot, and a voter before" — is our Raft's (confchange.ts canCampaign); etcd's learners
// never campaign and its removed servers are told to stop by the application.
//
// Why (issue 12): confchange.ts's canCampaign (159–161, 12 survivors of run 27) decided only
// which servers start elections; a learner's or a removed server's election fails (its votes
// are not counted) and nothing judged that it started one.
//
// Cost: a few view reads per campaign (rare), judged at the role note (a candidate's requests
// wait for its vote to be durable, and by then its configuration may have changed). Read-only: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

/** Why `from` may not have become (pre)candidate (its role note, `role`), or null. */
export function campaignForbidden(w: AnyWorld, from: number, role: string): string | null {
  const node = w.nodes[from] as MetaServer | null;
  if (node === null) return null;
  const r = node.raft;
  const voters = r.voters();
  if (voters.includes(from)) return null;
  const ci = r.configIndex();
  const commit = r.commitIndex();
  const uncommitted = ci > commit && ci > r.snapshotIndex();
  if (uncommitted && r.votersAt(ci - 1).includes(from)) return null;
  const what = r.learners().includes(from) ? "a learner" : voters.length === 0 && ci === 0 ? "not a member yet (waiting to join)" : uncommitted ? "not a voter of the configuration before that entry either" : "not a voter of its committed configuration";
  return `non-voter-never-campaigns at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it became ${role} (term ${r.term()}), but its configuration (index ${ci}, commit ${commit}) has voters [${voters.join(",")}] and it is ${what}`;
}
