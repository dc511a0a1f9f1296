// The control unit: what the root group's leader runs (or the first node, when the root group
// has one voter — the seed's "one control unit controls everything"). It heartbeats every
// joined node each interval (Engula: liveness_threshold 30 s - heartbeat_timeout 4 s = 26 s),
// counts an answer within the heartbeat timeout as a success, keeps the liveness table, pulls
// group statuses from the answers (piggybacked, as Engula's heartbeat carries replica states)
// and cures groups (cure.ts). Its state lives only while it leads; the universe and the
// liveness checkpoints live in the root group.
import type { NodeId } from "../node.js";
import { nextCure } from "./cure.js";
import type { LivenessTable } from "./liveness.js";
import type { ConfView, CureChange, EngulaOptions, GroupStatus } from "./types.js";

export interface ControlEffects {
  sendHeartbeat(to: NodeId, seq: number): void;
  sendCure(to: NodeId, g: number, change: CureChange, expect: ConfView, now: number): void;
  proposeCheckpoint(nodes: readonly NodeId[], remainingUs: readonly number[], now: number): void;
  note(code: number, a: number, b: number): void;
  /** This node's own replicas' status (the unit does not heartbeat itself). */
  ownStatus(): readonly GroupStatus[];
}

interface GroupView {
  readonly from: NodeId;
  readonly status: GroupStatus;
}

export class ControlUnit {
  private seq = 0;
  private readonly inflight = new Map<number, { readonly node: NodeId; readonly sentAt: number }>();
  private nextRound: number;
  private readonly views = new Map<number, GroupView>();
  private readonly replacing = new Map<number, NodeId>();
  /** Per group: local time of the last cure command, so one is not repeated every event. */
  private readonly lastCure = new Map<number, number>();
  /** Dead per node as last noted (for the trace). */
  private readonly notedDead = new Set<NodeId>();
  /** Per group: since when the leader has reported a learner (a promotion to wait for). */
  private readonly learnerSince = new Map<number, number>();
  private readonly lastNudge = new Map<number, number>();
  /** Cure commands sent (metrics). */
  cures = 0;

  constructor(
    readonly self: NodeId,
    readonly term: number,
    private readonly o: EngulaOptions,
    readonly liveness: LivenessTable,
    private readonly fx: ControlEffects,
    now: number,
  ) {
    this.nextRound = now; // a heartbeat round at once: the takeover grace is one timeout
  }

  /** The next local time this unit needs a tick. */
  wake(now: number): number {
    let at = this.nextRound;
    for (const p of this.inflight.values()) if (p.sentAt + this.o.heartbeatTimeoutUs < at) at = p.sentAt + this.o.heartbeatTimeoutUs;
    // Just past the next expiry: a death is noticed (and cured) when it happens.
    const e = this.liveness.nextExpiry(now) + 1;
    return e < at ? e : at;
  }

  tick(nodes: readonly NodeId[], now: number): void {
    for (const [seq, p] of this.inflight) if (now - p.sentAt >= this.o.heartbeatTimeoutUs) this.inflight.delete(seq);
    if (now >= this.nextRound) {
      this.nextRound = now + this.o.heartbeatIntervalUs;
      for (const n of nodes) this.liveness.know(n, now);
      for (const n of nodes) {
        if (n === this.self) {
          this.liveness.success(n, now);
          this.onReport(n, this.fx.ownStatus(), nodes, now);
          continue;
        }
        const seq = ++this.seq;
        this.inflight.set(seq, { node: n, sentAt: now });
        this.fx.sendHeartbeat(n, seq);
      }
      const known = this.liveness.known();
      this.fx.proposeCheckpoint(known, this.liveness.remaining(known, now), now);
    }
    this.noteLiveness(nodes, now);
    this.cure(nodes, now);
  }

  onHeartbeatResponse(from: NodeId, seq: number, groups: readonly GroupStatus[], nodes: readonly NodeId[], now: number): void {
    const p = this.inflight.get(seq);
    if (p !== undefined && p.node === from) {
      this.inflight.delete(seq);
      if (now - p.sentAt <= this.o.heartbeatTimeoutUs) this.liveness.success(from, now);
    }
    this.onReport(from, groups, nodes, now);
  }

  onReport(from: NodeId, groups: readonly GroupStatus[], nodes: readonly NodeId[], now: number): void {
    for (const s of groups) {
      if (!s.leader) continue;
      const v = this.views.get(s.g);
      if (v === undefined || s.term >= v.status.term) {
        if (v === undefined || !sameStatus(v.status, s)) this.lastCure.delete(s.g);
        this.views.set(s.g, { from, status: s });
        if (s.learners.length === 0) this.learnerSince.delete(s.g);
        else if (!this.learnerSince.has(s.g)) this.learnerSince.set(s.g, now);
      }
    }
    this.cure(nodes, now);
  }

  /** The groups as last reported (tests, inspection). */
  groupViews(): ReadonlyMap<number, { readonly from: NodeId; readonly status: GroupStatus }> {
    return this.views;
  }

  private load(n: NodeId): number {
    let c = 0;
    for (const v of this.views.values()) if (v.status.voters.includes(n) || v.status.learners.includes(n)) c++;
    return c;
  }

  private cure(nodes: readonly NodeId[], now: number): void {
    for (const g of [...this.views.keys()].sort((a, b) => a - b)) {
      const v = this.views.get(g)!;
      const last = this.lastCure.get(g);
      // A command already sent for this status: wait for the leader's next report (or retry
      // after a heartbeat interval, in case the command or the report was lost).
      if (last !== undefined && now - last < this.o.heartbeatIntervalUs) continue;
      const ch = nextCure({
        status: v.status,
        replicas: this.o.replicas,
        isDead: (n) => this.liveness.isDead(n, now),
        nodes,
        load: (n) => this.load(n),
        replacing: this.replacing.get(g) ?? -1,
        removeBeforeAdd: this.o.bugs.removeBeforeAdd === true,
      });
      if (ch === null) {
        // A learner not promoted within a heartbeat timeout: nudge the leader (see CureChange).
        if (v.status.learners.length > 0 && now - (this.learnerSince.get(g) ?? now) >= this.o.heartbeatTimeoutUs && !(now - (this.lastNudge.get(g) ?? -Infinity) < this.o.heartbeatTimeoutUs)) {
          this.lastNudge.set(g, now);
          this.fx.sendCure(v.from, g, { kind: "nudge", node: v.status.learners[0]! }, v.status, now);
        }
        continue;
      }
      if (ch.kind === "add-learner") {
        const dead = v.status.voters.find((x) => this.liveness.isDead(x, now));
        if (dead !== undefined) this.replacing.set(g, dead);
      } else if (this.replacing.get(g) === ch.node) this.replacing.delete(g);
      this.lastCure.set(g, now);
      this.cures++;
      this.fx.sendCure(v.from, g, ch, v.status, now);
    }
  }

  private noteLiveness(nodes: readonly NodeId[], now: number): void {
    for (const n of nodes) {
      const dead = this.liveness.isDead(n, now);
      if (dead === this.notedDead.has(n)) continue;
      if (dead) this.notedDead.add(n);
      else this.notedDead.delete(n);
      this.fx.note(3, n, dead ? 1 : 0);
    }
  }
}

function sameStatus(a: GroupStatus, b: GroupStatus): boolean {
  return a.term === b.term && a.pending === b.pending && a.voters.join() === b.voters.join() && a.learners.join() === b.learners.join();
}
