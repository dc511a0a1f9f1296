// membership-request-answered: a single-server configuration change asked of a leader (the
// operator's member-* faults, and Engula's join, which asks to add a learner) is accepted exactly
// when the rules of one-change-at-a-time allow it, and an accepted change is that change:
//   - refused while a leadership transfer is in progress (§3.10: the leader holds proposals;
//     etcd drops them with ErrProposalDropped),
//   - refused until an entry of the leader's term is committed (the 2015 fix to single-server
//     changes: Ongaro, raft-dev "bug in single-server membership changes"; dissertation errata),
//   - refused while a configuration entry is uncommitted (§4.1: one change at a time), and so
//     accepted again once it commits (the leader's pending-change guard is released),
//   - refused if the change does not apply to the leader's configuration (adding a member,
//     promoting a non-learner, removing a non-member or the last voter: §4.1, §4.2.1),
//   - otherwise accepted: the leader appends one configuration entry at lastIndex + 1 of its
//     term, which is the old configuration with that one change, takes it into effect at once
//     (§4.1: a server uses the latest configuration in its log), and returns that entry's index
//     and term; a refusal changes nothing and says why (a non-empty reason).
// A join is answered "redirect" by a non-leader, "member" for a member, else "added" or
// "retry" by the same rule (Engula's join, our server.ts JoinResponse contract).
//
// Source: dissertation §4.1, §4.2.1, §3.10 and the 2015 errata; the exact refusal set and the
// join statuses are ours (confchange.ts confChange, server.ts handleJoin).
//
// Why (issue 12): confchange.ts's guards (165–180) and applyConfChange (44–53) only decide
// whether a change is taken; a change wrongly refused or wrongly taken left no trace any other
// check judged (config-single-change sees consecutive entries only, not the committed one).
//
// Cost: a few view reads per request (operator faults and join messages: rare). Read-only.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { ConfChange } from "../../../impl/raft/confchange.js";

type R = MetaServer["raft"];

/** The term of the entry at the commit index (0: none). */
export function commitTerm(r: R): number {
  const c = r.commitIndex();
  if (c === 0) return 0;
  const e = r.entry(c);
  if (e !== undefined) return e.term;
  return c === r.snapshotIndex() ? r.snapshotTerm() : -1;
}

interface Before {
  readonly leader: boolean;
  readonly term: number;
  readonly last: number;
  readonly confIndex: number;
  readonly voters: readonly number[];
  readonly learners: readonly number[];
  /** Why the leader must refuse any change now ("" if it may take one). */
  readonly busy: string;
}

function before(r: R): Before {
  const leader = r.role() === "leader";
  const busy = !leader ? "not leader" : r.transferTarget() !== -1 ? "a leadership transfer is in progress" : commitTerm(r) !== r.term() ? "no entry of its term is committed" : r.configIndex() > r.commitIndex() ? "a configuration change is uncommitted" : "";
  return { leader, term: r.term(), last: r.lastIndex(), confIndex: r.configIndex(), voters: r.voters(), learners: r.learners(), busy };
}

/** The configuration after `ch`, or why it does not apply (§4.1, §4.2.1). */
function changed(b: Before, ch: ConfChange): { readonly voters: readonly number[]; readonly learners: readonly number[] } | string {
  const n = ch.node;
  const isV = b.voters.includes(n);
  const isL = b.learners.includes(n);
  if (ch.kind === "add-learner") return isV || isL ? "already a member" : { voters: b.voters, learners: [...b.learners, n] };
  if (ch.kind === "promote") return !isL ? "not a learner" : { voters: [...b.voters, n], learners: b.learners.filter((x) => x !== n) };
  if (!isV && !isL) return "not a member";
  if (isV && b.voters.length === 1) return "the last voter";
  return { voters: b.voters.filter((x) => x !== n), learners: b.learners.filter((x) => x !== n) };
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (const x of a) if (!b.includes(x)) return false;
  return true;
}

function describe(ch: ConfChange): string {
  return `${ch.kind} ${ch.node}`;
}

/** The verdict on one request given the state before and the answer (null: fine). */
function judge(id: number, r: R, b: Before, ch: ConfChange, answer: { index: number; term: number } | string | undefined, what: string): string | null {
  const head = `membership-request-answered at node ${id} (term ${b.term}): ${what} ${describe(ch)}`;
  const next = b.busy === "" ? changed(b, ch) : b.busy;
  if (typeof next === "string") {
    if (typeof answer !== "string") return `${head} was accepted, but it must be refused (${next}; configuration index ${b.confIndex}, commit ${r.commitIndex()})`;
    if (answer.length === 0) return `${head} was refused without a reason`;
    if (r.lastIndex() !== b.last || r.configIndex() !== b.confIndex) return `${head} was refused ("${answer}"), but its log or configuration moved (last ${b.last} → ${r.lastIndex()}, configuration index ${b.confIndex} → ${r.configIndex()})`;
    return null;
  }
  if (typeof answer === "string" || answer === undefined || answer === null) return `${head} was refused (${answer === undefined ? "no answer" : `"${answer}"`}), but the leader may take it: no transfer, an entry of its term committed (commit ${r.commitIndex()}), no change pending (configuration index ${b.confIndex}), and it applies to voters [${b.voters.join(",")}] learners [${b.learners.join(",")}]`;
  const at = b.last + 1;
  if (answer.index !== at || answer.term !== b.term) return `${head} was accepted as entry ${answer.index}@${answer.term}, but its entry is ${at}@${b.term} (the leader's next index, its term)`;
  const e = r.entry(at);
  if (e === undefined || e.conf === undefined || r.lastIndex() !== at || r.configIndex() !== at) return `${head} was accepted, but the leader's log does not end with its configuration entry at ${at} (last ${r.lastIndex()}, configuration index ${r.configIndex()})`;
  if (!sameSet(r.voters(), next.voters) || !sameSet(r.learners(), next.learners)) return `${head} was accepted, but the leader's configuration is voters [${r.voters().join(",")}] learners [${r.learners().join(",")}] instead of voters [${next.voters.join(",")}] learners [${next.learners.join(",")}]`;
  return null;
}

export class ConfRequestCheck {
  private readonly n: number;
  /** A violation seen inside a fault or on a send, reported after the event. */
  private pending: string | null = null;
  /** The join being handled in this event: its joiner and the leader's state before (-1: none). */
  private joinAt = -1;
  private joiner = -1;
  private joinBefore: Before | null = null;
  /** True while the operator's request runs (a promotion then is the operator's, not maybePromote's). */
  operatorAsking = false;

  constructor(n: number) {
    this.n = n;
  }

  /** The operator's change through leader `L`: asked, judged, answered. */
  ask(L: MetaServer, ch: ConfChange, now: number): { index: number; term: number } | string {
    const r = L.raft;
    const b = before(r);
    this.operatorAsking = true;
    let answer: { index: number; term: number } | string;
    try {
      answer = L.changeMembership(ch, now);
    } finally {
      this.operatorAsking = false;
    }
    if (this.pending === null) this.pending = judge(L.id, r, b, ch, answer, "the operator's");
    return answer;
  }

  /** A join request delivered to `to` (before it handles it). */
  joinDelivered(w: { readonly nodes: readonly unknown[] }, from: number, to: number): void {
    const s = w.nodes[to] as MetaServer | null;
    if (s === null || from >= this.n) return;
    this.joinAt = to;
    this.joiner = from;
    this.joinBefore = before(s.raft);
  }

  /** A join answer sent by `from` to `to`. */
  joinAnswered(w: { readonly nodes: readonly unknown[] }, from: number, to: number, status: string): void {
    const b = this.joinBefore;
    if (b === null || from !== this.joinAt || to !== this.joiner || this.pending !== null) return;
    this.joinBefore = null;
    const s = w.nodes[from] as MetaServer;
    const ch: ConfChange = { kind: "add-learner", node: to };
    const member = b.voters.includes(to) || b.learners.includes(to);
    const want = !b.leader ? "redirect" : member ? "member" : b.busy !== "" ? "retry" : "added";
    if (status !== want) {
      this.pending = `membership-request-answered at node ${from} (term ${b.term}): node ${to}'s join was answered "${status}", but it must be "${want}" (${!b.leader ? "not the leader" : member ? "already a member" : b.busy !== "" ? b.busy : "the leader may add it as a learner"})`;
      return;
    }
    // "added" and "retry" are an accepted and a refused add-learner: the log must show which.
    if (want === "added" || want === "retry") this.pending = judge(from, s.raft, b, ch, want === "added" ? { index: b.last + 1, term: b.term } : "retry", `node ${to}'s join (answered "${want}"):`);
  }

  /** After every event; null: fine. */
  take(): string | null {
    this.joinBefore = null;
    const p = this.pending;
    this.pending = null;
    return p;
  }
}
