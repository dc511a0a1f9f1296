// The failover system's measurements beyond the online checks (issue 11 part 4;
// FAILURE-DETECTION.md §b), all in TRUE simulated time (nodes only see their skewed clocks):
//
// - PairQos: Chen, Toueg and Aguilera's QoS of a failure detector, per (observer p, target q):
//   T_MR (mistake recurrence: between two consecutive S-transitions while q is up), T_M
//   (mistake duration: an S-transition to the next T-transition while q is up), P_A (query
//   accuracy: the share of the pair's observed time during which p trusts the live q), and the
//   mistake rate lambda_M (mistakes per pair-hour of observed time).
// - ShardAvailability: unavailability per shard (defined at the class).
// - Traffic: messages and bytes sent per node per second, bytes by valkeyWireBytes (Valkey's
//   wire format; sizes and their source at the function).
//
// Observation only: nothing here draws randomness, sends, or touches a node, so no trace hash
// moves. The FailoverObserver feeds it from the same notes and hooks its checks use.
import type { ValkeyMsg } from "../../../impl/failover/valkey/types.js";

/** Nearest-rank percentile (p in 0..100) of some samples; null when there are none. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Median, p99 and max of some samples (null when there are none), rounded to 0.1. */
export interface Dist {
  readonly n: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

const r1 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);

/** Samples scaled by 1/`div` (µs -> ms: 1000), as median, p99, max. */
export function dist(samples: readonly number[], div = 1): Dist {
  if (samples.length === 0) return { n: 0, p50: null, p99: null, max: null };
  let max = -Infinity;
  for (const x of samples) if (x > max) max = x;
  return { n: samples.length, p50: r1(percentile(samples, 50)! / div), p99: r1(percentile(samples, 99)! / div), max: r1(max / div) };
}

// ---------------------------------------------------------------------------------------------
// QoS per (observer, target) pair

/** What PairQos reports. Times in ms. */
export interface QosResult {
  /** S-transitions (trust -> suspect) of an observed pair: p began to suspect a live q. */
  readonly mistakes: number;
  /** Of those, the strict ones (spec §b.3): q was neither paused nor cut off from p (link
   * q -> p) at that instant. The rest are excusable: p had no way to hear from q. */
  readonly strictMistakes: number;
  /** Mistakes still open when q crashed, p crashed or the run ended (no T_M sample). */
  readonly censored: number;
  readonly tmrMs: Dist;
  readonly tmMs: Dist;
  /** P_A over the pairs with observed time: the worst pair, the 1st percentile, the median. */
  readonly pa: { readonly pairs: number; readonly min: number | null; readonly p1: number | null; readonly p50: number | null };
  /** Mistakes per pair-hour of observed time (an estimate of lambda_M = 1/E(T_MR)). */
  readonly mistakesPerPairHour: number | null;
  readonly observedPairHours: number;
}

/**
 * Chen-Toueg-Aguilera QoS of one detector's views, per ordered pair (p, q), p != q.
 *
 * A pair is *observed* while both p and q are up (not crashed; a paused node is up: suspecting
 * it is a mistake, as in the paper, where q never crashes) and p has trusted q at least once
 * since q (re)started: the stretch after a restart during which p still suspects q from
 * before is p's lag in noticing the recovery, not a mistake, and is left out of P_A.
 * - S-transition of an observed pair: a mistake. Two consecutive ones within one observed
 *   stretch give a T_MR sample.
 * - T-transition of an observed pair after a mistake: a T_M sample. A mistake cut short by a
 *   crash of p or q or by the end of the run gives none (counted as censored).
 * - P_A of a pair = trusted observed time / observed time.
 */
export class PairQos {
  private readonly susp: Uint8Array;
  private readonly up: Uint8Array;
  private readonly observing: Uint8Array;
  /** Accounting mark of an observed pair: the last instant its times were added up to. */
  private readonly mark: Float64Array;
  private readonly trusted: Float64Array;
  private readonly observed: Float64Array;
  private readonly lastS: Float64Array;
  private readonly openMistake: Float64Array;
  private readonly tmr: number[] = [];
  private readonly tm: number[] = [];
  private mistakes = 0;
  private strict = 0;
  private censored = 0;

  /** All n nodes up and trusting each other at `startUs`. */
  constructor(private readonly n: number, startUs = 0) {
    const nn = n * n;
    this.susp = new Uint8Array(nn);
    this.up = new Uint8Array(n).fill(1);
    this.observing = new Uint8Array(nn);
    this.mark = new Float64Array(nn).fill(startUs);
    this.trusted = new Float64Array(nn);
    this.observed = new Float64Array(nn);
    this.lastS = new Float64Array(nn).fill(NaN);
    this.openMistake = new Float64Array(nn).fill(NaN);
    for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) if (p !== q) this.observing[p * n + q] = 1;
  }

  private account(k: number, now: number): void {
    const d = now - this.mark[k];
    this.observed[k] += d;
    if (this.susp[k] === 0) this.trusted[k] += d;
    this.mark[k] = now;
  }

  /** p's view of q changed (on: suspects, by any flag; off: trusts again). Repeats are ignored.
   * `excusable`: q could not be heard by p at that instant (paused, or its link to p cut). */
  suspect(p: number, q: number, on: boolean, now: number, excusable = false): void {
    if (p === q) return;
    const k = p * this.n + q;
    const s = on ? 1 : 0;
    if (this.susp[k] === s) return;
    if (this.observing[k] === 1) this.account(k, now);
    this.susp[k] = s;
    if (this.up[p] === 0 || this.up[q] === 0) return;
    if (this.observing[k] === 0) {
      // First trust after q's restart: the pair is observed from here on.
      if (!on) {
        this.observing[k] = 1;
        this.mark[k] = now;
      }
      return;
    }
    if (on) {
      this.mistakes++;
      if (!excusable) this.strict++;
      const last = this.lastS[k];
      if (last === last) this.tmr.push(now - last);
      this.lastS[k] = now;
      this.openMistake[k] = now;
    } else {
      const m = this.openMistake[k];
      if (m === m) this.tm.push(now - m);
      this.openMistake[k] = NaN;
    }
  }

  private stop(k: number, now: number): void {
    if (this.observing[k] === 1) {
      this.account(k, now);
      if (this.openMistake[k] === this.openMistake[k]) this.censored++;
    }
    this.observing[k] = 0;
    this.lastS[k] = NaN;
    this.openMistake[k] = NaN;
  }

  /** x crashed: its pairs (as observer and as target) stop; its own views are gone. */
  down(x: number, now: number): void {
    if (this.up[x] === 0) return;
    const n = this.n;
    for (let o = 0; o < n; o++) {
      if (o === x) continue;
      this.stop(x * n + o, now);
      this.stop(o * n + x, now);
      this.susp[x * n + o] = 0;
    }
    this.up[x] = 0;
  }

  /** x restarted: observed again as a target once each observer trusts it; as an observer at once
   * (a restarted node starts with no suspicion). */
  restart(x: number, now: number): void {
    if (this.up[x] === 1) return;
    this.up[x] = 1;
    const n = this.n;
    for (let o = 0; o < n; o++) {
      if (o === x) continue;
      if (this.up[o] === 0) continue;
      const asTarget = o * n + x;
      if (this.susp[asTarget] === 0) {
        this.observing[asTarget] = 1;
        this.mark[asTarget] = now;
      }
      const asObserver = x * n + o;
      if (this.susp[asObserver] === 0) {
        this.observing[asObserver] = 1;
        this.mark[asObserver] = now;
      }
    }
  }

  /** Close every observed stretch at the end of the run. */
  finish(now: number): void {
    const nn = this.n * this.n;
    for (let k = 0; k < nn; k++) {
      if (this.observing[k] === 0) continue;
      this.account(k, now);
      if (this.openMistake[k] === this.openMistake[k]) {
        this.censored++;
        this.openMistake[k] = NaN;
      }
    }
  }

  /** P_A of every pair with observed time (trusted / observed). */
  paPerPair(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.n * this.n; k++) if (this.observed[k] > 0) out.push(this.trusted[k] / this.observed[k]);
    return out;
  }

  result(): QosResult {
    const pas = this.paPerPair();
    let obs = 0;
    for (let k = 0; k < this.n * this.n; k++) if (this.observed[k] > 0) obs += this.observed[k];
    const r6 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e6) / 1e6);
    const hours = obs / 3.6e9;
    return {
      mistakes: this.mistakes,
      strictMistakes: this.strict,
      censored: this.censored,
      tmrMs: dist(this.tmr, 1000),
      tmMs: dist(this.tm, 1000),
      pa: { pairs: pas.length, min: r6(pas.length === 0 ? null : Math.min(...pas)), p1: r6(percentile(pas, 1)), p50: r6(percentile(pas, 50)) },
      mistakesPerPairHour: hours > 0 ? Math.round((this.mistakes / hours) * 1000) / 1000 : null,
      observedPairHours: Math.round(hours * 1000) / 1000,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Unavailability per shard

export interface AvailabilityResult {
  /** Per shard, total unavailable ms (index = shard). */
  readonly perShardMs: readonly number[];
  /** Across shards: median, p99, max of the per-shard totals. */
  readonly shardMs: Dist;
  /** Unavailable episodes (all shards): their lengths. */
  readonly episodeMs: Dist;
}

/**
 * Unavailability of a shard, in true time: the time during which NO node of the cluster was at
 * once (1) up and not paused, (2) accepting writes for the shard's slots by its own account
 * (its last `writable` note named a slot of this shard: a primary that owns the slots, sees the
 * cluster state OK and is out of its minority/rejoin delay), and (3) reachable both ways from
 * at least one client endpoint (no cut on client -> node and node -> client). A write sent to
 * that shard then could not be acknowledged by anyone. Clocked from the first instant the
 * shard was available (the cluster forming at start is not an outage) to the end of the run,
 * liveness phase included. Given as its own state per instant (set), so it is exact between
 * events: the observer re-evaluates after every event.
 */
export class ShardAvailability {
  private readonly since: Float64Array;
  private readonly seen: Uint8Array;
  private readonly totals: Float64Array;
  private readonly episodes: number[] = [];

  constructor(readonly shards: number) {
    this.since = new Float64Array(shards).fill(NaN);
    this.seen = new Uint8Array(shards);
    this.totals = new Float64Array(shards);
  }

  set(shard: number, available: boolean, now: number): void {
    const since = this.since[shard];
    if (available) {
      this.seen[shard] = 1;
      if (since === since) {
        this.totals[shard] += now - since;
        this.episodes.push(now - since);
        this.since[shard] = NaN;
      }
    } else if (this.seen[shard] === 1 && since !== since) this.since[shard] = now;
  }

  finish(now: number): void {
    for (let s = 0; s < this.shards; s++) {
      const since = this.since[s];
      if (since === since) {
        this.totals[s] += now - since;
        this.episodes.push(now - since);
        this.since[s] = now;
      }
    }
  }

  result(): AvailabilityResult {
    const per = [...this.totals].map((x) => Math.round(x / 100) / 10);
    return { perShardMs: per, shardMs: dist([...this.totals], 1000), episodeMs: dist(this.episodes, 1000) };
  }
}

// ---------------------------------------------------------------------------------------------
// Message sizes and traffic

/**
 * Bytes of one message on the wire (payload, without TCP/IP framing), after Valkey's formats.
 * Cluster bus (valkey src/cluster_legacy.h, whose static_asserts pin the layout):
 * - header `clusterMsg` up to `data`: 2256 B (offsetof(clusterMsg, data) == 2256; it holds the
 *   16384-bit slot bitmap `myslots`, 2048 B); AUTH_REQUEST/AUTH_ACK are the header alone
 *   (CLUSTERMSG_MIN_LEN);
 * - PING/PONG: header + 104 B per gossip entry (`clusterMsgDataGossip`: nodename 40, ping_sent
 *   4, pong_received 4, ip 46, port 2, cport 2, flags 2, pport 2, notused1 2) + 48 B for the
 *   shard-id ping extension 7.2+ sends with every ping (8 B extension header + 40 B id; hostname
 *   and human-nodename extensions, sent only when configured, are left out);
 * - FAIL: header + 40 B (`clusterMsgDataFail`: nodename);
 * - UPDATE: header + 2096 B (`clusterMsgDataUpdate`: configEpoch 8, nodename 40, slots 2048).
 * Replication (RESP, as the primary propagates it): `*3 $6 APPEND $k key $v value` with CRLFs;
 * PSYNC as `*3 $5 PSYNC $40 <replid> $n <offset>`; a full sync as an RDB: 9 B magic+version,
 * per key 1 B type + 1 B length + key + 1 B length + value, 1 B EOF, 8 B checksum (length
 * prefixes taken as 1 byte: keys and values here are short).
 * Hosted detectors' messages (timeout probes, phi heartbeats, SWIM packets): 64 B each, an
 * assumed small datagram (no wire format of their own here; memberlist's msgpack pings and
 * Akka's heartbeats are of that order). Change it here if you model one exactly.
 */
export const WIRE = {
  busHeader: 2256,
  gossipEntry: 104,
  shardIdExt: 48,
  failBody: 40,
  updateBody: 2096,
  fdMessage: 64,
} as const;

const respBulk = (s: string | number): number => {
  const len = String(s).length;
  return 1 + String(len).length + 2 + len + 2;
};

export function valkeyWireBytes(msg: ValkeyMsg): number {
  switch (msg.type) {
    case "ping":
    case "pong":
      return WIRE.busHeader + WIRE.gossipEntry * msg.gossip.length + WIRE.shardIdExt;
    case "fail":
      return WIRE.busHeader + WIRE.failBody;
    case "authReq":
    case "authAck":
      return WIRE.busHeader;
    case "update":
      return WIRE.busHeader + WIRE.updateBody;
    case "repl":
      return 4 + respBulk("APPEND") + respBulk(msg.key) + respBulk(msg.token);
    case "psync":
      return 4 + respBulk("PSYNC") + respBulk("x".repeat(40)) + respBulk(msg.offset);
    case "fullsync": {
      let b = 9 + 1 + 8;
      for (const [k, v] of msg.data) b += 1 + 1 + k.length + 1 + v.length;
      return b;
    }
    case "fd":
      return WIRE.fdMessage;
  }
}

/** Control plane: the cluster bus and a hosted detector's messages (not replication). */
function isControl(msg: ValkeyMsg): boolean {
  return msg.type !== "repl" && msg.type !== "psync" && msg.type !== "fullsync";
}

export interface TrafficResult {
  /** Per node: messages (and bytes) sent per simulated second, all server-to-server traffic. */
  readonly msgsPerNodeS: Dist;
  readonly bytesPerNodeS: Dist;
  /** The same for the control plane only (cluster bus + detector; no replication). */
  readonly controlMsgsPerNodeS: Dist;
  readonly controlBytesPerNodeS: Dist;
}

/** Sends per server (client replies do not pass here), divided by the run's simulated time. */
export class Traffic {
  private readonly msgs: Float64Array;
  private readonly bytes: Float64Array;
  private readonly cMsgs: Float64Array;
  private readonly cBytes: Float64Array;

  constructor(readonly servers: number) {
    this.msgs = new Float64Array(servers);
    this.bytes = new Float64Array(servers);
    this.cMsgs = new Float64Array(servers);
    this.cBytes = new Float64Array(servers);
  }

  onSend(from: number, msg: ValkeyMsg): void {
    const b = valkeyWireBytes(msg);
    this.msgs[from]++;
    this.bytes[from] += b;
    if (isControl(msg)) {
      this.cMsgs[from]++;
      this.cBytes[from] += b;
    }
  }

  result(simulatedUs: number): TrafficResult {
    const s = Math.max(1e-9, simulatedUs / 1e6);
    const rate = (a: Float64Array): number[] => [...a].map((x) => x / s);
    return { msgsPerNodeS: dist(rate(this.msgs)), bytesPerNodeS: dist(rate(this.bytes)), controlMsgsPerNodeS: dist(rate(this.cMsgs)), controlBytesPerNodeS: dist(rate(this.cBytes)) };
  }
}
