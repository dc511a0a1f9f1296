// raft-metadata's operator: how servers start (membership plan), membership changes through
// the current leader (the member-* faults), and the backup-restore policy and marker.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { RESTORED_FILE, SNAPSHOT_FILE, type RaftSnapshot, type RestoreMarker } from "../../../impl/raft/snapshot.js";
import type { FaultAction } from "../../faults/index.js";
import type { AnyWorld } from "../../runner/system.js";
import type { MembershipOp, MembershipOutcome, MembershipSetup, RaftFault } from "./faults.js";
import { MS } from "./options.js";
import type { ConfRequestCheck } from "./conf-request-check.js";
import type { ConfChange } from "../../../impl/raft/confchange.js";

type W = AnyWorld;

export interface MembershipPlan {
  /** Initial voters per server ([] for a server waiting to join). */
  readonly initial: readonly (readonly number[])[];
  /** The joins of a bootstrapped universe's first members (member-add through earlier ones). */
  readonly joins: readonly FaultAction[];
}

export function membershipPlan(N: number, m: MembershipSetup): MembershipPlan {
  const k = Math.max(1, Math.min(N, m.initialVoters));
  const voters: number[] = [];
  for (let i = 0; i < (m.bootstrap ? 1 : k); i++) voters.push(i);
  const initial: number[][] = [];
  for (let i = 0; i < N; i++) initial.push(i < voters.length ? voters : []);
  const joins: FaultAction[] = [];
  // Bootstrap: server 0 starts the universe alone; 1..k-1 join it one after the other,
  // each through a member that joined before it (which redirects to the leader).
  if (m.bootstrap) for (let i = 1; i < k; i++) joins.push({ at: i * 20 * MS, kind: "member-add", node: i, via: i - 1, tries: 60 } satisfies RaftFault);
  return { initial, joins };
}

const NO_NODES: readonly number[] = Object.freeze([]);

/** The leader the fault driver tracks (`l`), if it is up and still leads. */
export function leaderServer(w: W, l: number): MetaServer | null {
  if (l < 0) return null;
  const n = w.nodes[l] as MetaServer | null;
  return n !== null && n.raft.role() === "leader" && w.isUp(l) ? n : null;
}

function hasMarker(w: W, node: number): boolean {
  const n = w.nodes[node] as MetaServer | null;
  return n !== null ? n.raft.fenced() : w.disks[node].durableFile(RESTORED_FILE) !== undefined;
}

/** The operator's policy for removals: keep at least three voters (or all there are), and
 * never leave more fenced voters than the smaller configuration tolerates (a fenced server
 * neither votes nor counts until it caught up: see "Fencing" in raft.ts). */
function removalAllowed(w: W, L: MetaServer, node: number): boolean {
  const voters = L.raft.voters();
  if (!voters.includes(node)) return L.raft.learners().includes(node);
  const left = voters.length - 1;
  if (left < Math.min(3, w.servers)) return false;
  let fenced = 0;
  for (const v of voters) if (v !== node && hasMarker(w, v)) fenced++;
  return fenced <= left - (Math.floor(left / 2) + 1);
}

/** Operator membership actions (member-* faults), always through the current leader. */
export function operator(w: W, op: MembershipOp, leader: number, requests?: ConfRequestCheck): MembershipOutcome {
  // Every change goes through the membership-request-answered check when there is one.
  const change = (L: MetaServer, ch: ConfChange, now: number) => (requests === undefined ? L.changeMembership(ch, now) : requests.ask(L, ch, now));
  const L = leaderServer(w, leader);
  const lid = L === null ? -1 : L.id;
  const none: MembershipOutcome = { done: false, leader: lid, removed: NO_NODES, cut: NO_NODES };
  switch (op.kind) {
    case "add": {
      if (L !== null && (L.raft.voters().includes(op.node) || L.raft.learners().includes(op.node))) return { ...none, done: true };
      const n = w.nodes[op.node] as MetaServer | null;
      if (n !== null && w.isUp(op.node)) n.join(op.via, w.localNow(op.node));
      return none;
    }
    case "remove":
    case "remove-leader": {
      if (L === null) return none;
      const node = op.kind === "remove" ? op.node : lid;
      if (!removalAllowed(w, L, node)) return none;
      const r = change(L, { kind: "remove", node }, w.localNow(lid));
      return typeof r === "string" ? none : { ...none, done: true, removed: [node] };
    }
    case "churn": {
      if (L === null) return none;
      const rng = w.faultRng;
      const removed: number[] = [];
      const now = w.localNow(lid);
      const removeOne = (self: boolean): void => {
        const cands = L.raft.voters().filter((v) => (self ? v === lid : v !== lid) && !removed.includes(v));
        if (cands.length === 0) return;
        const node = cands[rng.int(0, cands.length - 1)];
        if (!removalAllowed(w, L, node)) return;
        if (typeof change(L, { kind: "remove", node }, now) !== "string") removed.push(node);
      };
      const learners = L.raft.learners().filter((l) => !hasMarker(w, l)); // never promote a fenced learner
      const what = rng.int(0, 9);
      if (learners.length > 0 && what < 4) change(L, { kind: "promote", node: learners[rng.int(0, learners.length - 1)] }, now);
      else if (what < 9) removeOne(false);
      else removeOne(true);
      // A second change right away: refused while the first is uncommitted (one at a time).
      if (rng.chance(0.5)) removeOne(false);
      // Then the leader is cut off, alone or with one voter of its (new) configuration: its
      // change stays uncommitted or commits on its side only, and the others elect anew.
      let cut: readonly number[] = [lid];
      if (rng.chance(0.5)) {
        const others = L.raft.voters().filter((v) => v !== lid);
        cut = others.length === 0 ? [lid] : [lid, others[rng.int(0, others.length - 1)]];
      }
      return { done: removed.length > 0, leader: lid, removed, cut };
    }
    case "change": {
      // One change, then the caller hands leadership away before it commits: promote a learner
      // (never a fenced one), or remove a learner or a voter other than the leader.
      if (L === null || L.raft.confChangePending()) return none;
      const rng = w.faultRng;
      const now = w.localNow(lid);
      const learners = L.raft.learners();
      const ready = learners.filter((l) => !hasMarker(w, l));
      if (ready.length > 0 && rng.chance(0.6)) {
        const node = ready[rng.int(0, ready.length - 1)]!;
        return typeof change(L, { kind: "promote", node }, now) === "string" ? none : { ...none, done: true };
      }
      const cands = [...L.raft.voters().filter((v) => v !== lid), ...learners];
      if (cands.length === 0) return none;
      const node = cands[rng.int(0, cands.length - 1)]!;
      if (!removalAllowed(w, L, node)) return none;
      return typeof change(L, { kind: "remove", node }, now) === "string" ? none : { ...none, done: true, removed: [node] };
    }
  }
}

/** Backup restores with membership: only while no configuration change is pending and a
 * leader is known, and fenced members (voters and learners) must stay within what *every*
 * configuration a live node holds tolerates (its voters minus their quorum) — a node may
 * still hold an uncommitted configuration from an earlier leader, and elections run in it.
 * (Found by a 10,000-seed sweep: checking the leader's configuration alone let two empty-disk
 * restores leave such a configuration without an unfenced quorum.) */
export function restoreKeepsQuorum(w: W, node: number, leader: number): boolean {
  const L = leaderServer(w, leader);
  if (L === null || L.raft.confChangePending()) return false;
  for (const n of w.nodes) {
    const s = n as MetaServer | null;
    if (s === null) continue;
    // Fenced learners count against the voters' tolerance too: one may be promoted before the
    // leader has seen it answer as fenced.
    const voters = s.raft.voters();
    const members = [...voters, ...s.raft.learners()];
    let marked = members.includes(node) ? 1 : 0;
    for (const v of members) if (v !== node && hasMarker(w, v)) marked++;
    if (marked > voters.length - (Math.floor(voters.length / 2) + 1)) return false;
  }
  return true;
}

/** The restore procedure's fenceTerm: the highest term in any node's durable state (the
 * operator asks every node). Over-approximated safely — a higher fenceTerm only fences longer:
 * the in-memory term of live nodes (never below their durable one) and every term in every
 * disk's WAL records and snapshot file, synced or not. O(WAL since the last snapshot). */
export function highestDurableTerm(w: W): number {
  let t = 0;
  for (let i = 0; i < w.servers; i++) {
    const n = w.nodes[i] as MetaServer | null;
    if (n !== null && n.raft.term() > t) t = n.raft.term();
    const d = w.disks[i];
    for (const r of d.contents()) {
      if (r.kind === "hs") {
        if (r.term > t) t = r.term;
      } else if (r.kind === "entries") {
        for (const e of r.entries) if (e.term > t) t = e.term;
      }
    }
    const snap = (d.readFile(SNAPSHOT_FILE) ?? d.durableFile(SNAPSHOT_FILE)) as RaftSnapshot | undefined;
    if (snap !== undefined && snap.term > t) t = snap.term;
  }
  return t;
}

/** The operator restores one member at a time: not while another still carries a marker (is
 * fenced). Safety would allow N − quorum at once, but then the unfenced nodes are exactly a
 * quorum, one of them must collect every other vote, and elections can split for seconds
 * (10,000-seed sweep: seeds 3201, 4604 — no leader 3.3 s after the heal). */
export function noOtherRestoreFenced(w: W, node: number): boolean {
  for (let i = 0; i < w.servers; i++) if (i !== node && w.disks[i].durableFile(RESTORED_FILE) !== undefined) return false;
  return true;
}

/** The marker a restore writes: the fence term (see "Fencing" in src/impl/raft). */
export function restoreMarker(w: W): { name: string; data: RestoreMarker } {
  return { name: RESTORED_FILE, data: { kind: "restored", fenceTerm: highestDurableTerm(w) } satisfies RestoreMarker };
}
