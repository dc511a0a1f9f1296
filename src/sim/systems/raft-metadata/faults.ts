// raft-metadata's own fault kinds and swarm families: protocol-timed cuts of the leader
// ("isolate-leader-on", the "timed" family) and operator membership changes ("member-*", the
// "membership" family), a cut of the leader from its peers only ("depose-leader", the "deposed"
// family) and bursts of leadership transfers ("leader-churn-on", the "leader-churn" family).
// Their trace codes are reserved in src/sim/faults/codes.ts (21, 24-31).
import type { FaultAction, FaultArgs, SwarmFamily, SystemFault } from "../../faults/index.js";
import type { NodeId } from "../../../impl/node.js";
import { RaftNote, RoleCode } from "../../../impl/raft/api.js";
import type { World } from "../../kernel/world.js";
import type { MetaServer } from "../../../impl/metadata/server.js";
import { MS } from "../../../util/time.js";
import { WINDOW_FAULT_KINDS, WindowFaults, type WindowFault } from "./window-faults.js";

type AnyWorld = World<any, any, any, any>;


export type LeaderEvent = "elected" | "first-commit";

export type RaftFault =
  /** Armed at `at` for `times` firings. Each firing waits for a leader to be elected, or to
   * make the first commit of its term (when earlier terms' entries get committed), and cuts
   * that leader off at once — messages it sent in that step are still in flight and die on
   * the cut link — then reconnects it after durationUs. The first firing waits for `event`,
   * later ones for an event drawn at random. Protocol-timed faults reach windows that
   * clock-timed ones almost never hit: Figure 8 needs two in a row. */
  | { readonly at: number; readonly kind: "isolate-leader-on"; readonly event: LeaderEvent; readonly durationUs: number; readonly times: number }
  // ---- membership (operator actions, issued to the servers, never through the client history)
  /** The node joins the universe through `via` (any server; a non-leader redirects it to the
   * leader, who adds it as a learner and promotes it once caught up). Until the leader lists
   * it as a member the operator retries every 250 ms, `tries` times in all (through a random
   * server after the first). */
  | { readonly at: number; readonly kind: "member-add"; readonly node: number; readonly via: number; readonly tries: number }
  /** The current leader removes `node` (voter or learner); readdUs > 0: the operator re-adds
   * it that much later (member-add through a random server). */
  | { readonly at: number; readonly kind: "member-remove"; readonly node: number; readonly readdUs: number }
  /** The current leader removes itself (it steps down once that configuration commits). */
  | { readonly at: number; readonly kind: "member-remove-leader"; readonly readdUs: number }
  /** Protocol-timed churn, like isolate-leader-on: armed for `times` firings; each waits for a
   * leader to be elected (or to make its term's first commit) and at once asks it for one or
   * two configuration changes (remove a voter, promote a learner, remove itself), then cuts
   * it off — alone or with one other voter — for about durationUs. Removed servers are
   * re-added later. This is where a leader's change races an earlier leader's change. */
  | { readonly at: number; readonly kind: "member-churn-on"; readonly event: LeaderEvent; readonly durationUs: number; readonly times: number }
  /** One churn step on the current leader now (what member-churn-on fires). */
  | { readonly at: number; readonly kind: "member-churn"; readonly durationUs: number }
  // ---- deposed leaders and leader churn
  /** Cut the current leader off from the other servers — but not from the clients — for
   * durationUs. The others elect a new leader; the old one, with CheckQuorum off, still
   * believes it leads and its clients keep talking to it. */
  | { readonly at: number; readonly kind: "depose-leader"; readonly durationUs: number }
  /** Protocol-timed leader churn: armed for `times` firings, each asks the leader of the moment
   * to hand leadership to another voter (TimeoutNow: the target campaigns at once), the first
   * on the current leader, the rest as each next leader is elected (or, with event
   * "first-commit", makes its first commit).
   * Each transfer takes a few round trips, so several leaders follow each other within one
   * election timeout — and state carried across terms (progress, read acknowledgements,
   * leases) meets its successors. */
  | { readonly at: number; readonly kind: "leader-churn-on"; readonly event: LeaderEvent; readonly times: number }
  /** One leadership transfer from the current leader to a random other voter, now. */
  | { readonly at: number; readonly kind: "transfer-leader" }
  /** A leader change in the middle of a configuration change: the current leader is asked for
   * one change (promote a learner, remove a voter or a learner) and at once hands leadership to
   * a random other voter, which campaigns before the change can commit; removed servers are
   * re-added readdUs later. */
  | { readonly at: number; readonly kind: "member-change-transfer"; readonly readdUs: number }
  | WindowFault;

export const RAFT_FAULT_KINDS: readonly RaftFault["kind"][] = ["isolate-leader-on", "member-add", "member-remove", "member-remove-leader", "member-churn-on", "member-churn", "depose-leader", "leader-churn-on", "transfer-leader", "member-change-transfer", ...WINDOW_FAULT_KINDS];

/** What the operator is asked to do (see RaftFaultDriver.operator). */
export type MembershipOp =
  | { readonly kind: "add"; readonly node: number; readonly via: number }
  | { readonly kind: "remove"; readonly node: number }
  | { readonly kind: "remove-leader" }
  | { readonly kind: "churn" }
  | { readonly kind: "change" };

/** done: add — the node is a member in the leader's configuration; others — a change was
 * proposed. removed: servers a change removed. cut: servers to cut off together (churn). */
export interface MembershipOutcome {
  readonly done: boolean;
  readonly leader: number;
  readonly removed: readonly number[];
  readonly cut: readonly number[];
}

/** How a run's servers start: servers 0..initialVoters-1 are the initial voters — or, with
 * bootstrap, server 0 alone bootstraps the universe and 1..initialVoters-1 join it at the
 * start — and the rest are spares that start outside the configuration with empty disks,
 * waiting to join. */
export interface MembershipSetup {
  readonly initialVoters: number;
  readonly bootstrap: boolean;
}

// ---- swarm families ------------------------------------------------------------------------

export const timedFamily: SwarmFamily = {
  name: "timed",
  draw: "coin",
  // Protocol-timed isolation of leaders, in bursts. Cuts last on the order of an election, so
  // a cut leader is back while the cluster is still settling — which is when a stale leader's
  // log can matter.
  generate(r, { emit, episodes }) {
    episodes((at) =>
      emit({ at, kind: "isolate-leader-on", event: r.chance(0.5) ? "elected" : "first-commit", durationUs: r.int(100 * MS, 800 * MS), times: r.int(1, 8) } satisfies RaftFault),
    );
  },
};

/** Drawn from a stream of its own (in 30% of the seeds whose pool has it), so the other
 * families' draws are exactly what they were before it existed. */
export const membershipFamily: SwarmFamily = {
  name: "membership",
  draw: { p: 0.3 },
  // Spares outside the configuration (0-2), sometimes a bootstrapped universe; spares join at
  // random times; episodes remove a voter or the leader and re-add it later, or arm
  // protocol-timed churn right after elections / first commits.
  generate(r, { servers: N, start, span, emit, episodes, dur, setExtra }) {
    const spares = N >= 3 ? r.int(0, 2) : 0;
    setExtra("membership", { initialVoters: N - spares, bootstrap: r.chance(0.25) } satisfies MembershipSetup);
    for (let node = N - spares; node < N; node++) {
      emit({ at: start + Math.round(r.exponential(span / 4)), kind: "member-add", node, via: r.int(0, N - spares - 1), tries: 40 } satisfies RaftFault);
    }
    episodes((at) => {
      const what = r.int(0, 3);
      if (what === 0) emit({ at, kind: "member-remove", node: r.int(0, N - 1), readdUs: dur() } satisfies RaftFault);
      else if (what === 1) emit({ at, kind: "member-remove-leader", readdUs: dur() } satisfies RaftFault);
      else emit({ at, kind: "member-churn-on", event: what === 2 ? "elected" : "first-commit", durationUs: r.int(100 * MS, 800 * MS), times: r.int(1, 6) } satisfies RaftFault);
    });
  },
};

/** Drawn from a stream of its own (20%): membership changes raced by leader changes. One spare
 * server in half of these seeds (it joins as a learner and is promoted once caught up), then
 * episodes that ask the leader for a change and hand leadership away at once. Listed before
 * "membership", so a seed that draws both starts as "membership" says (its setExtra wins). */
export const membershipRaceFamily: SwarmFamily = {
  name: "membership-race",
  draw: { p: 0.2 },
  generate(r, { servers: N, start, span, emit, episodes, dur, setExtra }) {
    const spares = N >= 4 && r.chance(0.5) ? 1 : 0;
    setExtra("membership", { initialVoters: N - spares, bootstrap: false } satisfies MembershipSetup);
    if (spares > 0) emit({ at: start + Math.round(r.exponential(span / 4)), kind: "member-add", node: N - 1, via: r.int(0, N - 2), tries: 40 } satisfies RaftFault);
    episodes((at) => emit({ at, kind: "member-change-transfer", readdUs: dur() } satisfies RaftFault));
  },
};

/** Drawn from a stream of its own (35% of the seeds whose pool has it): the leader is cut off
 * from its peers but not from its clients, for a fifth of a second to three seconds. */
export const deposedFamily: SwarmFamily = {
  name: "deposed",
  draw: { p: 0.35 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "depose-leader", durationUs: r.int(200 * MS, 3000 * MS) } satisfies RaftFault));
  },
};

/** Drawn from a stream of its own (30%): bursts of two to five leadership transfers in a row. */
export const leaderChurnFamily: SwarmFamily = {
  name: "leader-churn",
  draw: { p: 0.3 },
  generate(r, { emit, episodes }) {
    episodes((at) => emit({ at, kind: "leader-churn-on", event: r.chance(0.7) ? "elected" : "first-commit", times: r.int(2, 5) } satisfies RaftFault));
  },
};

// ---- the leader tracker, protocol triggers and the executor of the kinds above ---------------

/** A burst of faults fired on protocol events. */
interface ProtocolTrigger {
  event: LeaderEvent;
  remaining: number;
  faults: (leader: NodeId) => FaultAction[];
  /** Every firing waits for the event it was armed with (default: later ones draw it). */
  fixedEvent?: boolean;
}

/** Follows leadership from the nodes' role and commit notes (what the target "leader" means),
 * fires protocol-timed faults, and executes Raft's own fault kinds. One per run. */
export class RaftFaultDriver {
  /** The node that most recently announced itself leader of the highest term seen, or -1. */
  leader = -1;
  private leaderTerm = -1;
  /** Armed protocol-timed faults: slot 0 cuts ("isolate-leader-on"), slot 1 membership churn
   * ("member-churn-on"), slot 2 leadership transfers ("leader-churn-on"); one of each at a
   * time, fired in slot order. */
  private readonly triggers: (ProtocolTrigger | null)[] = [null, null, null];
  /** The current leader has not committed anything in its term yet. */
  private leaderFresh = false;
  private w!: AnyWorld;
  /** Crashes, restores and leader changes timed on protocol windows (window-faults.ts). */
  readonly windows = new WindowFaults({
    leader: () => this.leader,
    transferLeader: (w) => {
      const l = this.leader;
      const to = this.transferLeader(w);
      if (this.onWindowTransfer !== null) this.onWindowTransfer(w, l, to);
      return to;
    },
  });
  /** Told when a window fault asks the leader (`leader`, -1: none) to transfer to `target` (-1:
   * none taken) from inside an event (snapshot-cut-on's "transfer", on a chunk's send) rather
   * than in a fault event of its own: the transfer checks learn of a request there (system.ts). */
  onWindowTransfer: ((w: AnyWorld, leader: number, target: number) => void) | null = null;
  /** The leader's transfer target just before the last transfer request (-1: none): a request
   * for the target it is already transferring to starts nothing (raft.ts transferLeadership). */
  transferBefore = -1;

  /** operator: membership actions through the current leader (null: the run has none). */
  constructor(private readonly operator: ((w: AnyWorld, op: MembershipOp) => MembershipOutcome) | null) {}

  attach(w: AnyWorld): void {
    this.w = w;
    this.windows.attach(w);
  }

  /** World hook: a node's note (after it is traced). */
  onNote(id: NodeId, code: number, a: number, b: number): void {
    if (code === RaftNote.role) {
      if (a === RoleCode.leader && b >= this.leaderTerm) {
        this.leader = id;
        this.leaderTerm = b;
        this.leaderFresh = true;
        this.fireTriggers("elected", id);
      } else if (id === this.leader && a !== RoleCode.leader) this.leader = -1;
    } else if (code === RaftNote.commit && id === this.leader && this.leaderFresh) {
      this.leaderFresh = false;
      this.fireTriggers("first-commit", id);
    }
    this.windows.onNote(id, code, a, b);
  }

  /** World hook: a node crashed (before anything else runs). */
  onCrash(id: NodeId): void {
    if (this.leader === id) this.leader = -1;
    this.windows.onCrash(id);
  }

  disarm(): void {
    this.triggers.fill(null);
    this.windows.disarm();
  }

  /** A burst of protocol-timed cuts: the leader is cut off at once, then reconnected later. */
  private armLeaderTrigger(event: LeaderEvent, durationUs: number, times: number): void {
    this.armTrigger(0, event, times + 1, (id) => {
      const d = this.w.faultRng.int(Math.ceil(durationUs / 2), Math.ceil((durationUs * 3) / 2));
      const now = this.w.sched.now;
      return [
        { at: now, kind: "isolate", node: id },
        { at: now + d, kind: "reconnect", node: id },
      ];
    });
  }

  /** A burst of protocol-timed membership churn on the leader. */
  private armMemberTrigger(event: LeaderEvent, durationUs: number, times: number): void {
    this.armTrigger(1, event, times, () => [{ at: this.w.sched.now, kind: "member-churn", durationUs } satisfies RaftFault]);
  }

  /** A burst of leadership transfers, one per new leader. */
  private armChurnTrigger(event: LeaderEvent, times: number): void {
    this.armTrigger(2, event, times, () => [{ at: this.w.sched.now, kind: "transfer-leader" } satisfies RaftFault], true);
  }

  /** The current leader hands leadership to a random other voter; returns the target (-1: no
   * leader, or no transfer started). */
  private transferLeader(w: AnyWorld): number {
    const l = this.leader;
    const n = l < 0 ? null : (w.nodes[l] as MetaServer | null);
    this.transferBefore = n === null ? -1 : n.raft.transferTarget();
    if (n === null || !w.isUp(l) || n.raft.role() !== "leader") return -1;
    const others = n.raft.voters().filter((v) => v !== l);
    if (others.length === 0) return -1;
    const to = others[w.faultRng.int(0, others.length - 1)]!;
    return n.raft.transferLeadership(to, w.localNow(l)) ? to : -1;
  }

  /** A stable leader produces no events, so a burst starts on the current leader, if any (its
   * faults force an election); later firings wait for `event`, then for random events. */
  private armTrigger(slot: number, event: LeaderEvent, remaining: number, faults: (leader: NodeId) => FaultAction[], fixedEvent = false): void {
    this.triggers[slot] = { event, remaining, faults, fixedEvent };
    if (this.leader >= 0) {
      this.fireTrigger(slot, this.leader);
      const t = this.triggers[slot];
      if (t !== null) t.event = event;
    }
  }

  /** The faults run as the next events at this instant: the step in progress (the election,
   * the commit) completes first, and what it sent is in flight. */
  private fireTrigger(slot: number, leader: NodeId): void {
    const t = this.triggers[slot]!;
    const faults = t.faults(leader); // draws its own randomness first
    t.remaining--;
    if (t.remaining <= 0) this.triggers[slot] = null;
    else if (t.fixedEvent !== true) t.event = this.w.faultRng.chance(0.5) ? "elected" : "first-commit";
    this.w.scheduleFaults(faults);
  }

  private fireTriggers(event: LeaderEvent, leader: NodeId): void {
    for (let slot = 0; slot < this.triggers.length; slot++) if (this.triggers[slot]?.event === event) this.fireTrigger(slot, leader);
  }

  /** Execute one of Raft's own kinds now; returns its trace arguments. */
  execute(w: AnyWorld, sf: SystemFault): FaultArgs {
    const f = sf as RaftFault;
    const now = w.sched.now;
    const op = this.operator;
    switch (f.kind) {
      case "isolate-leader-on":
        this.armLeaderTrigger(f.event, f.durationUs, f.times);
        return [f.event === "elected" ? 0 : 1, -1, f.durationUs | 0];
      case "member-add": {
        const r = op === null ? null : op(w, { kind: "add", node: f.node, via: f.via });
        if (r !== null && !r.done && f.tries > 1) {
          let via = w.faultRng.int(0, w.servers - 1);
          if (via === f.node) via = (via + 1) % w.servers;
          w.scheduleFaults([{ at: now + 250 * 1000, kind: "member-add", node: f.node, via, tries: f.tries - 1 } satisfies RaftFault]);
        }
        return [f.node, f.via, r === null ? -1 : r.done ? 1 : 0];
      }
      case "member-remove":
      case "member-remove-leader": {
        const r = op === null ? null : op(w, f.kind === "member-remove" ? { kind: "remove", node: f.node } : { kind: "remove-leader" });
        const a = f.kind === "member-remove" ? f.node : (r?.leader ?? -1);
        const b = r !== null && r.done ? 1 : 0;
        if (r !== null && f.readdUs > 0) readd(w, r.removed, now + f.readdUs);
        return [a, b, f.readdUs | 0];
      }
      case "member-churn-on":
        this.armMemberTrigger(f.event, f.durationUs, f.times);
        return [f.event === "elected" ? 0 : 1, -1, f.durationUs | 0];
      case "member-churn": {
        const r = op === null ? null : op(w, { kind: "churn" });
        const a = r?.leader ?? -1;
        const b = r === null ? 0 : r.removed.length;
        if (r !== null && r.cut.length > 0) {
          const d = w.faultRng.int(Math.ceil(f.durationUs / 2), Math.ceil((f.durationUs * 3) / 2));
          if (r.cut.length === 1) {
            w.net.isolate(r.cut[0]);
            w.scheduleFaults([{ at: now + d, kind: "reconnect", node: r.cut[0] }]);
          } else {
            w.net.partition(r.cut);
            w.scheduleFaults([{ at: now + d, kind: "heal" }]);
          }
          readd(w, r.removed, now + d + w.faultRng.int(0, f.durationUs));
        } else if (r !== null) readd(w, r.removed, now + f.durationUs);
        return [a, b, f.durationUs | 0];
      }
      case "depose-leader": {
        const l = this.leader;
        if (l >= 0 && w.isUp(l)) {
          w.net.partition([l]); // server links only: its clients still reach it
          w.scheduleFaults([{ at: now + f.durationUs, kind: "reconnect", node: l }]);
        }
        return [l, -1, f.durationUs | 0];
      }
      case "leader-churn-on":
        this.armChurnTrigger(f.event, f.times);
        return [f.event === "elected" ? 0 : 1, f.times, 0];
      case "transfer-leader":
        return [this.leader, this.transferLeader(w), 0];
      case "member-change-transfer": {
        const r = op === null ? null : op(w, { kind: "change" });
        const to = r !== null && r.done ? this.transferLeader(w) : -1;
        if (r !== null && f.readdUs > 0) readd(w, r.removed, now + f.readdUs);
        return [r?.leader ?? -1, to, f.readdUs | 0];
      }
      case "crash-on":
      case "restore-race":
      case "snapshot-cut-on":
        return this.windows.execute(w, f);
      default:
        throw new Error(`raft-metadata: unknown fault kind "${(f as SystemFault).kind}"`);
    }
  }
}

/** The operator re-adds removed servers later, through a random server. */
function readd(w: AnyWorld, nodes: readonly number[], at: number): void {
  for (const node of nodes) {
    let via = w.faultRng.int(0, w.servers - 1);
    if (via === node) via = (via + 1) % w.servers;
    w.scheduleFaults([{ at, kind: "member-add", node, via, tries: 40 } satisfies RaftFault]);
  }
}
