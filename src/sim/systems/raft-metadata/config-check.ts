// config-matches-log: a server's configuration in effect is always the newest configuration
// entry in its log, committed or not; if its log holds none past its snapshot, the snapshot's
// configuration; with neither, the one it was started with (dissertation §4.1: "a server always
// uses the latest configuration in its log, regardless of whether the entry is committed"; §5.4
// for the snapshot's). Compared as sets, voters and learners, plus the index of the entry that
// set it (RaftView.configIndex). Not specific to our Raft: every Raft with membership changes
// owes it (etcd's raft applies ConfState on append in the same way).
//
// config-single-change (judged as entries reach a log): every configuration entry differs from
// the configuration before it by one single-server change — a server added as a learner, a
// learner promoted, a member removed (never the last voter) — dissertation §4.1 (one server in or
// out per entry, so that any quorum of the old voters meets any quorum of the new) and §4.2.1
// (learners). An entry that changes nothing, drops other learners or keeps the removed server is
// a change the operator did not ask for. A joining server starts with no configuration at all
// (voters [], the cluster's initial one is not a log entry); with no configuration entry before
// index i in its log its "configuration before i" is the cluster's initial one, not its empty
// start: its log up to i came from leaders and holds no configuration entry, so (Log Matching)
// neither did theirs. The same holds of a snapshot it took itself before its first configuration
// entry reached it: that snapshot records the empty start it still had (voters [], which no
// cluster is ever in: the last voter is never removed), not a configuration of the cluster
// (seed 238 at 30 s: node 4 compacted entries 1..16, which hold none, then entry 21 added it as a
// learner to the initial [0,1,2,3]; judged against its snapshot's [] it looked like a jump).
//
// Why (issue 12 part 3, run 25): confchange.ts's bookkeeping — the list of configuration entries
// after the snapshot (appendConfAware, rescanConfs, confAt), which entry is in effect (applyConf)
// — could go wrong without a wrong answer for a long time: quorums computed from a stale
// configuration only matter once a membership change and a fault meet.
//
// Cost: O(1) per event that left a server's log and configuration as they were; otherwise only
// the entries it may have changed are scanned (from the lowest index an AppendEntries delivered
// to it carried, or its old end); when that removed the newest configuration entry, or after a
// snapshot or restart, back from there to the newest one (rare). Read-only (views), never draws or schedules: hash-neutral.
import type { ConfState, RaftEntry } from "../../../impl/raft/api.js";
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";
import { sameSet } from "../../../util/sets.js";

type Raft = MetaServer["raft"];

/** What the check last saw of one server (one incarnation). */
interface Seen {
  raft: Raft | null;
  last: number;
  first: number;
  /** The newest configuration entry at or below `last` and at or above `first`; -1: none. */
  confIndex: number;
  /** The view's configIndex when last judged (a change there re-judges without a rescan). */
  judgedConfIndex: number;
  judgedVoters: readonly number[] | null;
  judgedLearners: readonly number[] | null;
}

export class ConfigCheck {
  private readonly seen: Seen[] = [];
  /** Per server: the lowest log index an AppendEntries delivered to it since its last check
   * carried (+Infinity: none). */
  private readonly dirtyLow: Float64Array;

  /** Per server: a message that may change its log or configuration reached it this event. */
  private readonly marked: boolean[];

  /** @param initialVoters the voters every member starts with (RaftOptions.voters of a server
   * that is not waiting to join): the configuration before the first configuration entry. */
  constructor(private readonly n: number, private readonly initialVoters: readonly number[]) {
    this.dirtyLow = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.marked = new Array<boolean>(n).fill(false);
    for (let i = 0; i < n; i++) this.seen.push({ raft: null, last: -1, first: -1, confIndex: -1, judgedConfIndex: -1, judgedVoters: null, judgedLearners: null });
  }

  /** The world's onDeliver, before the receiver handles the message. */
  onDeliver(to: number, msg: { readonly type: string; readonly entries?: readonly { readonly index: number }[] }): void {
    if (to >= this.n) return;
    if (msg.type !== "app" || msg.entries!.length === 0) {
      this.marked[to] = true; // a heartbeat or snapshot chunk: looked at, nothing below the end changed
      return;
    }
    const lo = msg.entries![0].index;
    if (lo < this.dirtyLow[to]) this.dirtyLow[to] = lo;
  }

  /** afterEvent(w, touched) for a server's event (touched >= 0) might judge something: an append
   * or snapshot chunk reached it, or it leads (a caller's gate; afterEvent tests the same). */
  due(touched: number): boolean {
    return this.dirtyLow[touched] !== Number.POSITIVE_INFINITY || this.marked[touched];
  }

  /** After every event, for the server it touched (World.touched). A server's log or
   * configuration changes only when an append or snapshot chunk reaches it (onDeliver marks it),
   * when it leads (its own entries), or in a fault (a restart, a membership operation): only then
   * is it looked at. */
  afterEvent(w: AnyWorld, touched: number): string | null {
    if (touched === TOUCHED_NONE) return null;
    if (touched !== TOUCHED_ALL) {
      if (this.dirtyLow[touched] === Number.POSITIVE_INFINITY && !this.marked[touched]) {
        const node = w.nodes[touched] as MetaServer | null;
        if (node === null || node.raft.role() !== "leader") return null;
      }
      this.marked[touched] = false;
      return this.check(w, touched);
    }
    for (let i = 0; i < this.n; i++) {
      const why = this.check(w, i);
      if (why !== null) return why;
    }
    return null;
  }

  /** No configuration entry in [lo, hi]. */
  private noConfAbove(r: Raft, lo: number, hi: number): boolean {
    for (let i = lo; i <= hi; i++) if (r.entry(i)!.conf !== undefined) return false;
    return true;
  }

  /** Each configuration entry in [lo, hi] of r's log against the configuration before it. */
  private singleSteps(w: AnyWorld, id: number, r: Raft, lo: number, hi: number): string | null {
    for (let i = lo; i <= hi; i++) {
      const next = r.entry(i)!.conf;
      if (next === undefined) continue;
      let prev: ConfState | null = null;
      const p = newestConf(r, r.firstIndex(), i - 1);
      if (p >= 0) prev = r.entry(p)!.conf!;
      else {
        const snap = r.latestSnapshot();
        const initial = { voters: this.initialVoters, learners: [] };
        if (r.snapshotIndex() > 0) {
          if (snap === null || snap.index !== r.snapshotIndex()) prev = null;
          // A joining server's own snapshot of entries that held no configuration: its empty
          // start carried over, not the cluster's configuration (header). Only a joining
          // server's: a member's snapshot with no voters is judged as it stands (and fails).
          else if (snap.voters.length === 0 && r.opts.voters.length === 0) prev = initial;
          else prev = { voters: snap.voters, learners: snap.learners ?? [] };
        } else prev = r.opts.voters.length > 0 ? { voters: r.opts.voters, learners: [] } : initial; // a joining server's empty start is not the cluster's (header)
      }
      if (prev === null) continue;
      const why = oneStep(prev, next);
      if (why !== null) return `config-single-change at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: the configuration entry at index ${i} (voters [${next.voters.join(",")}], learners [${next.learners.join(",")}]) follows voters [${prev.voters.join(",")}], learners [${prev.learners.join(",")}]: ${why}`;
    }
    return null;
  }

  private check(w: AnyWorld, id: number): string | null {
    const node = w.nodes[id] as MetaServer | null;
    const s = this.seen[id];
    if (node === null) {
      s.raft = null;
      return null;
    }
    const r = node.raft;
    const first = r.firstIndex();
    const last = r.lastIndex();
    // Judged again only when the newest configuration entry may have moved, or the view's
    // configuration changed (not on every append: that is most events).
    let rescanned = true;
    const before = s.confIndex;
    if (s.raft !== r || first !== s.first) {
      // New incarnation or a snapshot: find the newest configuration entry afresh.
      s.raft = r;
      s.confIndex = newestConf(r, first, last);
    } else {
      // Entries below `lo` are as they were (a follower's log changes only where an
      // AppendEntries delivered to it reaches, a leader's only past its old end); entries are
      // not trusted to be unchanged just because the last one is (a follower that breaks Log
      // Matching overwrites in place).
      const lo = Math.max(first, Math.min(this.dirtyLow[id], s.last + 1, last + 1));
      if (lo > last && last === s.last) {
        // The log did not change: nor did the newest configuration entry; the configuration in
        // effect changes only with the log (or a snapshot or restart, handled above).
        this.dirtyLow[id] = Number.POSITIVE_INFINITY;
        return null;
      } else if (this.noConfAbove(r, lo, last) && s.confIndex < lo) rescanned = false; // only plain entries arrived, none removed below
      else {
        const c = newestConf(r, lo, last);
        if (c >= 0) {
          s.confIndex = c;
          const why = this.singleSteps(w, id, r, lo, last);
          if (why !== null) return why;
        } else if (s.confIndex >= lo) s.confIndex = newestConf(r, first, Math.min(lo - 1, last));
        rescanned = s.confIndex !== before || c >= 0;
      }
    }
    this.dirtyLow[id] = Number.POSITIVE_INFINITY;
    s.first = first;
    s.last = last;
    const voters = r.voters();
    const learners = r.learners();
    const ci = r.configIndex();
    if (!rescanned && ci === s.judgedConfIndex && voters === s.judgedVoters && learners === s.judgedLearners) return null;
    s.judgedConfIndex = ci;
    s.judgedVoters = voters;
    s.judgedLearners = learners;
    let want: ConfState;
    let wantIndex: number;
    let from: string;
    if (s.confIndex >= 0) {
      const e = r.entry(s.confIndex) as RaftEntry<unknown>;
      want = e.conf!;
      wantIndex = s.confIndex;
      from = `its newest configuration entry (index ${wantIndex})`;
    } else {
      const snap = r.latestSnapshot();
      const si = r.snapshotIndex();
      if (si > 0 && snap !== null && snap.index === si) {
        want = { voters: snap.voters, learners: snap.learners ?? [] };
        from = `its snapshot's configuration (index ${si}; no configuration entry after it)`;
      } else if (si > 0) {
        return null; // a snapshot the view does not show (cannot happen today); nothing to compare
      } else {
        want = { voters: r.opts.voters, learners: [] };
        from = "its initial configuration (no configuration entry, no snapshot)";
      }
      // The entry that set it may be compacted into the snapshot: any index up to it.
      if (ci > si) return fault(w, id, `configuration index ${ci} is past its snapshot (${si}) but no configuration entry in (${si}, ${last}] set it`);
      wantIndex = -1;
    }
    if (wantIndex >= 0 && ci !== wantIndex) return fault(w, id, `its configuration in effect was set by index ${ci}, not by ${from}`);
    if (!sameSet(voters, want.voters) || !sameSet(learners, want.learners)) {
      return fault(w, id, `its configuration in effect (voters [${[...voters].join(",")}], learners [${[...learners].join(",")}]) is not ${from}: voters [${[...want.voters].join(",")}], learners [${[...want.learners].join(",")}]`);
    }
    return null;
  }
}

/** config-single-change: every configuration entry differs from the configuration before it
 * by one single-server change (dissertation §4.1; learners §4.2.1): one server added as a
 * learner, one learner promoted, or one member removed (never the last voter). */
function oneStep(prev: ConfState, next: ConfState): string | null {
  if (new Set(next.voters).size !== next.voters.length || new Set(next.learners).size !== next.learners.length || next.voters.some((v) => next.learners.includes(v))) return "a server appears twice";
  const addedV = next.voters.filter((v) => !prev.voters.includes(v));
  const removedV = prev.voters.filter((v) => !next.voters.includes(v));
  const addedL = next.learners.filter((v) => !prev.learners.includes(v));
  const removedL = prev.learners.filter((v) => !next.learners.includes(v));
  const moved = addedV.length + removedV.length + addedL.length + removedL.length;
  if (moved === 1 && addedL.length === 1 && !prev.voters.includes(addedL[0])) return null; // add-learner
  if (moved === 1 && removedL.length === 1) return null; // remove a learner
  if (moved === 1 && removedV.length === 1 && next.voters.length > 0) return null; // remove a voter
  if (moved === 2 && addedV.length === 1 && removedL.length === 1 && addedV[0] === removedL[0]) return null; // promote
  return moved === 0 ? "it changes nothing" : "it is not one single-server change";
}

function newestConf(r: Raft, lo: number, hi: number): number {
  for (let i = hi; i >= lo; i--) if (r.entry(i)!.conf !== undefined) return i;
  return -1;
}


function fault(w: AnyWorld, id: number, what: string): string {
  return `config-matches-log at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: ${what}`;
}
