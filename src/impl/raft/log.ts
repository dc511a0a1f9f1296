// The in-memory Raft log: an array of entries with an offset (entries[k] has index offset+k+1).
// Entries up to the offset are covered by a snapshot whose last included index is the offset
// and whose last included term is offsetTerm (Raft §7).
import type { RaftEntry } from "./api.js";
import type { RaftRecord } from "./records.js";

export class RaftLog<C> {
  private readonly ents: RaftEntry<C>[] = [];
  private offset = 0;
  private offsetTerm = 0;

  /** strict=false (a planted bug is on): skip checks that a buggy log shape would trip;
   * asserts=false (`--sut-asserts off`): skip every check. */
  constructor(private readonly strict = true, private readonly asserts = true) {}

  firstIndex(): number {
    return this.offset + 1;
  }

  /** The snapshot's last included index (0 when none). */
  snapshotIndex(): number {
    return this.offset;
  }

  snapshotTerm(): number {
    return this.offsetTerm;
  }

  /** Drop entries up to and including `index` (a snapshot now covers them). */
  compact(index: number): void {
    if (index <= this.offset) return;
    if (this.asserts && index > this.lastIndex()) throw new Error(`raft invariant: compacting to ${index} beyond last index ${this.lastIndex()}`);
    const term = this.termAt(index);
    this.ents.splice(0, index - this.offset);
    this.offset = index;
    this.offsetTerm = term;
  }

  /** Discard the whole log: it now starts after a snapshot at (index, term). */
  reset(index: number, term: number): void {
    this.ents.length = 0;
    this.offset = index;
    this.offsetTerm = term;
  }

  lastIndex(): number {
    return this.offset + this.ents.length;
  }

  lastTerm(): number {
    const n = this.ents.length;
    return n === 0 ? this.offsetTerm : this.ents[n - 1].term;
  }

  /** Term at index i; -1 when i is outside [offset, lastIndex]. */
  termAt(i: number): number {
    if (i === this.offset) return this.offsetTerm;
    const e = this.ents[i - this.offset - 1];
    return e === undefined ? -1 : e.term;
  }

  entry(i: number): RaftEntry<C> | undefined {
    if (i <= this.offset) return undefined;
    return this.ents[i - this.offset - 1];
  }

  append(e: RaftEntry<C>): void {
    if (e.index !== this.lastIndex() + 1) {
      throw new Error(`raft invariant: append index ${e.index} after last ${this.lastIndex()}`);
    }
    if (this.strict && e.term < this.lastTerm()) throw new Error("raft invariant: log terms must not decrease");
    this.ents.push(e);
  }

  /** Replace the entry at an existing index (only the planted bug append-keeps-conflicts). */
  overwrite(e: RaftEntry<C>): void {
    if (this.asserts && (e.index <= this.offset || e.index > this.lastIndex())) throw new Error("raft invariant: overwrite out of range");
    this.ents[e.index - this.offset - 1] = e;
  }

  /** Discard every entry with index >= from. */
  truncateFrom(from: number): void {
    if (this.asserts && from <= this.offset) throw new Error("raft invariant: truncating below the log's first index");
    if (from <= this.lastIndex()) this.ents.length = from - this.offset - 1;
  }

  /** Entries [lo, hi], both inclusive; a fresh array (becomes part of an immutable message). */
  slice(lo: number, hi: number): RaftEntry<C>[] {
    return this.ents.slice(lo - this.offset - 1, hi - this.offset);
  }

  /** Apply one WAL record during recovery, on top of the snapshot loaded first: entries the
   * snapshot covers are skipped and a truncation below it only cuts what follows it (WAL
   * records older than the snapshot may still be on disk until their segment is dropped). */
  replay(rec: RaftRecord<C>): void {
    if (rec.kind === "entries") {
      for (const e of rec.entries) {
        if (e.index <= this.offset) continue;
        if (e.index === this.lastIndex() + 1) this.ents.push(e);
        else if (e.index > this.offset && e.index <= this.lastIndex()) {
          // Correct code rewrites an entry in place only with itself (a snapshot base, see
          // records.ts); a different term there would mean a lost truncation.
          if (this.strict && this.termAt(e.index) !== e.term) throw new Error(`raft invariant: WAL rewrites entry ${e.index} with another term`);
          this.overwrite(e);
        } else throw new Error(`raft invariant: WAL entries record leaves a gap at ${e.index}`);
      }
    } else if (rec.kind === "truncate") {
      this.truncateFrom(rec.from > this.offset ? rec.from : this.offset + 1);
    }
  }
}
