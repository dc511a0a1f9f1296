// Valkey's replica election (clusterHandleReplicaFailover) and vote
// (clusterSendFailoverAuthIfNeeded), @55bbbe09 semantics: a replica of a FAIL primary schedules
// its election at now + 500 + random(0..499) + 1000 x rank ms (rank = siblings with a larger
// replication offset, ties to the smaller name), re-ranks until it asks, then bumps
// currentEpoch, asks every node, and wins with votes from a majority of voting primaries:
// configEpoch = the election's epoch, the old primary's slots, a PONG to everyone. A voter
// (a voting primary) grants one vote per epoch, made durable (lastVoteEpoch fsynced) before
// the ACK leaves, and refuses replicas of the same primary for 2T after a vote.
import type { ValkeyEnv } from "./env.js";
import { VN, type BusMsg, type Header, type ValkeyOptions } from "./types.js";
import type { ClusterView } from "./view.js";

const MS = 1_000;

/** What the election needs of its node (ValkeyNode). */
export interface ElectionHost {
  readonly env: ValkeyEnv;
  readonly view: ClusterView;
  readonly opts: ValkeyOptions;
  readonly T: number;
  currentEpoch: number;
  lastVoteEpoch: number;
  readonly isPrimary: boolean;
  readonly primary: number;
  readonly lastPrimaryData: number;
  readonly kv: { readonly offset: number };
  header(): Header;
  saveConfig(sync: boolean): number;
  broadcast(msg: BusMsg): void;
  sendPong(to: number): void;
  /** Won: take the old primary's slots with configEpoch `epoch`. */
  takeOver(oldPrimary: number, epoch: number, rank: number): void;
}

export class Election {
  /** Local µs the election may start (failover_auth_time); -Infinity: none scheduled. */
  authTime = -Infinity;
  authSent = false;
  authEpoch = 0;
  authRank = 0;
  private readonly voters = new Set<number>();
  /** ACKs waiting for their lastVoteEpoch fsync. */
  private readonly pendingAcks: { token: number; to: number; hdr: Header }[] = [];

  /** My primary's configEpoch when I attached to it (only the staleAuthEpoch bug reads it). */
  private attachedEpoch: number;

  constructor(private readonly h: ElectionHost) {
    this.attachedEpoch = h.primary >= 0 ? h.view.configEpoch[h.primary] : 0;
  }

  reset(): void {
    this.attachedEpoch = this.h.primary >= 0 ? this.h.view.configEpoch[this.h.primary] : 0;
    this.authTime = -Infinity;
    this.authSent = false;
    this.voters.clear();
  }

  /** clusterGetReplicaRank: siblings (replicas of my primary) with a larger offset, ties to
   * the smaller name. */
  rank(): number {
    const h = this.h;
    const v = h.view;
    const me = h.env.id;
    const p = h.primary;
    const mine = h.kv.offset;
    let rank = 0;
    for (let j = 0; j < v.n; j++) {
      if (j === me || v.primaryOf[j] !== p) continue;
      if (h.opts.bugs.rankIgnoresOffset === true) {
        if (j < me) rank++;
      } else if (v.offset[j] > mine || (v.offset[j] === mine && j < me)) rank++;
    }
    return rank;
  }

  /** Called from every cron of a replica, and when a vote arrives. */
  handleReplicaFailover(now: number): void {
    const h = this.h;
    const v = h.view;
    const o = h.opts;
    const p = h.primary;
    if (h.isPrimary || p < 0 || v.fail[p] === 0 || v.numSlots[p] === 0) return;
    let dataAge = now - h.lastPrimaryData;
    if (dataAge > h.T) dataAge -= h.T;
    if (o.replicaValidityFactor > 0 && dataAge > o.replPingReplicaPeriodMs * MS + h.T * o.replicaValidityFactor) return;
    const authTimeout = Math.max(2 * h.T, o.operationTimeoutMs * MS);
    const authRetry = 2 * authTimeout;
    if (now - this.authTime > authRetry) {
      this.authTime = now + (o.electionFixedMs + h.env.rng.int(0, o.electionRandomMs - 1)) * MS;
      this.authSent = false;
      this.voters.clear();
      this.authRank = this.rank();
      this.authTime += this.authRank * o.electionRankMs * MS;
      // Tell the siblings my offset, so they rank themselves with it.
      for (let j = 0; j < v.n; j++) if (j !== h.env.id && v.primaryOf[j] === p) h.sendPong(j);
      return;
    }
    if (!this.authSent) {
      const r = this.rank();
      if (r > this.authRank) {
        this.authTime += (r - this.authRank) * o.electionRankMs * MS;
        this.authRank = r;
      }
    }
    if (now < this.authTime) return;
    if (now - this.authTime > authTimeout) return; // expired: wait for the retry time
    if (!this.authSent) {
      h.currentEpoch++;
      this.authEpoch = h.currentEpoch;
      h.saveConfig(true);
      h.broadcast({ type: "authReq", hdr: h.opts.bugs.staleAuthEpoch === true ? { ...h.header(), configEpoch: this.attachedEpoch } : h.header() });
      this.authSent = true;
      h.env.note(VN.election, this.authEpoch, this.authRank);
      return;
    }
    if (this.voters.size >= v.quorum()) {
      const epoch = this.authEpoch;
      const rank = this.authRank;
      this.reset();
      h.takeOver(p, epoch, rank);
    }
  }

  onAck(from: number, hdr: Header, now: number): void {
    const v = this.h.view;
    if (!this.authSent || !v.isVotingPrimary(from) || hdr.currentEpoch < this.authEpoch) return;
    this.voters.add(from); // once per voter: the simulated network may duplicate
    this.handleReplicaFailover(now);
  }

  /** clusterSendFailoverAuthIfNeeded; the requester's header was processed already. */
  maybeVote(from: number, hdr: Header, now: number): void {
    const h = this.h;
    const v = h.view;
    const me = h.env.id;
    if (!v.isVotingPrimary(me)) return;
    if (hdr.currentEpoch < h.currentEpoch) return;
    if (h.lastVoteEpoch === h.currentEpoch) return;
    const p = v.primaryOf[from];
    if (hdr.primaryOf < 0 || p < 0 || v.fail[p] === 0) return;
    if (h.opts.votedTimeRule && now - v.votedTime[p] < 2 * h.T) return;
    for (const s of hdr.slots) {
      const o = v.owner[s];
      if (o >= 0 && v.configEpoch[o] > hdr.configEpoch) return;
    }
    h.lastVoteEpoch = h.currentEpoch;
    v.votedTime[p] = now;
    h.env.note(VN.vote, h.currentEpoch, from);
    if (h.opts.bugs.voteBeforeFsync === true) {
      h.saveConfig(false);
      h.env.send(from, { type: "authAck", hdr: h.header() });
      return;
    }
    const token = h.saveConfig(true);
    this.pendingAcks.push({ token, to: from, hdr: h.header() });
  }

  /** fsyncs complete in order: the ACKs whose vote is durable go out. */
  onPersisted(token: number): void {
    while (this.pendingAcks.length > 0 && this.pendingAcks[0].token <= token) {
      const a = this.pendingAcks.shift()!;
      this.h.env.send(a.to, { type: "authAck", hdr: a.hdr });
    }
  }
}
