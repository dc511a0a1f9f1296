// One node's view of the cluster (clusterState): every node's configEpoch, role, flags, ping
// bookkeeping and failure reports, and the slot table. Membership is static (all nodes met at
// creation), so nodes are array-indexed by id; a node's name is its id.
import type { ConfRecord, Topology } from "./types.js";

export class ClusterView {
  readonly n: number;
  readonly slots: number;
  /** configEpoch per node (as last heard). */
  readonly configEpoch: Float64Array;
  /** Primary of each node (-1: a primary). */
  readonly primaryOf: Int32Array;
  /** Slot -> owner (-1: unowned). */
  readonly owner: Int32Array;
  /** Owned slots per node (kept in step with owner). */
  readonly numSlots: Int32Array;
  readonly pfail: Uint8Array;
  /** pfail's bytes four at a time (its buffer is padded to whole words): anyPfail() reads
   * these, since every PING/PONG asks. */
  private readonly pfailWords: Uint32Array;
  readonly fail: Uint8Array;
  /** Local µs of the FAIL mark. */
  readonly failTime: Float64Array;
  /** Local µs of the pending PING (0: none), of the last PONG, of the last bus data. */
  readonly pingSent: Float64Array;
  readonly pongReceived: Float64Array;
  readonly dataReceived: Float64Array;
  /** Replication offset each node last announced. */
  readonly offset: Float64Array;
  /** Failure reports: reportTime[target * n + reporter] = local µs, NaN = none. */
  readonly reportTime: Float64Array;
  /** Reports held per target (kept in step with reportTime): clean gossip asks delReport for
   * every entry from a voting primary, and this small array answers "none" without touching
   * the n² one. */
  private readonly reportCount: Int32Array;
  /** Local µs of the last vote given for a replica of each primary (the 2T rule). */
  readonly votedTime: Float64Array;
  /** Bumped on every slot-table change (header caches). */
  version = 0;

  constructor(topo: Topology) {
    const n = topo.servers;
    this.n = n;
    this.slots = topo.slots;
    this.configEpoch = new Float64Array(n);
    this.primaryOf = Int32Array.from(topo.initialPrimaryOf);
    this.owner = Int32Array.from(topo.initialOwner);
    this.numSlots = new Int32Array(n);
    for (const o of this.owner) if (o >= 0) this.numSlots[o]++;
    const words = new Uint32Array(Math.ceil(n / 4));
    this.pfailWords = words;
    this.pfail = new Uint8Array(words.buffer, 0, n);
    this.fail = new Uint8Array(n);
    this.failTime = new Float64Array(n);
    this.pingSent = new Float64Array(n);
    // "Never": a local clock may read below 0 (an offset or a step back of an hour before a
    // restart); 0 there would mean "in the future", and the node would never ping.
    this.pongReceived = new Float64Array(n).fill(-Infinity);
    this.dataReceived = new Float64Array(n).fill(-Infinity);
    this.offset = new Float64Array(n);
    this.reportTime = new Float64Array(n * n).fill(NaN);
    this.reportCount = new Int32Array(n);
    this.votedTime = new Float64Array(n).fill(-Infinity);
  }

  /** Load a saved configuration (nodes.conf). */
  load(c: ConfRecord): void {
    this.version++;
    for (let i = 0; i < this.n; i++) {
      this.configEpoch[i] = c.configEpochs[i];
      this.primaryOf[i] = c.primaryOf[i];
    }
    this.numSlots.fill(0);
    for (let s = 0; s < this.slots; s++) {
      this.owner[s] = c.owner[s];
      if (c.owner[s] >= 0) this.numSlots[c.owner[s]]++;
    }
  }

  /** Whether any node is flagged PFAIL. */
  anyPfail(): boolean {
    const w = this.pfailWords;
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) return true;
    return false;
  }

  isPrimary(i: number): boolean {
    return this.primaryOf[i] < 0;
  }

  /** A primary that owns at least one slot: the ones that report failures and vote. */
  isVotingPrimary(i: number): boolean {
    return this.primaryOf[i] < 0 && this.numSlots[i] > 0;
  }

  /** server.cluster->size: the voting primaries. */
  size(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) if (this.isVotingPrimary(i)) s++;
    return s;
  }

  quorum(): number {
    return Math.floor(this.size() / 2) + 1;
  }

  setOwner(slot: number, node: number): void {
    const old = this.owner[slot];
    if (old === node) return;
    this.version++;
    if (old >= 0) this.numSlots[old]--;
    this.owner[slot] = node;
    if (node >= 0) this.numSlots[node]++;
  }

  slotsOf(node: number): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.slots; s++) if (this.owner[s] === node) out.push(s);
    return out;
  }

  /** clusterDelNodeSlots. */
  delSlots(node: number): void {
    for (let s = 0; s < this.slots; s++) if (this.owner[s] === node) this.setOwner(s, -1);
  }

  /** Add or refresh a report; true if it is new. */
  addReport(target: number, reporter: number, now: number): boolean {
    const k = target * this.n + reporter;
    const had = this.reportTime[k] === this.reportTime[k];
    if (!had) this.reportCount[target]++;
    this.reportTime[k] = now;
    return !had;
  }

  /** Delete a report; true if there was one. */
  delReport(target: number, reporter: number): boolean {
    if (this.reportCount[target] === 0) return false;
    const k = target * this.n + reporter;
    if (this.reportTime[k] !== this.reportTime[k]) return false;
    this.reportTime[k] = NaN;
    this.reportCount[target]--;
    return true;
  }

  /** Purge reports older than maxAge, then count them (clusterNodeFailureReportsCount). */
  countReports(target: number, now: number, maxAgeUs: number): number {
    let c = 0;
    const base = target * this.n;
    for (let r = 0; r < this.n; r++) {
      const t = this.reportTime[base + r];
      if (t !== t) continue;
      if (now - t > maxAgeUs) {
        this.reportTime[base + r] = NaN;
        this.reportCount[target]--;
      } else c++;
    }
    return c;
  }

  hasReport(target: number, reporter: number): boolean {
    const t = this.reportTime[target * this.n + reporter];
    return t === t;
  }

  conf(currentEpoch: number, lastVoteEpoch: number): ConfRecord {
    return {
      t: "conf",
      currentEpoch,
      lastVoteEpoch,
      configEpochs: Array.from(this.configEpoch),
      primaryOf: Array.from(this.primaryOf),
      owner: Array.from(this.owner),
    };
  }
}
