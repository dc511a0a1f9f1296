// What building a gossip section (the entries of a PING/PONG) needs on the hot path: a mark
// of the nodes drawn for the section being built, shared immutable entries, and a scratch list
// copied out at its final size. Every PING and PONG builds one, so none of this allocates per
// entry, grows an array or scans the entries drawn so far.
import type { ImplRng } from "../../node.js";
import { G_FAIL, G_PFAIL, type GossipEntry } from "./types.js";
import type { ClusterView } from "./view.js";

/** Entries [flags][node]: messages are never changed after sending, so every section a node
 * builds can share one entry object per (node, flags). Per node, not per module: src/impl keeps
 * no module-level state. */
function entriesFor(n: number): readonly (readonly GossipEntry[])[] {
  const rows: GossipEntry[][] = [];
  for (let f = 0; f <= (G_PFAIL | G_FAIL); f++) {
    const row: GossipEntry[] = [];
    for (let j = 0; j < n; j++) row.push({ node: j, flags: f });
    rows.push(row);
  }
  return rows;
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

  /** A PING/PONG's gossip section from `me`'s view: max(gossipMin, n/10) random nodes that are
   * not PFAIL (FAIL flagged), then every PFAIL node — unless `noPfail` (planted bug #3). */
  build(v: ClusterView, me: number, gossipMin: number, rng: ImplRng, noPfail: boolean): GossipEntry[] {
    let wanted = Math.max(gossipMin, Math.floor(v.n / 10));
    let fresh = v.n - 2;
    if (wanted > fresh) wanted = fresh;
    this.begin();
    for (let it = wanted * 3; fresh > 0 && this.size < wanted && it > 0; it--) {
      const j = rng.int(0, v.n - 1);
      if (j === me || v.pfail[j] !== 0 || !this.take(j)) continue;
      this.add(j, v.fail[j] !== 0 ? G_FAIL : 0);
      fresh--;
    }
    if (noPfail) return this.finish();
    if (v.anyPfail()) for (let j = 0; j < v.n; j++) if (j !== me && v.pfail[j] !== 0) this.add(j, G_PFAIL);
    return this.finish();
  }
}
