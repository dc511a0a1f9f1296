// What building a gossip section (the entries of a PING/PONG) needs on the hot path: a mark
// of the nodes drawn for the section being built, shared immutable entries, and a scratch list
// copied out at its final size. Every PING and PONG builds one, so none of this allocates per
// entry, grows an array or scans the entries drawn so far.
import { G_FAIL, G_PFAIL, type GossipEntry } from "./types.js";

/** Entries by cluster size, then [flags][node]: messages are never changed after sending, so
 * every section can share one entry object per (node, flags). */
const ENTRIES = new Map<number, readonly (readonly GossipEntry[])[]>();

function entriesFor(n: number): readonly (readonly GossipEntry[])[] {
  let byFlags = ENTRIES.get(n);
  if (byFlags === undefined) {
    const rows: GossipEntry[][] = [];
    for (let f = 0; f <= (G_PFAIL | G_FAIL); f++) {
      const row: GossipEntry[] = [];
      for (let j = 0; j < n; j++) row.push({ node: j, flags: f });
      rows.push(row);
    }
    byFlags = rows;
    ENTRIES.set(n, byFlags);
  }
  return byFlags;
}

export class GossipSection {
  /** picked[j] === stamp: j was drawn for the section being built. */
  private readonly picked: Uint32Array;
  private stamp = 0;
  private readonly entries: readonly (readonly GossipEntry[])[];
  /** The section being built: out[0..size). A section holds each node at most once. */
  private readonly out: GossipEntry[];
  size = 0;

  constructor(n: number) {
    this.picked = new Uint32Array(n);
    this.entries = entriesFor(n);
    this.out = this.entries[0].slice();
  }

  /** Start a new section: nothing drawn yet. */
  begin(): void {
    this.size = 0;
    if (this.stamp === 0xffffffff) {
      this.picked.fill(0);
      this.stamp = 0;
    }
    this.stamp++;
  }

  /** Mark j as drawn; false if it already was in this section. */
  take(j: number): boolean {
    if (this.picked[j] === this.stamp) return false;
    this.picked[j] = this.stamp;
    return true;
  }

  add(node: number, flags: number): void {
    this.out[this.size++] = this.entries[flags][node];
  }

  /** The section built, as a new array of its size. */
  finish(): GossipEntry[] {
    return this.out.slice(0, this.size);
  }
}
