// Configurations as they travel in log entries and snapshots, and single-server changes to
// them. The voter set (quorum arithmetic) lives in quorum.ts; re-exported here for importers.
import type { NodeId } from "../node.js";

export { VoterSet } from "./quorum.js";

/** A configuration as it travels in a log entry or a snapshot: voters and learners (non-voting
 * members that are replicated to and never counted), disjoint, each without duplicates. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export const EMPTY_CONF: ConfState = Object.freeze({ voters: Object.freeze([]) as readonly NodeId[], learners: Object.freeze([]) as readonly NodeId[] });

/** A single-server change (dissertation §4.1): one server in or out of the voters per entry. */
export type ConfChange =
  | { readonly kind: "add-learner"; readonly node: NodeId }
  | { readonly kind: "promote"; readonly node: NodeId }
  | { readonly kind: "remove"; readonly node: NodeId };

export function checkConf(c: ConfState): void {
  const seen = new Set<NodeId>();
  for (const id of c.voters) {
    if (seen.has(id)) throw new Error(`raft invariant: node ${id} twice in a configuration`);
    seen.add(id);
  }
  for (const id of c.learners) {
    if (seen.has(id)) throw new Error(`raft invariant: node ${id} twice in a configuration`);
    seen.add(id);
  }
}

/** The configuration after a change, or a reason it does not apply to `c`. */
export function applyConfChange(c: ConfState, ch: ConfChange): ConfState | string {
  const n = ch.node;
  const isV = c.voters.includes(n);
  const isL = c.learners.includes(n);
  switch (ch.kind) {
    case "add-learner":
      if (isV || isL) return `node ${n} is already a member`;
      return { voters: c.voters, learners: [...c.learners, n] };
    case "promote":
      if (!isL) return `node ${n} is not a learner`;
      return { voters: [...c.voters, n], learners: c.learners.filter((x) => x !== n) };
    case "remove":
      if (!isV && !isL) return `node ${n} is not a member`;
      if (isV && c.voters.length === 1) return "cannot remove the last voter";
      return { voters: c.voters.filter((x) => x !== n), learners: c.learners.filter((x) => x !== n) };
  }
}

/** Voters differ by at most one server (the single-server rule that keeps any quorum of the
 * one meeting any quorum of the other). */
export function singleServerApart(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  let d = 0;
  for (const x of a) if (!b.includes(x)) d++;
  for (const x of b) if (!a.includes(x)) d++;
  return d <= 1;
}
