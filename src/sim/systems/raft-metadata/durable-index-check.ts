// A server's durable index (RaftView.durableIndex: how far its log is on stable storage, by its
// own account) against its disk and its log. The account decides what the node may promise:
// a leader counts its own log toward commitment only up to it (Raft §10.2.1, matchOf), so an
// account ahead of the disk commits entries a crash can take away, and an account behind it
// holds back the leader's commit and the answers that wait for it. Six rules:
//
//   durable-overclaim    the durable index d never exceeds what the server's disk holds durably:
//                        the log a restart would recover from the durable WAL records and the
//                        durable snapshot file (records.ts: entries placed at their indexes, a
//                        truncate record discarding from its index); and that log has at d the
//                        entry the server's log has there, compared by (index, term): a
//                        conflicting suffix rewritten from d or below (a truncation and new
//                        entries, still pending) is not durable, though the index is. The
//                        invariants' commit-durable rule counts a node's log by its own
//                        account; this holds the account to the disk.
//   durable-underclaim   after an event in which the server's disk completed an fsync, the
//                        server running, its durable index reaches c = min(what the disk holds
//                        durably, its last index) when the disk has at c the entry its log has
//                        there (same term): Raft's onPersisted raises the account to the write
//                        that completed. Below a truncation at f <= c written and not yet
//                        durable, c is f - 1: the truncation clamped the account and every
//                        write queued before it to f - 1, and the entries below f are the
//                        same on both whatever the rewrite (owed even while the terms at c
//                        differ); a suffix truncated and rewritten back to the entries the
//                        disk holds passes through another entry on the disk first, which the
//                        account may not claim (seed 2411). durable-lag asks this only once
//                        nothing is pending; this asks it at every completion, so an account
//                        that drops the completions of writes still queued behind others
//                        shows at once.
//   durable-beyond-log   the durable index never exceeds the log's last index: entries the log
//                        dropped (a conflict truncated them) are durable on no disk of ours.
//   durable-lag          after an event in which the server's disk completed an fsync, the
//                        server running (not paused: a paused server hears of it later) and no
//                        fsync of its left pending, its durable index is its last index: every
//                        write it made is on the disk, and fsyncs complete in order, so the
//                        last completion covers every entry (Raft's onPersisted contract).
//   append-answered      every AppendEntries a server is delivered is answered (an append
//                        response, accepting or rejecting) by the time its disk completes its
//                        last pending fsync, the server running: an answer that waits for
//                        durability (durability.ts's deferred messages) is sent once the write
//                        it waits for is durable (Figure 2: persist, then respond). A stale one
//                        is owed an answer only with PreVote or CheckQuorum on, and then heartbeats
//                        and snapshot chunks of a stale term too (etcd #5451); a crash forgives
//                        what the server owed.
//   self-send            a server never puts a message to itself on the wire: its own vote and
//                        acknowledgement are stepped locally (durability.ts), as etcd's raft
//                        steps them; through the network they would be delayed, lost or cut.
//
// Why (issue 12 part 3): the durability bookkeeping's queue handling in durability.ts (dropping
// writes not yet durable, not clamping a truncated write, clamping too much) and the local step
// of a self-addressed answer survived every check: each only delays or over-claims, which no
// other check compared with the disk.
//
// Read-only (views, the disk's counters and records): hash-neutral. Per event: a few view reads
// of the one server it ran and a few compares; each WAL record is read once (its entries' terms
// copied into a per-server array), when it becomes durable (a restart or a restore of the server
// reads its durable WAL again from the start).
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { RaftRecord } from "../../../impl/raft/records.js";
import { SNAPSHOT_FILE } from "../../../impl/raft/snapshot.js";
import { NodeStatus } from "../../kernel/world.js";
import { owesAppReject } from "./stale-term-check.js";
import { judgeTouched } from "./touched.js";
import type { AnyWorld } from "../../runner/system.js";

export class DurableIndexCheck {
  /** Per server: its disk's completed fsyncs when last judged (a completion since: judge the lag). */
  private readonly completions: Float64Array;
  /** Per server: the absolute WAL position up to which its durable records were read. */
  private readonly scanned: Float64Array;
  /** Per server: the last log index of the durable records read so far. */
  private readonly recordsLast: Float64Array;
  /** Per server: the term of each durable record's entry by index (slot i: index i), valid for
   * 1..recordsLast; 0 where no record read holds the index (before the first record after a
   * gap: the WAL dropped up to a snapshot). Grown by doubling, never shrunk. */
  private readonly terms: Float64Array[];
  /** Per server: the durable snapshot file's index and term (0, 0: none). */
  private readonly snapIndex: Float64Array;
  private readonly snapTerm: Float64Array;
  /** Per server: the last index its disk holds durably (records and snapshot file). */
  private readonly truth: Float64Array;
  /** Per server: the incarnation and restore count the reading above belongs to. */
  private readonly incs: Float64Array;
  private readonly restores: Float64Array;

  /** Per server: append responses owed (appends delivered minus append responses sent). */
  private readonly owed: Float64Array;

  /** `answersStaleLeader`: PreVote or CheckQuorum on (a stale append is then owed an answer). */
  constructor(private readonly n: number, private readonly answersStaleLeader: boolean) {
    this.owed = new Float64Array(n);
    this.completions = new Float64Array(n);
    this.scanned = new Float64Array(n);
    this.recordsLast = new Float64Array(n);
    this.terms = Array.from({ length: n }, () => new Float64Array(64));
    this.snapIndex = new Float64Array(n);
    this.snapTerm = new Float64Array(n);
    this.truth = new Float64Array(n);
    this.incs = new Float64Array(n).fill(-1);
    this.restores = new Float64Array(n).fill(-1);
  }

  /** onSend of any server-to-server message; null: fine. */
  sent(w: AnyWorld, from: number, to: number, type: string): string | null {
    if (from !== to) return null;
    return `self-send at node ${from}, t=${(w.now / 1000).toFixed(3)}ms: it sent a ${type} to itself over the network`;
  }

  /** onDeliver of a server-to-server message to `to` (before `to` handles it). */
  delivered(w: AnyWorld, to: number, msg: { readonly type: string; readonly term: number }): void {
    const t = msg.type;
    if (t !== "app" && t !== "hb" && t !== "snap") return;
    const s = w.nodes[to] as MetaServer | null;
    if (s === null) return;
    if (msg.term >= s.raft.term() ? t === "app" : owesAppReject(t, this.answersStaleLeader)) this.owed[to]++;
  }

  /** onSend of an append response by `from`. */
  answered(from: number): void {
    if (this.owed[from] > 0) this.owed[from]--;
  }

  /** After every event (`only`: the server it touched, TOUCHED_NONE or TOUCHED_ALL); null: fine. */
  afterEvent(w: AnyWorld, only: number): string | null {
    return judgeTouched(w, only, this.n, this);
  }

  /** Server `id` against the rules above; null: fine. */
  check(w: AnyWorld, id: number): string | null {
    const s = w.nodes[id] as MetaServer | null;
    const disk = w.disks[id];
    const done = disk.fsyncsCompleted;
    const completed = done !== this.completions[id];
    this.completions[id] = done;
    const inc = w.incarnation(id);
    const restored = w.restores[id];
    const reborn = inc !== this.incs[id] || restored !== this.restores[id];
    // A crash (a backup restore crashes and restarts in one event) forgives what the server owed.
    if (reborn || s === null) this.owed[id] = 0;
    if (s === null) return null;
    // A server's durable index rises only at an fsync's completion or a (re)start: the disk's
    // truth is read again only then.
    if (reborn) {
      this.incs[id] = inc;
      this.restores[id] = restored;
      this.scanned[id] = disk.walStart;
      this.recordsLast[id] = 0;
      this.readDisk(disk, id);
    } else if (completed) this.readDisk(disk, id);
    const r = s.raft;
    const durable = r.durableIndex();
    const last = r.lastIndex();
    if (durable > last) return `durable-beyond-log at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: its durable index is ${durable}, past its last index ${last}`;
    if (durable > this.truth[id]) return `durable-overclaim at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: its durable index is ${durable}, but its disk holds its log durably only up to ${this.truth[id]}`;
    // The same entry at d, by (index, term). Only at d, O(1): the account is that one index,
    // and the log's entries up to d are what a restart must recover. An (index, term) fixes the
    // entry (one leader per term, one entry per index in its term) and, by Log Matching, the
    // log before it; so the same term at d means the same log up to d, and a conflicting suffix
    // rewritten at or below d and not yet durable has another term at d than the disk holds.
    // Whether the disk's own records keep Log Matching (a record overwriting entries in place
    // without a truncation) is another rule's job. Unknown on either side: skipped (below the
    // log's snapshot index here, termOnDisk for the disk).
    if (durable > 0) {
      const logTerm = logTermAt(r, durable);
      const diskTerm = logTerm < 0 ? -1 : this.termOnDisk(id, durable);
      if (diskTerm > 0 && diskTerm !== logTerm) return `durable-overclaim at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: its durable index is ${durable}, its log has term ${logTerm} there, but its disk holds term ${diskTerm} there durably`;
    }
    if (completed && w.status[id] === NodeStatus.up) {
      if (disk.pendingFsyncs === 0) {
        if (durable < last) return `durable-lag at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: its disk completed every fsync, yet its durable index is ${durable}, below its last index ${last}`;
        if (this.owed[id] > 0) return `append-answered at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: its disk completed every fsync, yet ${this.owed[id]} AppendEntries delivered to it ${this.owed[id] === 1 ? "is" : "are"} unanswered`;
      }
      // durable-underclaim: the disk now holds the log's entry at c durably (same index and
      // term: by Log Matching the log up to c), so the write that put it there has completed
      // and the server has heard of it (this event). Not above a truncation at f <= c still
      // pending: the account was clamped to f - 1 when the truncation was written, and owes
      // f - 1 (when the disk holds the log's entry there), not c:
      // - a rewrite at or below c still pending gives another term at c (a conflict the
      //   account may not pass), yet the entries below f are the same on both, and the writes
      //   before the truncation that put them there have completed;
      // - the log's entry at c may be the disk's again only by a second rewrite (truncated
      //   and rewritten back to the same entry, still pending; seed 2411), and the completion
      //   of the first rewrite will make the disk hold another entry there, which the account
      //   may not claim; an account never lowered by a completion stays at f - 1.
      // Another term at c with no truncation pending (the log's entry there unknown, below its
      // snapshot): nothing required.
      const truth = this.truth[id];
      let c = truth < last ? truth : last;
      if (durable < c) {
        // Read only here (a correct server's account reaches c at its completions, unless a
        // rewrite is pending): the records pending can be many during a stall.
        const f = pendingTruncation(disk, c);
        if (f <= c) c = f - 1;
        if (durable < c && this.sameOnBoth(r, id, c)) return `durable-underclaim at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: its disk completed an fsync and holds its log durably up to ${c} (term ${logTermAt(r, c)} there on both), yet its durable index is ${durable}`;
      }
    }
    return null;
  }

  /** Whether server `id`'s disk holds durably at `c` (0 < c <= truth) the log's entry there
   * (same term, both known). */
  private sameOnBoth(r: MetaServer["raft"], id: number, c: number): boolean {
    const logTerm = logTermAt(r, c);
    return logTerm > 0 && this.termOnDisk(id, c) === logTerm;
  }

  /** The term a restart of server `id` would recover at index `d` (0 < d <= truth): the
   * snapshot file's at its index, the records' above it; -1 when unknown. */
  private termOnDisk(id: number, d: number): number {
    const snap = this.snapIndex[id];
    if (d === snap) return this.snapTerm[id];
    // Below the snapshot file's index a restart recovers the snapshot, which keeps no term
    // there (recovery skips records at or below it, log.ts replay): unknown, even where an old
    // record still holds the index. The log of a correct server has compacted at least as far
    // (its snapshot is the file's or a newer one), so it knows no term there either.
    if (d < snap) return -1;
    // snap < d <= truth: d <= recordsLast. 0 (no record read holds d): unknown.
    const t = this.terms[id][d];
    return t > 0 ? t : -1;
  }

  /** Reads the records that became durable since the last reading, and the snapshot file. */
  private readDisk(disk: AnyWorld["disks"][number], id: number): void {
    const base = disk.walStart;
    const end = base + disk.durableLength;
    // Records dropped before they were read are covered by the durable snapshot (the server
    // drops WAL segments only once a snapshot past them is durable).
    let pos = this.scanned[id] < base ? base : this.scanned[id];
    if (end > pos) {
      const wal = disk.contents() as readonly RaftRecord<unknown>[];
      let last = this.recordsLast[id];
      let terms = this.terms[id];
      for (; pos < end; pos++) {
        const rec = wal[pos - base];
        if (rec.kind === "entries") {
          const es = rec.entries;
          const n = es.length;
          if (n === 0) continue;
          const top = es[n - 1].index;
          if (top >= terms.length) terms = this.grow(id, top);
          // Entries are contiguous; slots past `last` are stale (a truncation or a re-read):
          // a gap before the first entry holds no record.
          const first = es[0].index;
          if (first > last + 1) terms.fill(0, last + 1, first);
          for (let k = 0; k < n; k++) terms[es[k].index] = es[k].term;
          if (top > last) last = top;
        } else if (rec.kind === "truncate") {
          if (rec.from - 1 < last) last = rec.from - 1;
        }
      }
      this.recordsLast[id] = last;
      this.scanned[id] = end;
    }
    const file = disk.durableFile(SNAPSHOT_FILE) as { readonly index: number; readonly term: number } | undefined;
    const snap = file === undefined ? 0 : file.index;
    this.snapIndex[id] = snap;
    this.snapTerm[id] = file === undefined ? 0 : file.term;
    this.truth[id] = snap > this.recordsLast[id] ? snap : this.recordsLast[id];
  }

  /** Server `id`'s term array, grown to hold index `top` (the valid slots copied). */
  private grow(id: number, top: number): Float64Array {
    const old = this.terms[id];
    let len = old.length * 2;
    while (len <= top) len *= 2;
    const next = new Float64Array(len);
    next.set(old);
    this.terms[id] = next;
    return next;
  }
}

/** The lowest index `from` <= c of a truncate record written to `disk` and not yet durable
 * (Infinity: none). Read only when the account is below what the disk holds at a completion
 * (a correct server comes here only while a rewrite is pending). */
function pendingTruncation(disk: AnyWorld["disks"][number], c: number): number {
  const wal = disk.contents() as readonly RaftRecord<unknown>[];
  let f = Number.POSITIVE_INFINITY;
  for (let pos = disk.durableLength; pos < wal.length; pos++) {
    const rec = wal[pos];
    if (rec.kind === "truncate" && rec.from <= c && rec.from < f) f = rec.from;
  }
  return f;
}

/** The term of the log's entry at i (0 < i <= last index): the snapshot's at its index, -1
 * below it (the log keeps no term there). */
function logTermAt(r: MetaServer["raft"], i: number): number {
  const snap = r.snapshotIndex();
  return i > snap ? r.entry(i)!.term : i === snap ? r.snapshotTerm() : -1;
}
