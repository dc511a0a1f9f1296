// Faults timed on the protocol's narrow windows (issue 12 part 3, gap items 2, 6 and 7). The
// clock-timed swarm almost never lands in them, and thousands of mutants of src/impl/raft
// survive because of it:
//   - "crash-on": a crash of a node right after it acknowledged (an append or a snapshot), after
//     it received an append that truncates its log, after it installed or took a snapshot, or
//     (a leader) after it advanced its commit index — each before the write behind it is
//     fsynced, so a step that answers or counts before its write is durable loses what it
//     vouched for, and ack-retained / commit-durable / recovery see it;
//   - "restore-race": a backup restore that meets a live leader of the fence term: the leader
//     and a bare quorum (the restored node one of them) are cut off from the rest, the node is
//     restored right after the leader's next commit (which it acknowledged), and as soon as its
//     commit index first advances again (catching up from that leader, so its log may still
//     lack that commit) the leader's side without it is cut off from it and the rest. A
//     restored node that unfences early (fencing.ts) then votes, and a candidate without that
//     commit can win;
//   - "snapshot-cut-on": a leader change in the middle of a chunked snapshot transfer: once a
//     leader sends a chunk past the first, it hands leadership to another voter or is cut off,
//     and the follower receives the rest from a newer leader (or a newer snapshot).
// Each is armed by a fault action and fires on what the nodes send, receive and note (the
// system's onSend / onDeliver / onNote hooks); every choice at firing time is drawn from the
// world's fault stream, so a run is as deterministic as any other.
import type { FaultArgs, SwarmFamily, SystemFault } from "../../faults/index.js";
import type { NodeId } from "../../../impl/node.js";
import { RaftNote, RoleCode } from "../../../impl/raft/api.js";
import type { RaftMessage } from "../../../impl/raft/messages.js";
import { NOTE_SNAPSHOT_INSTALLED, NOTE_SNAPSHOT_TAKEN } from "../../../impl/raft/state.js";
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";
import { MS } from "../../../util/time.js";

/** What a crash-on trigger waits for (see the header). */
export const CRASH_WINDOWS = ["ack", "truncate", "snapshot", "commit"] as const;
export type CrashWindow = (typeof CRASH_WINDOWS)[number];

/** How a snapshot-cut-on firing changes the leader: a leadership transfer, or a cut. */
export const SNAPSHOT_CUTS = ["transfer", "isolate"] as const;
export type SnapshotCut = (typeof SNAPSHOT_CUTS)[number];

export type WindowFault =
  /** Armed for `times` firings: each crashes the next node that hits window `on` (at once, or
   * within the next 3 ms: the write behind it is then still being fsynced) and restarts it
   * downUs later (±50%). */
  | { readonly at: number; readonly kind: "crash-on"; readonly on: CrashWindow; readonly downUs: number; readonly times: number }
  /** The restore race of the header, on the current leader now: cut, restore (a backup `back`
   * backups old) after its next commit, then the second cut at the restored node's first
   * commit advance (or delayUs after the restore, whichever comes first), healed cutUs later. */
  | { readonly at: number; readonly kind: "restore-race"; readonly back: number; readonly delayUs: number; readonly cutUs: number }
  /** Armed for `times` firings: a leader that sends a snapshot chunk past the first hands
   * leadership to a random other voter ("transfer") or is cut off for about cutUs ("isolate"). */
  | { readonly at: number; readonly kind: "snapshot-cut-on"; readonly how: SnapshotCut; readonly cutUs: number; readonly times: number };

export const WINDOW_FAULT_KINDS: readonly WindowFault["kind"][] = ["crash-on", "restore-race", "snapshot-cut-on"];

/** What the window faults need from the rest of the driver. */
export interface WindowContext {
  /** The node the driver tracks as leader (-1: none). */
  leader(): number;
  /** Hand leadership from the current leader to a random other voter; the target, or -1. */
  transferLeader(w: AnyWorld): number;
}

interface CrashTrigger {
  on: CrashWindow;
  downUs: number;
  remaining: number;
}

interface SnapshotTrigger {
  how: SnapshotCut;
  cutUs: number;
  remaining: number;
}

/** A restore race waiting for its leader's next commit. */
interface Race {
  readonly leader: number;
  readonly target: number;
  /** The leader's side without the restored node (cut off from it and the others in phase three). */
  readonly rest: readonly number[];
  readonly fromCommit: number;
  readonly back: number;
  readonly delayUs: number;
  readonly cutUs: number;
  /** Give up (heal) when no commit came by then. */
  readonly deadline: number;
}

/** A restore race after its restore, waiting for the restored node's first commit advance. */
interface RaceCut {
  readonly target: number;
  readonly rest: readonly number[];
  /** w.restores[target] before the restore: later notes are from the restored node. */
  readonly restores: number;
  readonly cutUs: number;
  /** Cut by then even without a commit advance. */
  readonly deadline: number;
}

export class WindowFaults {
  private crash: CrashTrigger | null = null;
  private snap: SnapshotTrigger | null = null;
  private race: Race | null = null;
  private raceCut: RaceCut | null = null;
  /** A restore race asked for while no leader was known: starts at the next election. */
  private raceWanted: (WindowFault & { kind: "restore-race" }) | null = null;
  /** Crashes fired but delayed (a few ms, the write still in flight): [crash, restart] event
   * handles, withdrawn by disarm if the crash has not happened yet. */
  private delayed: (readonly number[])[] = [];
  private w!: AnyWorld;

  constructor(private readonly ctx: WindowContext) {}

  attach(w: AnyWorld): void {
    this.w = w;
  }

  /** heal-all: nothing armed fires any more, and a crash fired but not yet happened does not
   * happen (a crash after the final heal would fall in the liveness window, which assumes
   * none). A crash that has happened keeps its restart. */
  disarm(): void {
    for (const [crash, restart] of this.delayed) if (this.w.cancelFault(crash!)) this.w.cancelFault(restart!);
    this.delayed = [];
    this.crash = null;
    this.snap = null;
    this.race = null;
    this.raceCut = null;
    this.raceWanted = null;
  }

  /** Armed triggers only: nothing to do in the common case (keeps the hooks cheap). */
  private get idle(): boolean {
    return this.crash === null && this.snap === null && this.race === null && this.raceCut === null && this.raceWanted === null;
  }

  execute(w: AnyWorld, f: WindowFault): FaultArgs {
    switch (f.kind) {
      case "crash-on":
        this.crash = { on: f.on, downUs: f.downUs, remaining: f.times };
        return [CRASH_WINDOWS.indexOf(f.on), f.times, f.downUs | 0];
      case "snapshot-cut-on":
        this.snap = { how: f.how, cutUs: f.cutUs, remaining: f.times };
        return [SNAPSHOT_CUTS.indexOf(f.how), f.times, f.cutUs | 0];
      case "restore-race":
        return this.startRace(w, f);
    }
  }

  /** Phase one: the leader and a bare quorum of its voters (the node to restore among them)
   * are cut off from the other servers; the restore waits for the leader's next commit, which
   * only that side can make. */
  private startRace(w: AnyWorld, f: WindowFault & { kind: "restore-race" }): FaultArgs {
    const l = this.ctx.leader();
    const L = l < 0 ? null : (w.nodes[l] as MetaServer | null);
    if (this.race !== null || this.raceCut !== null) return [-1, -1, 0];
    if (L === null || !w.isUp(l) || L.raft.role() !== "leader") {
      this.raceWanted = f; // no leader now: at the next election
      return [-1, -1, 0];
    }
    const voters = L.raft.voters();
    const others = voters.filter((v) => v !== l && w.isUp(v));
    const q = Math.floor(voters.length / 2) + 1;
    if (others.length < q - 1 || q < 2) return [l, -1, 0];
    const rng = w.faultRng;
    const side = [l, ...rng.shuffle(others).slice(0, q - 1)];
    const target = side[rng.int(1, side.length - 1)]!;
    w.net.partition(side);
    this.race = {
      leader: l,
      target,
      rest: side.filter((n) => n !== target),
      fromCommit: L.raft.commitIndex(),
      back: f.back,
      delayUs: f.delayUs,
      cutUs: f.cutUs,
      deadline: w.sched.now + f.cutUs,
    };
    return [l, target, f.cutUs | 0];
  }

  /** Phase two, on the leader's commit: restore the node now (the operator's policy may
   * refuse: then the cut below still comes, as a plain partition). */
  private fireRace(race: Race): void {
    this.race = null;
    const now = this.w.sched.now;
    this.raceCut = { target: race.target, rest: race.rest, restores: this.w.restores[race.target]!, cutUs: race.cutUs, deadline: now + race.delayUs };
    this.w.scheduleFaults([{ at: now, kind: "snapshot-restore", node: race.target, back: race.back }]);
  }

  /** Phase three: cut the leader's side off from the restored node and the others (which may
   * elect, with its vote if it gives one it must not); heal cutUs later. */
  private fireCut(cut: RaceCut): void {
    this.raceCut = null;
    const now = this.w.sched.now;
    // Cuts add up (Network.partition): heal the first one, then cut anew.
    this.w.scheduleFaults([
      { at: now, kind: "heal" },
      { at: now, kind: "partition-halves", side: cut.rest },
      { at: now + cut.cutUs, kind: "heal" },
    ]);
  }

  private abortRace(): void {
    this.race = null;
    this.w.scheduleFaults([{ at: this.w.sched.now, kind: "heal" }]);
  }

  /** Crash `node` now or within 3 ms (its write still in flight), restart it later. */
  private fireCrash(node: NodeId): void {
    const t = this.crash!;
    if (--t.remaining <= 0) this.crash = null;
    const rng = this.w.faultRng;
    const now = this.w.sched.now;
    const at = now + (rng.chance(0.5) ? 0 : rng.int(1, 3 * MS));
    const down = rng.int(Math.ceil(t.downUs / 2), Math.ceil((t.downUs * 3) / 2));
    const handles = this.w.scheduleFaults([
      { at, kind: "crash", node },
      { at: at + down, kind: "restart", node },
    ]);
    if (at > now) this.delayed.push(handles);
  }

  onNote(id: NodeId, code: number, a: number, b: number): void {
    if (this.idle) return;
    const wanted = this.raceWanted;
    if (wanted !== null && code === RaftNote.role && a === RoleCode.leader) {
      // Run as the next event at this instant: the election's own step completes first.
      this.raceWanted = null;
      this.w.scheduleFaults([{ ...wanted, at: this.w.sched.now }]);
    }
    const race = this.race;
    if (race !== null && code === RaftNote.commit) {
      if (this.w.sched.now > race.deadline) this.abortRace();
      else if (id === race.leader && a > race.fromCommit) this.fireRace(race);
    }
    const cut = this.raceCut;
    if (cut !== null && (this.w.sched.now >= cut.deadline || (code === RaftNote.commit && id === cut.target && this.w.restores[cut.target]! > cut.restores))) this.fireCut(cut);
    const c = this.crash;
    if (c === null) return;
    if (c.on === "snapshot" && code === RaftNote.custom && (a === NOTE_SNAPSHOT_INSTALLED || a === NOTE_SNAPSHOT_TAKEN)) this.fireCrash(id);
    else if (c.on === "commit" && code === RaftNote.commit && id === this.ctx.leader() && b > 0) this.fireCrash(id);
  }

  onCrash(id: NodeId): void {
    if (this.race !== null && this.race.leader === id) this.abortRace();
  }

  onSend(from: NodeId, msg: RaftMessage<unknown>): void {
    if (this.idle) return;
    const c = this.crash;
    if (c !== null && c.on === "ack" && ((msg.type === "appResp" && msg.success && msg.index > 0) || (msg.type === "snapResp" && msg.next < 0))) this.fireCrash(from);
    const s = this.snap;
    if (s !== null && msg.type === "snap" && msg.chunk >= 1 && from === this.ctx.leader()) {
      if (--s.remaining <= 0) this.snap = null;
      if (s.how === "transfer") this.ctx.transferLeader(this.w);
      else {
        const now = this.w.sched.now;
        const d = this.w.faultRng.int(Math.ceil(s.cutUs / 2), Math.ceil((s.cutUs * 3) / 2));
        this.w.scheduleFaults([
          { at: now, kind: "isolate", node: from },
          { at: now + d, kind: "reconnect", node: from },
        ]);
      }
    }
  }

  /** An append about to be handled by `to`: it truncates `to`'s log if it carries an entry
   * whose term differs from the one `to` holds at that index (and `to` will accept it). */
  onDeliver(to: NodeId, msg: RaftMessage<unknown>): void {
    const c = this.crash;
    if (c === null || c.on !== "truncate" || msg.type !== "app" || msg.entries.length === 0) return;
    const n = this.w.nodes[to] as MetaServer | null;
    if (n === null || msg.term < n.raft.term()) return;
    const r = n.raft;
    const last = r.lastIndex();
    for (const e of msg.entries) {
      if (e.index > last) return;
      const mine = r.entry(e.index);
      if (mine !== undefined && mine.term !== e.term) return this.fireCrash(to);
    }
  }
}

// ---- swarm families (each from a stream of its own, in a share of the seeds) -----------------

/** The windows by weight: acknowledgements and snapshots twice as often as the others (on a
 * hand-patched sweep they expose the most: reports/mutation/summary.md, "Workloads"). */
const WINDOW_WEIGHTS: readonly CrashWindow[] = ["ack", "ack", "snapshot", "snapshot", "truncate", "commit"];

/** 20% of the seeds: bursts of crashes timed on the windows of the header. */
export const crashWindowFamily: SwarmFamily = {
  name: "crash-window",
  draw: { p: 0.2 },
  generate(r, { emit, episodes }) {
    episodes((at) =>
      emit({ at, kind: "crash-on", on: r.pick(WINDOW_WEIGHTS), downUs: r.int(20 * MS, 400 * MS), times: r.int(2, 10) } satisfies WindowFault),
    );
  },
};

/** A quarter of the seeds: backup restores racing a live leader of the fence term, one to
 * three seconds apart (the operator restores one node at a time, and a race needs a leader:
 * one asked for without a leader starts at the next election). */
export const restoreRaceFamily: SwarmFamily = {
  name: "restore-race",
  draw: { p: 0.25 },
  generate(r, { start, end, emit }) {
    for (let t = start + r.int(200 * MS, 1500 * MS); t < end; t += r.int(1000 * MS, 3000 * MS)) {
      emit({ at: t, kind: "restore-race", back: r.int(1, 3), delayUs: r.int(50 * MS, 500 * MS), cutUs: r.int(300 * MS, 2000 * MS) } satisfies WindowFault);
    }
  },
};

/** 20% of the seeds: a follower cut off long enough to need a snapshot, and a leader change in
 * the middle of the chunked transfer that follows. In half of them the network duplicates a
 * fifth of the messages and reorders them (lognormal latency, sigma 1.2; it replaces the net
 * family's draw): a stale rejection then sends a follower a snapshot older than its log, and
 * late chunks complete a transfer after appends overtook it — where a follower that installs
 * a snapshot must keep the entries after it (Raft §7). */
export const snapshotRaceFamily: SwarmFamily = {
  name: "snapshot-race",
  draw: { p: 0.2 },
  generate(r, { servers: N, start, emit, episodes }) {
    if (r.chance(0.5)) emit({ at: start, kind: "net", latencyMedianUs: r.int(MS, 5 * MS), latencySigma: 1.2, dupP: 0.2 });
    episodes((at) => {
      const node = r.int(0, N - 1);
      const back = at + r.int(500 * MS, 3000 * MS);
      emit({ at, kind: "isolate", node });
      emit({ at: back, kind: "snapshot-cut-on", how: r.pick(SNAPSHOT_CUTS), cutUs: r.int(50 * MS, 800 * MS), times: r.int(1, 3) } satisfies WindowFault);
      emit({ at: back, kind: "reconnect", node });
    });
  },
};

export function isWindowFault(f: SystemFault): f is WindowFault {
  return (WINDOW_FAULT_KINDS as readonly string[]).includes(f.kind);
}
