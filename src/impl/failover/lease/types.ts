// The lease design of the failover system (FAILURE-DETECTION.md §a2, §e D4 / variant V2): a
// shard's primaryship lives in a Raft-replicated store over the shard's own nodes (the shard
// log), renewed by CAS; options, planted bugs, messages, durable records and note codes.
// Times in the node are local µs (its monotonic clock unless a bug says otherwise).
import type { RaftOptions } from "../../raft/api.js";
import type { GroupEnvelope, GroupRecord } from "../../embed/group.js";
import { LEASE_DEFAULTS } from "../detectors/lease.js";

export interface LeaseBugs {
  /** #18a: the lease runs from the time the renewal is seen committed, not from its send time. */
  readonly leaseFromReceive?: boolean;
  /** #18b: shard-log members grant a primaryship takeover without the 2L post-ack wait. */
  readonly noPostAckWait?: boolean;
  /** #5: lease, guard and FAIL deadlines on the wall clock (which steps) instead of the
   * monotonic clock. */
  readonly wallClockLease?: boolean;
}

export interface LeaseOptions {
  /** Lease length L, µs (on the primary's clock from the renewal's send time). */
  readonly leaseUs: number;
  /** Renewal period, µs (< L). */
  readonly renewUs: number;
  /** Replicas FAIL the primary this many L after the last renewal they applied (RFC: 2). */
  readonly failAfterMult: number;
  /** Members refuse a takeover this many L after they last applied a renewal (2). */
  readonly refuseMult: number;
  /** A candidate waits up to this long (random) before asking for grants, µs. */
  readonly candidateJitterUs: number;
  /** A grant round (or a takeover proposal) unanswered this long is abandoned, µs. */
  readonly roundTimeoutUs: number;
  /** A primary announces itself to the other shards this often, µs (routing hints). */
  readonly announceUs: number;
  /** Housekeeping tick (replication retries, announce), µs. */
  readonly tickUs: number;
  /** The shard log's Raft settings (voters are filled in per shard). */
  readonly raft: Omit<RaftOptions, "voters" | "bugs">;
  readonly asserts: boolean;
  readonly bugs: LeaseBugs;
}

const MS = 1_000;

/** Defaults (the lease detector's spec, detectors/lease.ts, for L, renewal and the multipliers;
 * the RFC gives no numbers): L = 1 s so that a failover (2L + a shard-log
 * election + a commit, about 2.5 s) fits Valkey's test settings' budget (T = 3 s: <= 4.5 s);
 * renewals every L/4 leave room for three lost ones; the shard log's Raft elects in 0.5-1 s. */
export const DEFAULT_LEASE_OPTIONS: LeaseOptions = {
  leaseUs: LEASE_DEFAULTS.leaseUs,
  renewUs: LEASE_DEFAULTS.renewIntervalUs,
  failAfterMult: LEASE_DEFAULTS.failAfterMult,
  refuseMult: LEASE_DEFAULTS.refuseMult,
  candidateJitterUs: 200 * MS,
  roundTimeoutUs: 200 * MS,
  announceUs: 1_000 * MS,
  tickUs: 25 * MS,
  raft: { electionMinUs: 500 * MS, electionMaxUs: 1_000 * MS, heartbeatUs: 50 * MS, preVote: true, checkQuorum: true, maxInflight: 64, maxBatch: 64 },
  asserts: true,
  bugs: {},
};

/** The primaryship key of a shard's log. Its value is `holder.nonce.seq` (nonce: per boot),
 * its revision the Raft index of the entry that last wrote it. */
export const PRIMARYSHIP_KEY = "primaryship";

export type DataMsg =
  /** Replication stream: the write at offset from+1 of the primary's data epoch. */
  | { readonly type: "repl"; readonly epoch: number; readonly from: number; readonly key: string; readonly token: string }
  /** A replica has durably applied everything up to offset (in the primary's data epoch). */
  | { readonly type: "replAck"; readonly epoch: number; readonly offset: number }
  | { readonly type: "psync"; readonly offset: number }
  | { readonly type: "fullsync"; readonly epoch: number; readonly offset: number; readonly data: readonly (readonly [string, string])[] }
  /** A new holder asks the most up-to-date member that granted it for that member's data. */
  | { readonly type: "pull"; readonly round: number }
  | { readonly type: "pulled"; readonly round: number; readonly epoch: number; readonly offset: number; readonly data: readonly (readonly [string, string])[] };

export type ControlMsg =
  /** The shard log (the embedded group's envelope: Raft, forwarded requests and replies). */
  | GroupEnvelope
  /** The holder's heartbeat to its shard (the RFC's module heartbeat): replicas FAIL the holder
   * failAfterMult·L after the last one. */
  | { readonly type: "hb"; readonly epoch: number }
  /** A candidate asks for a grant. */
  | { readonly type: "grantReq"; readonly round: number }
  /** The answer: ok, the primaryship revision the member has applied, and its data's epoch and
   * offset (the winner pulls the data of the most up-to-date granter before serving). */
  | { readonly type: "grant"; readonly round: number; readonly ok: boolean; readonly rev: number; readonly epoch: number; readonly offset: number }
  /** A primary tells the other shards' nodes where its shard's slots are served. */
  | { readonly type: "announce"; readonly shard: number; readonly node: number };

export type LeaseMsg = DataMsg | ControlMsg;

/** Durable records: the shard log's (tagged with its group, no `t`), the AOF, the data epoch. */
export type LeaseRecord =
  | GroupRecord
  | { readonly t: "w"; readonly key: string; readonly token: string; readonly offset: number }
  | { readonly t: "snap"; readonly offset: number; readonly data: readonly (readonly [string, string])[] }
  | { readonly t: "epoch"; readonly epoch: number };

/** Note codes: above the Valkey node's (1..13) so one system's note names cover both designs;
 * the shard log's Raft notes are moved up by RAFT_NOTE_BASE. */
export const LN = {
  /** At boot: a = shard, b = 0. */
  shard: 21,
  /** The primaryship this node applied changed: a = holder, b = its epoch (takeover revision). */
  holder: 22,
  /** Role: a = 1 primary (holder with a lease) / 0 not, b = epoch. */
  primary: 23,
  /** Served a read or acknowledged a write for its shard: a = epoch, b = 1 write / 0 read. */
  serve: 24,
  /** FAIL of the holder (no renewal for failAfterMult·L): a = holder, b = 1 set / 0 cleared. */
  fail: 25,
  /** Candidacy: a = round, b = 0 asking for grants / 1 proposing the takeover CAS. */
  candidate: 26,
  /** A grant given: a = candidate, b = round. */
  grant: 27,
  /** A renewal committed: a = seq, b = 0. */
  renewed: 28,
} as const;

export const RAFT_NOTE_BASE = 40;

export const LEASE_NOTE_NAMES: Readonly<Record<number, string>> = {
  21: "lease-shard",
  22: "holder",
  23: "lease-primary",
  24: "serve",
  25: "lease-fail",
  26: "candidate",
  27: "grant",
  28: "renewed",
  41: "log-role",
  42: "log-leader",
  43: "log-commit",
  44: "log-apply",
  45: "log-custom",
};

/** Shard membership as created: shard s is nodes s·size .. s·size + size - 1. */
export interface LeaseTopology {
  readonly servers: number;
  readonly slots: number;
  /** Nodes per shard (1 primary + R replicas). */
  readonly size: number;
  /** Slot -> shard. */
  readonly shardOfSlot: readonly number[];
}

export function shardOfNode(t: LeaseTopology, id: number): number {
  return Math.floor(id / t.size);
}

export function membersOf(t: LeaseTopology, shard: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < t.size; j++) out.push(shard * t.size + j);
  return out;
}

/** Parse a primaryship value: holder node, its boot nonce, the renewal seq. */
export function parseHolder(v: string): { holder: number; nonce: number; seq: number } {
  const [h, n, s] = v.split(".");
  return { holder: Number(h), nonce: Number(n), seq: Number(s) };
}
