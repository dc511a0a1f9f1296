// A Valkey-like cluster node: the legacy cluster bus (clusterCron every C ms, PING/PONG with
// gossip, PFAIL after the node timeout, failure reports, FAIL by a majority of voting
// primaries, FAIL broadcast and clearing, the minority rule with its rejoin delay, epoch
// collision handling, UPDATE messages) and a tiny key-value store with asynchronous
// replication. The replica election and the vote are in election.ts. Pure: every effect goes
// through the NodeEnv; randomness from env.rng; time is the local clock handed in.
//
// Where the simulated transport differs from Valkey's TCP links (messages may be lost,
// duplicated, reordered): a pending PING is re-sent (Valkey frees a broken link and
// reconnects, re-sending the PING; here every 2 crons), votes are counted once per voter, and the replication
// stream is applied in offset order with a full resync on a gap.
import type { NodeId, Recovered, SimNode } from "../../node.js";
import { MonotonicTime } from "../../raft/monotonic.js";
import { Election, type ElectionHost } from "./election.js";
import type { ValkeyEnv } from "./env.js";
import { ReplicatedKv } from "./kv.js";
import { FdHost, type DetectorFactory } from "./fd-host.js";
import { GossipSection } from "./gossip-section.js";
import { Replication } from "./replication.js";
import {
  G_FAIL, G_PFAIL, keySlot, shardOf, VN,
  type BusMsg, type ConfRecord, type DataRecord, type GossipEntry, type Header, type KvRep, type KvReq,
  type Topology, type ValkeyMsg, type ValkeyOptions, type ValkeyRecord,
} from "./types.js";
import { ClusterView } from "./view.js";

const MS = 1_000;

export type { ValkeyEnv };

export class ValkeyNode implements SimNode<ValkeyMsg, KvReq>, ElectionHost {
  readonly view: ClusterView;
  kv: ReplicatedKv;
  currentEpoch = 0;
  lastVoteEpoch = 0;
  /** clusterState: writes are refused unless ok. */
  clusterOk = false;
  readonly election: Election;
  /** Timing in local µs. */
  readonly T: number;
  readonly P: number;
  readonly C: number;
  private readonly bootTime: number;
  private amongMinorityTime = -Infinity;
  /** At the last cluster-state update: fewer than a majority of voting primaries reachable. */
  inMinority = false;
  /** What the last epoch note said (an epoch note follows any input that changed them);
   * NaN: none yet. Numbers, not a string key: this runs after every input. */
  private notedEpoch = NaN;
  private notedVoteEpoch = NaN;
  private cronCount = 0;
  private nextCron: number;
  private stateDirty = true;
  private writable = false;
  private readonly lastPingSend: Float64Array;
  /** The hosted point-to-point detector, or null: the cluster bus's own PFAIL rule. */
  readonly fd: FdHost | null;
  /** Replication (replica side). */
  readonly repl: Replication;
  /** Local µs of the last message from my primary (data_age). */
  lastPrimaryData: number;
  aofDirty = false;
  private lastAofFsync = -Infinity;
  /** The clock the node's deadlines run on: the local clock with every step backwards absorbed,
   * as CLOCK_MONOTONIC would give it (FAILURE-DETECTION.md §d #5: deadlines on a wall clock
   * that steps back an hour stall for an hour). */
  private readonly clock = new MonotonicTime();
  private hdrCache: Header | null = null;
  /** What hdrCache was built from (compared field by field: header() runs for every message). */
  private hdrEpoch = NaN;
  private hdrConfigEpoch = NaN;
  private hdrPrimary = NaN;
  private hdrOffset = NaN;
  private hdrVersion = NaN;
  private readonly section: GossipSection;

  constructor(
    readonly env: ValkeyEnv,
    readonly topo: Topology,
    readonly opts: ValkeyOptions,
    recovered: Recovered<ValkeyRecord> | null,
    now: number,
    makeDetector?: DetectorFactory,
  ) {
    this.T = opts.nodeTimeoutMs * MS;
    this.P = (opts.pingIntervalMs > 0 ? opts.pingIntervalMs : opts.nodeTimeoutMs / 2) * MS;
    this.C = opts.cronMs * MS;
    this.view = new ClusterView(topo);
    this.lastPingSend = new Float64Array(topo.servers).fill(-Infinity);
    this.section = new GossipSection(topo.servers);
    const data: DataRecord[] = [];
    let conf: ConfRecord | null = null;
    let inc = 0;
    if (recovered !== null) {
      for (let i = 0; i < recovered.corruptFrom; i++) {
        const r = recovered.records[i];
        if (r.t === "conf") conf = r;
        else if (r.t === "inc") inc = Math.max(inc, r.inc);
        else data.push(r);
      }
    }
    if (conf !== null) {
      this.view.load(conf);
      this.currentEpoch = conf.currentEpoch;
      this.lastVoteEpoch = conf.lastVoteEpoch;
    }
    this.kv = ReplicatedKv.recover(data);
    this.election = new Election(this);
    this.repl = new Replication(this);
    this.fd = null;
    if (makeDetector !== undefined) {
      const members: number[] = [];
      for (let j = 0; j < topo.servers; j++) members.push(j);
      // A restart starts above every incarnation it saved (fsynced before any use matters:
      // SWIM refutes with it only after probes that take longer than the fsync).
      if (recovered !== null) inc++;
      this.fd = new FdHost(this, makeDetector(env.id, members, env.rng, now, inc));
      if (inc > 0) env.persist([{ t: "inc", inc }], true);
    }
    this.bootTime = now;
    this.clock.read(now);
    this.lastPrimaryData = now;
    this.repl.needSync = !this.isPrimary;
    this.nextCron = now + this.C;
    env.wakeAt(this.nextCron);
    env.note(VN.shard, shardOf(topo, env.id), 0);
    env.note(VN.role, this.primary, this.myConfigEpoch);
    this.noteEpochs();
  }

  /** A local clock reading on the monotonic clock (the bug wallClockDeadlines: as read). */
  private mono(local: number): number {
    return this.opts.bugs.wallClockDeadlines === true ? local : this.clock.read(local);
  }

  private noteEpochs(): void {
    if (this.currentEpoch === this.notedEpoch && this.lastVoteEpoch === this.notedVoteEpoch) return;
    this.notedEpoch = this.currentEpoch;
    this.notedVoteEpoch = this.lastVoteEpoch;
    this.env.note(VN.epoch, this.currentEpoch, this.lastVoteEpoch);
  }

  get id(): NodeId {
    return this.env.id;
  }

  get isPrimary(): boolean {
    return this.view.primaryOf[this.env.id] < 0;
  }

  /** My primary (-1: I am one). */
  get primary(): number {
    return this.view.primaryOf[this.env.id];
  }

  get myConfigEpoch(): number {
    return this.view.configEpoch[this.env.id];
  }

  /** Whether I accept writes now (primary, owns slots, cluster state ok). */
  get isWritable(): boolean {
    return this.writable;
  }

  // ---- inputs ----

  onTick(local: number): void {
    const now = this.mono(local);
    this.fd?.tick(now);
    if (now >= this.nextCron) {
      this.cron(now);
      this.nextCron = now + this.C;
    }
    this.after(now);
  }

  onMessage(from: NodeId, msg: ValkeyMsg, local: number): void {
    const now = this.mono(local);
    switch (msg.type) {
      case "repl":
      case "psync":
      case "fullsync":
        this.repl.onRepl(from, msg, now);
        break;
      case "fd":
        this.fd?.onMessage(from, msg.m, now);
        break;
      default:
        this.onBus(from, msg, now);
    }
    this.after(now);
  }

  onClient(client: number, req: KvReq, local: number): void {
    const now = this.mono(local);
    const v = this.view;
    const slot = keySlot(req.key, v.slots);
    const o = v.owner[slot];
    if (o !== this.id || !this.isPrimary) {
      this.env.reply(client, o >= 0 ? { type: "moved", id: req.id, slot, node: o } : { type: "down", id: req.id });
    } else if (!this.clusterOk) {
      this.env.reply(client, { type: "down", id: req.id });
    } else if (req.type === "get") {
      this.env.reply(client, { type: "ok", id: req.id, value: this.kv.get(req.key) });
    } else {
      const rec = this.kv.apply(req.key, req.token);
      this.env.persist([rec], false);
      this.aofDirty = true;
      const from = this.kv.offset - 1;
      const m: ValkeyMsg = { type: "repl", from, key: req.key, token: req.token };
      for (let j = 0; j < v.n; j++) if (j !== this.id && v.primaryOf[j] === this.id) this.env.send(j, m);
      this.env.reply(client, { type: "ok", id: req.id });
    }
    this.after(now);
  }

  onPersisted(token: number, local: number): void {
    const now = this.mono(local);
    this.election.onPersisted(token);
    this.after(now);
  }

  /** After every input: the cluster state if something changed it, writability, the wake-up. */
  private after(now: number): void {
    this.fd?.drain(now);
    if (this.stateDirty) this.updateState(now);
    this.noteEpochs();
    const w = this.isPrimary && this.view.numSlots[this.id] > 0 && this.clusterOk;
    if (w !== this.writable) {
      this.writable = w;
      this.env.note(VN.writable, this.firstSlot(this.id), w ? 1 : 0);
    }
    // A clock stepped backwards must not silence the cron for the size of the step.
    if (this.nextCron > now + this.C) this.nextCron = now + this.C;
    this.env.wakeAt(this.clock.toLocal(this.fd === null ? this.nextCron : this.fd.wake(now, this.nextCron)));
  }

  // ---- a hosted detector's view (fd-host.ts) ----

  fdSuspect(j: number, now: number): void {
    const v = this.view;
    if (j === this.id || v.pfail[j] !== 0 || v.fail[j] !== 0) return;
    v.pfail[j] = 1;
    this.stateDirty = true;
    this.env.note(VN.pfail, j, 1);
    if (v.size() === 1 && v.isVotingPrimary(this.id)) this.markFailingIfNeeded(j, now);
  }

  fdTrust(j: number): void {
    const v = this.view;
    if (v.pfail[j] === 0) return;
    v.pfail[j] = 0;
    this.stateDirty = true;
    this.env.note(VN.pfail, j, 0);
  }

  firstSlot(node: number): number {
    const o = this.view.owner;
    for (let s = 0; s < o.length; s++) if (o[s] === node) return s;
    return -1;
  }

  // ---- clusterCron ----

  private cron(now: number): void {
    const v = this.view;
    const me = this.id;
    this.cronCount++;
    if (this.cronCount % 10 === 0) {
      let best = -1;
      for (let k = 0; k < this.opts.randomPingSample; k++) {
        const j = this.env.rng.int(0, v.n - 1);
        if (j === me || v.pingSent[j] !== 0) continue;
        if (best < 0 || v.pongReceived[j] < v.pongReceived[best]) best = j;
      }
      if (best >= 0) this.sendPing(best, now);
    }
    for (let j = 0; j < v.n; j++) {
      if (j === me) continue;
      if (v.pingSent[j] === 0) {
        if (now - v.pongReceived[j] > this.P) this.sendPing(j, now);
        continue;
      }
      // TCP would retransmit a lost PING, and Valkey reconnects a broken link and pings on
      // connect, keeping ping_sent: a pending PING is sent again every 2 crons.
      if (now - this.lastPingSend[j] >= 2 * this.C) this.sendPing(j, now);
      const delay = Math.min(now - v.pingSent[j], now - v.dataReceived[j]);
      if (this.fd === null && delay > this.T && v.pfail[j] === 0 && v.fail[j] === 0) {
        v.pfail[j] = 1;
        this.stateDirty = true;
        this.env.note(VN.pfail, j, 1);
        if (v.size() === 1 && v.isVotingPrimary(me)) this.markFailingIfNeeded(j, now);
      }
    }
    if (this.aofDirty && now - this.lastAofFsync >= this.opts.aofFsyncMs * MS) {
      this.aofDirty = false;
      this.lastAofFsync = now;
      this.env.syncFile();
    }
    if (!this.isPrimary) {
      // Safeguard against sub-replicas (Valkey folds replication chains): my primary turned
      // replica of another node, e.g. I heard it demoted before the new owner's slot claims.
      const pp = v.primaryOf[this.primary];
      if (pp >= 0 && pp !== me && this.opts.bugs.noChainFold !== true) this.followPrimary(pp);
      this.election.handleReplicaFailover(now);
      this.repl.replicaSync(now);
    }
    this.stateDirty = true;
  }

  /** clusterUpdateState: full coverage, the minority rule, the rejoin and writable delays. */
  private updateState(now: number): void {
    this.stateDirty = false;
    const v = this.view;
    if (this.isPrimary && !this.clusterOk && now - this.bootTime < this.opts.writableDelayMs * MS) return;
    let ok = true;
    if (this.opts.requireFullCoverage) {
      for (let s = 0; s < v.slots; s++) {
        const o = v.owner[s];
        if (o < 0 || v.fail[o] !== 0) {
          ok = false;
          break;
        }
      }
    }
    let size = 0;
    let reachable = 0;
    for (let i = 0; i < v.n; i++) {
      if (!v.isVotingPrimary(i)) continue;
      size++;
      if (v.pfail[i] === 0 && v.fail[i] === 0) reachable++;
    }
    const minority = reachable < Math.floor(size / 2) + 1;
    if (minority && this.opts.bugs.noMinorityRule !== true) {
      ok = false;
      this.amongMinorityTime = now;
    }
    this.inMinority = minority;
    if (ok === this.clusterOk) return;
    const rejoin = Math.min(this.opts.maxRejoinDelayMs, Math.max(this.opts.minRejoinDelayMs, this.opts.nodeTimeoutMs)) * MS;
    if (ok && this.isPrimary && now - this.amongMinorityTime < rejoin) return;
    this.clusterOk = ok;
    this.env.note(VN.state, ok ? 1 : 0, minority ? 1 : 0);
  }

  // ---- sending ----

  header(): Header {
    const v = this.view;
    const primary = this.primary;
    const p = primary < 0 ? this.id : primary;
    const ce = v.configEpoch[p];
    const offset = this.kv.offset;
    if (this.hdrCache === null || this.hdrEpoch !== this.currentEpoch || this.hdrConfigEpoch !== ce || this.hdrPrimary !== primary || this.hdrOffset !== offset || this.hdrVersion !== v.version) {
      this.hdrEpoch = this.currentEpoch;
      this.hdrConfigEpoch = ce;
      this.hdrPrimary = primary;
      this.hdrOffset = offset;
      this.hdrVersion = v.version;
      this.hdrCache = { currentEpoch: this.currentEpoch, configEpoch: v.configEpoch[p], primaryOf: this.primary, offset: this.kv.offset, slots: v.slotsOf(p) };
    }
    return this.hdrCache;
  }

  /** Hot (every PING/PONG): GossipSection builds it without per-entry allocation. */
  private gossip(): GossipEntry[] {
    return this.section.build(this.view, this.id, this.opts.gossipMin, this.env.rng, this.opts.bugs.gossipNoPfail === true);
  }

  sendPing(to: number, now: number): void {
    if (this.view.pingSent[to] === 0) this.view.pingSent[to] = now;
    this.lastPingSend[to] = now;
    this.env.send(to, { type: "ping", hdr: this.header(), gossip: this.gossip() });
  }

  sendPong(to: number): void {
    this.env.send(to, { type: "pong", hdr: this.header(), gossip: this.gossip() });
  }

  broadcast(msg: BusMsg): void {
    for (let j = 0; j < this.view.n; j++) if (j !== this.id) this.env.send(j, msg);
  }

  broadcastPong(): void {
    for (let j = 0; j < this.view.n; j++) if (j !== this.id) this.sendPong(j);
  }

  /** Save nodes.conf (fsync when Valkey does: votes, elections, epoch bumps). */
  saveConfig(sync: boolean): number {
    return this.env.persist([this.view.conf(this.currentEpoch, this.lastVoteEpoch)], sync);
  }

  // ---- the bus (clusterProcessPacket) ----

  private onBus(from: number, msg: BusMsg, now: number): void {
    const v = this.view;
    const hdr = msg.hdr;
    v.dataReceived[from] = now;
    if (from === this.primary) this.lastPrimaryData = now;
    if (hdr.currentEpoch > this.currentEpoch) {
      this.currentEpoch = hdr.currentEpoch;
      this.saveConfig(false);
    }
    if (hdr.configEpoch > v.configEpoch[from]) v.configEpoch[from] = hdr.configEpoch;
    v.offset[from] = hdr.offset;
    if (msg.type === "ping" || msg.type === "pong") {
      if (msg.type === "ping") this.sendPong(from);
      else {
        v.pingSent[from] = 0;
        v.pongReceived[from] = now;
        if (this.fd !== null) {
          // PFAIL is the detector's; a FAIL is cleared only while the detector trusts the node.
          if (v.fail[from] !== 0 && !this.fd.suspects(from)) this.clearFailureIfNeeded(from, now);
        } else if (v.pfail[from] !== 0) {
          v.pfail[from] = 0;
          this.stateDirty = true;
          this.env.note(VN.pfail, from, 0);
        } else if (v.fail[from] !== 0) this.clearFailureIfNeeded(from, now);
      }
      this.updateRole(from, hdr);
      this.updateSlots(from, hdr);
      if (hdr.primaryOf < 0 && this.isPrimary && hdr.configEpoch === this.myConfigEpoch) this.epochCollision(from);
      this.processGossip(from, msg.gossip, now);
      return;
    }
    switch (msg.type) {
      case "fail": {
        const q = msg.node;
        if (q !== this.id && v.fail[q] === 0) {
          v.fail[q] = 1;
          v.failTime[q] = now;
          v.pfail[q] = 0;
          this.stateDirty = true;
          this.env.note(VN.fail, q, 2);
        }
        break;
      }
      case "authReq":
        this.election.maybeVote(from, hdr, now);
        break;
      case "authAck":
        this.election.onAck(from, hdr, now);
        break;
      case "update":
        // clusterProcessPacket UPDATE: about the node that now owns the slots.
        if (msg.node === this.id || v.configEpoch[msg.node] >= msg.configEpoch) break;
        if (v.primaryOf[msg.node] >= 0) v.primaryOf[msg.node] = -1;
        v.configEpoch[msg.node] = msg.configEpoch;
        this.updateSlotsWith(msg.node, msg.configEpoch, msg.slots);
        break;
    }
  }

  private updateRole(from: number, hdr: Header): void {
    const v = this.view;
    if (hdr.primaryOf < 0) {
      if (v.primaryOf[from] >= 0) {
        v.primaryOf[from] = -1;
        this.stateDirty = true;
      }
      return;
    }
    if (v.primaryOf[from] < 0) {
      v.delSlots(from);
      this.stateDirty = true;
    }
    v.primaryOf[from] = hdr.primaryOf;
  }

  /** The sender's slot claims, and an UPDATE for it when it claims slots of a newer owner. */
  private updateSlots(from: number, hdr: Header): void {
    const v = this.view;
    const claimer = hdr.primaryOf < 0 ? from : hdr.primaryOf;
    if (claimer === this.id && hdr.primaryOf >= 0) return;
    let dirty = false;
    for (const s of hdr.slots) if (v.owner[s] !== claimer) dirty = true;
    if (!dirty) return;
    if (hdr.primaryOf < 0) this.updateSlotsWith(from, hdr.configEpoch, hdr.slots);
    for (const s of hdr.slots) {
      const o = v.owner[s];
      if (o === from || o < 0) continue;
      if (v.configEpoch[o] > hdr.configEpoch) {
        this.env.send(from, { type: "update", hdr: this.header(), node: o, configEpoch: v.configEpoch[o], slots: v.slotsOf(o) });
        break;
      }
    }
  }

  /** clusterUpdateSlotsConfigWith: take the claimed slots whose owner has an older configEpoch;
   * if my primary (or I) lost every slot to the sender, follow it as a replica. */
  private updateSlotsWith(sender: number, senderConfigEpoch: number, slots: readonly number[]): void {
    const v = this.view;
    if (sender === this.id) return;
    const curPrimary = this.isPrimary ? this.id : this.primary;
    let newPrimary = -1;
    for (const s of slots) {
      const o = v.owner[s];
      if (o === sender) continue;
      if (o < 0 || v.configEpoch[o] < senderConfigEpoch) {
        if (o === curPrimary && o >= 0) newPrimary = sender;
        v.setOwner(s, sender);
        this.stateDirty = true;
      }
    }
    if (newPrimary >= 0 && curPrimary >= 0 && v.numSlots[curPrimary] === 0) this.followPrimary(newPrimary);
  }

  /** clusterSetPrimary: become (or stay) a replica of `p`; a full sync follows. */
  followPrimary(p: number): void {
    const v = this.view;
    if (v.primaryOf[this.id] === p) return;
    if (this.isPrimary) v.delSlots(this.id);
    v.primaryOf[this.id] = p;
    this.repl.resync();
    this.election.reset();
    this.stateDirty = true;
    this.saveConfig(true);
    this.env.note(VN.role, p, this.myConfigEpoch);
  }

  /** Won an election: configEpoch = its epoch, the old primary's slots, a PONG to everyone. */
  takeOver(oldPrimary: number, epoch: number, rank: number): void {
    const v = this.view;
    const me = this.id;
    if (v.configEpoch[me] < epoch) v.configEpoch[me] = epoch;
    v.primaryOf[me] = -1;
    for (let s = 0; s < v.slots; s++) if (v.owner[s] === oldPrimary) v.setOwner(s, me);
    this.repl.needSync = false;
    this.stateDirty = true;
    this.saveConfig(true);
    this.env.note(VN.win, epoch, rank);
    this.env.note(VN.role, -1, v.configEpoch[me]);
    this.broadcastPong();
  }

  private epochCollision(from: number): void {
    if (this.opts.bugs.noEpochCollision === true) return;
    if (from <= this.id) return; // only the node with the smaller name moves
    this.currentEpoch++;
    this.view.configEpoch[this.id] = this.currentEpoch;
    this.saveConfig(true);
    this.env.note(VN.collision, this.currentEpoch, from);
  }

  private processGossip(from: number, gossip: readonly GossipEntry[], now: number): void {
    const v = this.view;
    const counts = this.opts.bugs.countReplicaReports === true || v.isVotingPrimary(from);
    if (!counts) return;
    for (const e of gossip) {
      const q = e.node;
      if (q === this.id) continue;
      if ((e.flags & (G_PFAIL | G_FAIL)) !== 0 || this.opts.bugs.reportsIgnoreFlags === true) {
        v.addReport(q, from, now);
        this.env.note(VN.report, q, from);
        this.markFailingIfNeeded(q, now);
      } else if (v.delReport(q, from)) {
        this.env.note(VN.reportDel, q, from);
      }
    }
  }

  /** markNodeAsFailingIfNeeded: PFAIL plus a majority of voting primaries (me included). */
  markFailingIfNeeded(q: number, now: number): void {
    const v = this.view;
    if (v.pfail[q] === 0 || v.fail[q] !== 0) return;
    const ttl = this.opts.bugs.reportsNeverExpire === true ? Infinity : this.opts.failReportValidityMult * this.T;
    let failures = v.countReports(q, now, ttl);
    if (v.isVotingPrimary(this.id) || this.opts.bugs.replicaCountsItself === true) failures++;
    if (failures < v.quorum()) return;
    v.fail[q] = 1;
    v.failTime[q] = now;
    v.pfail[q] = 0;
    this.stateDirty = true;
    this.env.note(VN.fail, q, 1);
    this.broadcast({ type: "fail", hdr: this.header(), node: q });
  }

  /** clearNodeFailureIfNeeded (on a PONG from a FAIL node). */
  private clearFailureIfNeeded(q: number, now: number): void {
    const v = this.view;
    const undo = now - v.failTime[q] > this.opts.failUndoTimeMult * this.T;
    if (this.opts.bugs.replicaFailSticks === true && !v.isVotingPrimary(q)) return;
    if (this.opts.bugs.primaryFailSticks === true && v.isVotingPrimary(q)) return;
    if (!v.isPrimary(q) || v.numSlots[q] === 0 || undo) {
      v.fail[q] = 0;
      this.stateDirty = true;
      this.env.note(VN.fail, q, 0);
    }
  }
}
