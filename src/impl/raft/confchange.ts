// Membership (dissertation ch. 4; etcd's confchange package): single-server changes (§4.1: one
// server in or out of the voters per configuration entry, so that any quorum of the old voters
// meets any quorum of the new), learners (§4.2.1: replicated to, never counted, promoted once
// caught up), and a leader that removes itself (§4.2.2). A server uses the latest
// configuration in its log, committed or not: it takes effect when the entry is appended
// (appendConfAware / appendLocal, then applyConf) and reverts if the entry is truncated away.
// The first part is the pure arithmetic on configurations; the second, Raft's membership state
// (the configuration at the snapshot, the entries after it, the one in effect, the peers).
import type { NodeId } from "../node.js";
import type { ConfState, RaftEntry } from "./api.js";
import { RaftNote } from "./api.js";
import { persist } from "./durability.js";
import { Progress } from "./progress.js";
import { VOTE_NONE, VoterSet } from "./quorum.js";
import { sendAppend, sendTimeoutNow } from "./replication.js";
import { fail, NOTE_CONFIG, NOTE_STEP_DOWN_REMOVED, type RaftState } from "./state.js";

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

function sameMembers(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  for (const x of a) if (!b.includes(x)) return false;
  return true;
}

function sameConf(a: ConfState, b: ConfState): boolean {
  return sameMembers(a.voters, b.voters) && sameMembers(a.learners, b.learners);
}

// ======================================================================================
// Raft's membership state
// ======================================================================================

/** Append to the in-memory log, recording a configuration entry. */
export function appendConfAware<C>(r: RaftState<C>, e: RaftEntry<C>): void {
  r.log.append(e);
  if (e.conf !== undefined) r.confs.push({ index: e.index, conf: e.conf });
}

/** The leader appends an entry of its term to its own log (a configuration entry takes effect
 * at once); its followers get it from sendAppend. */
export function appendLocal<C>(r: RaftState<C>, e: RaftEntry<C>): void {
  if (r.asserts && r.curRole !== "leader") fail("only a leader appends locally");
  if (r.asserts && e.term !== r.curTerm) fail("leader appends an entry of another term");
  appendConfAware(r, e);
  persist(r, [{ kind: "entries", entries: [e] }]);
  if (e.conf !== undefined) applyConf(r, -1);
}

/** Rebuild the configuration entries from the log (recovery, snapshot install, and the
 * planted append-keeps-conflicts path that overwrites entries in place). */
export function rescanConfs<C>(r: RaftState<C>): void {
  r.confs = [];
  for (let i = r.log.firstIndex(); i <= r.log.lastIndex(); i++) {
    const e = r.log.entry(i)!;
    if (e.conf !== undefined) r.confs.push({ index: i, conf: e.conf });
  }
}

/** The configuration in effect at index i (the latest entry at or below it). */
export function confAt<C>(r: RaftState<C>, i: number): ConfState {
  for (let k = r.confs.length - 1; k >= 0; k--) if (r.confs[k].index <= i) return r.confs[k].conf;
  return r.baseConf.conf;
}

/** Make the latest configuration in the log the one in effect. now < 0: called from the
 * leader's own append (no timer to reset: a leader has none). */
export function applyConf<C>(r: RaftState<C>, now: number): void {
  const top = r.confs.length > 0 ? r.confs[r.confs.length - 1] : r.baseConf;
  // Same members (a snapshot's copy of the configuration in effect): nothing changes.
  const changed = top.conf !== r.curConf && !sameConf(top.conf, r.curConf);
  r.curConf = top.conf;
  r.curConfIndex = top.index;
  if (changed) {
    const wasVoter = r.isVoter;
    r.cfg = new VoterSet(top.conf.voters);
    r.isVoter = r.cfg.has(r.id);
    if (r.transferee !== -1 && !r.cfg.has(r.transferee)) r.transferee = -1;
    if (!wasVoter && r.isVoter && r.curRole !== "leader" && now >= 0) r.resetElectionTimer(now);
    r.env.note(RaftNote.custom, NOTE_CONFIG, top.index);
  }
  // Replication targets.
  const peers: NodeId[] = [];
  const add = (p: NodeId) => { if (p !== r.id && !peers.includes(p)) peers.push(p); };
  for (const p of r.curConf.voters) add(p);
  for (const p of r.curConf.learners) add(p);
  if (r.curRole === "leader" && r.curConfIndex > r.commit) {
    const prev = confAt(r, r.curConfIndex - 1);
    for (const p of prev.voters) add(p);
    for (const p of prev.learners) add(p);
  }
  let bound = r.votes.length;
  for (const p of peers) if (p + 1 > bound) bound = p + 1;
  while (r.votes.length < bound) r.votes.push(VOTE_NONE);
  while (r.prs.length < bound) r.prs.push(undefined);
  for (const p of peers) {
    if (r.prs[p] !== undefined) continue;
    const pr = new Progress(p, r.opts.maxInflight);
    pr.reset(r.log.lastIndex() + 1);
    pr.recentActive = true; // a new member is not held against CheckQuorum before its first reply
    r.prs[p] = pr;
  }
  for (const p of r.peers) if (!peers.includes(p)) r.prs[p] = undefined;
  r.peers = peers;
}

/** Voters campaign. So does a server that its latest configuration removes while that entry
 * is uncommitted, if it was a voter before: it may still be needed to elect a leader (its log
 * may be the only one holding the removal; dissertation §4.2.2). Its own vote does not count
 * (poll counts the voters of its configuration). Once the removal is committed it never
 * campaigns again: a removed server does not disrupt (§4.2.3). */
export function canCampaign<C>(r: RaftState<C>): boolean {
  if (r.isVoter) return true;
  if (r.curConfIndex <= r.commit || r.curConfIndex <= r.log.snapshotIndex()) return false;
  return confAt(r, r.curConfIndex - 1).voters.includes(r.id);
}

/** Raft.proposeConfChange (see there), after the clock reading; also promotes learners. */
export function confChange<C>(r: RaftState<C>, ch: ConfChange): { index: number; term: number } | string {
  if (r.curRole !== "leader") return "not leader";
  if (r.transferee !== -1) return "leadership transfer in progress";
  // PLANTED BUG membership-before-term-commit: propose before this term's first commit.
  if (r.commit < r.termStart && !r.bugs.membershipBeforeTermCommit) return "no entry of this term committed yet";
  // PLANTED BUG membership-concurrent-changes: a second change while one is uncommitted.
  if (r.curConfIndex > r.commit && !r.bugs.membershipConcurrent) return "a configuration change is pending";
  const next = applyConfChange(r.curConf, ch);
  if (typeof next === "string") return next;
  checkConf(next);
  if (r.strict && !singleServerApart(next.voters, confAt(r, r.commit).voters)) fail("configuration change of more than one voter from the committed configuration");
  const e: RaftEntry<C> = { index: r.log.lastIndex() + 1, term: r.curTerm, data: null, conf: next };
  appendLocal(r, e);
  for (const p of r.peers) sendAppend(r, p, false);
  r.arm(false);
  return { index: e.index, term: e.term };
}

/** §4.2.1: promote a learner once it has caught up (within promoteLag of our last index). */
export function maybePromote<C>(r: RaftState<C>): void {
  const ls = r.curConf.learners;
  if (ls.length === 0 || r.curRole !== "leader") return;
  const last = r.log.lastIndex();
  for (const l of ls) {
    const pr = r.prs[l];
    // Caught up: within promoteLag of our last index, and not fenced (a fenced voter would
    // neither vote nor count, so promoting it could leave the configuration without a quorum).
    // It must also have acknowledged our commit index (at or past the entry that added it: a
    // real answer, so its fenced flag is known; a short log alone is not "caught up").
    if (pr === undefined || pr.fenced || pr.match + r.promoteLag < last || pr.match < r.commit) continue;
    if (typeof confChange(r, { kind: "promote", node: l }) !== "string") return;
  }
}

/** §4.2.2: a leader that is not in the committed configuration steps down, handing over to
 * an up-to-date voter (TimeoutNow) so the cluster does not wait for an election timeout. */
export function stepDownRemoved<C>(r: RaftState<C>, now: number): void {
  let best = -1;
  for (const p of r.cfg.ids) {
    const pr = r.prs[p];
    if (pr !== undefined && pr.match === r.log.lastIndex()) best = p;
  }
  if (best >= 0) sendTimeoutNow(r, best);
  r.env.note(RaftNote.custom, NOTE_STEP_DOWN_REMOVED, r.curTerm);
  r.becomeFollower(r.curTerm, -1, now);
}
