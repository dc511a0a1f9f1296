// State machine safety on the store itself (Raft §5.4.3; issue 12 part 3: what the mutation
// sweep showed missing). The Raft invariants compare logs; the history check sees only what
// clients read. Neither compares the replicas' stores, so a store that diverges on one replica —
// one restored from a snapshot that lost its session table, say — goes unseen until a client
// happens to read the difference. This check records the store's state hash (keys, values,
// revisions, versions, sessions; MetadataStore.stateHash) the first time any replica reaches an
// applied index, and every replica that reaches the same applied index must have the same hash.
// Sampled: only applied indexes that are multiples of STATE_CHECK_SAMPLE are hashed (a hash
// sorts the store, ~50 µs; at every index it cost a third of a run's CPU, at every 128th ~4%).
// Replicas apply up to the commit index they learn, so they land on the same indexes, and a
// divergence persists until overwritten: the next sampled index both reach shows it.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

/** Hash the store at applied indexes that are multiples of this. */
export const STATE_CHECK_SAMPLE = 128;

export class StoreStateCheck {
  /** applied index → [hash, the node that first reached it]. */
  private readonly first = new Map<number, readonly [number, number]>();
  private readonly lastSeen: number[];

  constructor(n: number) {
    this.lastSeen = new Array<number>(n).fill(-1);
  }

  /** Check node `id` (when its applied index moved); null, or why the stores differ. */
  check(w: AnyWorld, id: number): string | null {
    const n = w.nodes[id] as MetaServer | null;
    if (n === null) return null;
    const applied = n.store.appliedIndex();
    if (applied === this.lastSeen[id]) return null;
    this.lastSeen[id] = applied;
    if (applied % STATE_CHECK_SAMPLE !== 0) return null;
    const hash = n.store.stateHash();
    const seen = this.first.get(applied);
    if (seen === undefined) {
      this.first.set(applied, [hash, id]);
      return null;
    }
    if (seen[0] === hash) return null;
    return `store-state-safety at node ${id}, t=${(w.now / 1000).toFixed(3)}ms: its store at applied index ${applied} hashes to ${hash.toString(16)}, node ${seen[1]}'s at the same index to ${seen[0].toString(16)}`;
  }

  checkAll(w: AnyWorld, n: number): string | null {
    for (let i = 0; i < n; i++) {
      const v = this.check(w, i);
      if (v !== null) return v;
    }
    return null;
  }
}
