// One hidden class for every node's options. Callers build RaftOptions with spreads and optional
// keys that vary from seed to seed (the swarm draws the configuration), and each key set or order
// is a different V8 map: the hot reads of `opts.checkQuorum`, `opts.electionMinUs` and the like
// then see a new map every few seeds, throw their optimised code away and end polymorphic. A sweep
// worker recompiled the Raft's hottest functions up to seven times for it. Copying the options
// into one literal with every key, always in this order, gives every node the same map.
import type { RaftOptions } from "./api.js";

/** `o` with every key of RaftOptions present (absent optional ones as undefined), in a fixed
 * order. Reads are unchanged: each optional key is read with `??` or `=== undefined`/`true`. */
export function fixedShapeOptions(o: RaftOptions): RaftOptions {
  // Typed with every key required, so a key added to RaftOptions and not here fails to compile.
  const all: { readonly [K in keyof Required<RaftOptions>]: RaftOptions[K] } = {
    voters: o.voters,
    promoteLag: o.promoteLag,
    electionMinUs: o.electionMinUs,
    electionMaxUs: o.electionMaxUs,
    heartbeatUs: o.heartbeatUs,
    preVote: o.preVote,
    checkQuorum: o.checkQuorum,
    maxInflight: o.maxInflight,
    maxBatch: o.maxBatch,
    snapshotEvery: o.snapshotEvery,
    snapshotChunk: o.snapshotChunk,
    bugs: o.bugs,
    readMode: o.readMode,
    maxDriftPpm: o.maxDriftPpm,
    asserts: o.asserts,
    coalesceHeartbeats: o.coalesceHeartbeats,
  };
  return all;
}
