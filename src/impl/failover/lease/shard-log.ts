// The shard log: the shared embedded Raft group (src/impl/embed: raftsim's Raft + metadata
// store hosted inside a node) over one shard's own nodes, the RFC's "raft module". A thin
// wrapper that says what the lease design needs of it: a CAS through the group (forwarded to
// the leader by the group), and this member's *applied* view of a key (the lease logic acts on
// what this member has applied, not on a linearizable read), and whether its log holds entries
// it has not applied yet.
import type { NodeEnv, NodeId, Recovered } from "../../node.js";
import { EmbeddedGroup, type EmbedReply, type GroupMessage } from "../../embed/group.js";
import { RAFT_NOTE_BASE, type LeaseOptions } from "./types.js";

export interface LogEntryView {
  readonly value: string;
  readonly revision: number;
}

/** Group id of the shard log in envelopes and WAL records (one group per node). */
export const SHARD_LOG_GROUP = 0;

export class ShardLog {
  readonly group: EmbeddedGroup;
  /** When the group asked to be woken (the host's monotonic µs: it hands the group those), NaN: none. */
  wake = Number.NaN;

  constructor(
    env: NodeEnv<any, any, any>,
    voters: readonly NodeId[],
    opts: LeaseOptions,
    recovered: Recovered<unknown> | null,
    now: number,
  ) {
    this.group = new EmbeddedGroup(env.id, {
      group: SHARD_LOG_GROUP,
      server: {
        raft: { ...opts.raft, voters, bugs: new Set(), asserts: opts.asserts },
        dedupSessions: true,
        maxPending: 1_000,
        asserts: opts.asserts,
      },
      timeoutUs: opts.roundTimeoutUs + opts.raft.electionMaxUs,
      noteBase: RAFT_NOTE_BASE,
    }, env, (at) => {
      this.wake = at;
    }, recovered, now);
  }

  onMessage(from: NodeId, m: GroupMessage, now: number): void {
    this.group.onMessage(from, m, now);
  }

  onTick(now: number): void {
    if (this.wake === this.wake && now >= this.wake) this.group.onTick(now);
  }

  onPersisted(token: number, now: number): void {
    this.group.onPersisted(token, now);
  }

  /** CAS a key through the group; `done` gets the outcome (exactly once). */
  cas(key: string, expected: number | "absent", value: string, now: number, done: (r: EmbedReply, now: number) => void): void {
    this.group.request({ f: "cas", key, expected, value }, now, done);
  }

  /** What this member has applied for a key (null: absent). */
  read(key: string): LogEntryView | null {
    const r = this.group.server.store.get(key);
    return r.found ? { value: r.value, revision: r.revision } : null;
  }

  /** Entries in this member's log that it has not applied yet (it may have acknowledged a
   * renewal it does not know is committed). */
  get unapplied(): number {
    return this.group.server.raft.lastIndex() - this.group.server.store.appliedIndex();
  }

  get leader(): NodeId {
    return this.group.leader();
  }
}
