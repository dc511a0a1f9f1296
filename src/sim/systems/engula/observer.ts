// The engula system's online checks, run after every event of the world (the style of
// src/sim/systems/failover/observer.ts), and its measurements.
//
// P-C1 bounded detection across control-plane leader changes (FAILURE-DETECTION.md §e R2): a
// node down since t_crash must be dead in the view of every control unit that has been in
// office at least one heartbeat timeout (its takeover grace), once the true time passes
// t_crash + B, B = liveness threshold + heartbeat interval + heartbeat timeout + one
// leader-change allowance. Only joined nodes the unit knows of count, only up units judge.
//
// No quorum lost through a cure: for each data group, the voters of its latest committed
// configuration that are up must form a quorum unless the configuration before it would have
// lost its quorum to the same faults too. Only removals are blamed (an addition's new voter is
// a fault's victim like any other): this is the "faults alone took it" counterfactual.
//
// Measured: detection time per crash (crash to the first control unit's "dead" note), cure
// commands carried out, quorum losses (transitions into "no live quorum") and unavailability
// (total group-time without a live quorum of the committed configuration).
import { EngulaNote } from "../../../impl/engula/types.js";
import type { EngulaNode } from "../../../impl/engula/node.js";
import { NodeStatus } from "../../kernel/world.js";
import { CheckFailure, type AnyWorld } from "../../runner/system.js";
import { sameSet } from "../../../util/sets.js";

export interface ObserverParams {
  readonly servers: number;
  readonly groups: number;
  readonly boundUs: number;
  readonly graceUs: number;
}

/** Whether the voters that are up form a quorum. */
export function hasLiveQuorum(voters: readonly number[], up: (n: number) => boolean): boolean {
  let alive = 0;
  for (const v of voters) if (up(v)) alive++;
  return alive >= Math.floor(voters.length / 2) + 1;
}

/** The quorum-loss verdict for one group at one instant: a message when the latest committed
 * configuration lost its live quorum through a removal the previous one would have survived. */
export function blameCure(prev: readonly number[] | null, cur: readonly number[], up: (n: number) => boolean): string | null {
  if (prev === null || cur.length === 0 || hasLiveQuorum(cur, up)) return null;
  const removal = cur.length < prev.length && cur.every((v) => prev.includes(v));
  if (!removal || !hasLiveQuorum(prev, up)) return null;
  const removed = prev.filter((v) => !cur.includes(v));
  return `voters [${cur.join(",")}] have no live quorum, while [${prev.join(",")}] before the removal of ${removed.join(",")} would have`;
}

export class EngulaObserver {
  private readonly crashAt: number[];
  private readonly cuSeen: (object | null)[];
  private readonly cuSince: number[];
  /** Per data group: its committed voter configurations, oldest first (the last two kept). */
  private readonly configs: (readonly number[])[][];
  private readonly lostSince: number[];
  /** Per node: true time its crash was first seen dead by a control unit (detection). */
  private readonly detected: boolean[];
  readonly tdUs: number[] = [];
  quorumLosses = 0;
  unavailableUs = 0;
  cures = 0;
  controlUnitChanges = 0;
  checkedDetections = 0;
  private world: AnyWorld | null = null;

  constructor(private readonly p: ObserverParams) {
    const N = p.servers;
    this.crashAt = new Array<number>(N).fill(-1);
    this.cuSeen = new Array<object | null>(N).fill(null);
    this.cuSince = new Array<number>(N).fill(0);
    this.detected = new Array<boolean>(N).fill(false);
    this.configs = [];
    for (let g = 0; g <= p.groups; g++) this.configs.push([]);
    this.lostSince = new Array<number>(p.groups + 1).fill(-1);
  }

  attach(w: AnyWorld): void {
    this.world = w;
  }

  onCrash(id: number): void {
    const w = this.world!;
    this.crashAt[id] = w.now;
    this.detected[id] = false;
  }

  onNote(id: number, code: number, a: number, b: number): void {
    const w = this.world;
    if (w === null) return;
    if (code === EngulaNote.liveness && b === 1 && this.crashAt[a] >= 0 && !this.detected[a] && w.status[a] === NodeStatus.down) {
      this.detected[a] = true;
      this.tdUs.push(w.now - this.crashAt[a]);
    }
    if (code === EngulaNote.cure) this.cures++;
    void id;
  }

  afterEvent(w: AnyWorld): void {
    const N = this.p.servers;
    for (let i = 0; i < N; i++) if (w.status[i] !== NodeStatus.down && this.crashAt[i] >= 0) this.crashAt[i] = -1;
    for (let i = 0; i < N; i++) {
      const n = w.nodes[i] as EngulaNode | null;
      const cu = n === null ? null : n.cu;
      if (cu !== this.cuSeen[i]) {
        this.cuSeen[i] = cu;
        this.cuSince[i] = w.now;
        if (cu !== null) this.controlUnitChanges++;
      }
    }
    this.checkDetection(w);
    for (let g = 1; g <= this.p.groups; g++) this.checkGroup(w, g);
  }

  private checkDetection(w: AnyWorld): void {
    const N = this.p.servers;
    for (let x = 0; x < N; x++) {
      const tc = this.crashAt[x];
      if (tc < 0 || w.status[x] !== NodeStatus.down || w.now <= tc + this.p.boundUs) continue;
      for (let l = 0; l < N; l++) {
        const node = w.nodes[l] as EngulaNode | null;
        if (node === null || node.cu === null || w.status[l] !== NodeStatus.up) continue;
        if (w.now <= this.cuSince[l] + this.p.graceUs || !node.universe.nodes.includes(x)) continue;
        this.checkedDetections++;
        if (!node.liveness.isDead(x, w.localNow(l))) {
          throw new CheckFailure(`P-C1: node ${x} down since t=${us(tc)} is still alive in control unit ${l}'s view at t=${us(w.now)} (bound ${us(this.p.boundUs)} after the crash; unit in office since t=${us(this.cuSince[l])})`, w.now);
        }
      }
    }
  }

  private checkGroup(w: AnyWorld, g: number): void {
    // The committed configuration: at the highest commit index any live replica knows.
    let best = -1;
    let voters: readonly number[] | null = null;
    for (let i = 0; i < this.p.servers; i++) {
      const n = w.nodes[i] as EngulaNode | null;
      const r = n?.host.get(g);
      if (r === undefined || r.commitIndex() <= best) continue;
      // A replica created on a first message knows no configuration until the entry that
      // added it (its initial one is empty): it cannot say which voters were committed.
      const vs = r.votersAt(r.commitIndex());
      if (vs.length === 0) continue;
      best = r.commitIndex();
      voters = vs;
    }
    if (voters === null) return;
    const hist = this.configs[g]!;
    const last = hist.length > 0 ? hist[hist.length - 1]! : null;
    if (last === null || !sameSet(last, voters)) {
      hist.push([...voters]);
      if (hist.length > 2) hist.shift();
    }
    const up = (v: number) => w.status[v] === NodeStatus.up;
    const cur = hist[hist.length - 1]!;
    const live = hasLiveQuorum(cur, up);
    if (!live && this.lostSince[g] < 0) {
      this.lostSince[g] = w.now;
      this.quorumLosses++;
    } else if (live && this.lostSince[g] >= 0) {
      this.unavailableUs += w.now - this.lostSince[g];
      this.lostSince[g] = -1;
    }
    const why = blameCure(hist.length > 1 ? hist[0]! : null, cur, up);
    if (why !== null) throw new CheckFailure(`cure-quorum: group ${g}: ${why} (t=${us(w.now)})`, w.now);
  }

  finish(now: number): void {
    for (let g = 1; g <= this.p.groups; g++) {
      if (this.lostSince[g] >= 0) this.unavailableUs += now - this.lostSince[g];
      this.lostSince[g] = -1;
    }
  }
}


function us(t: number): string {
  return `${(t / 1e6).toFixed(3)}s`;
}

