// Several Raft groups on one node, multiplexed by group id: the root group (the control plane)
// and the data groups whose replicas this node holds. Each group is raftsim's Raft as is; this
// file only shares the node's one network, one WAL and one wake-up among them: messages travel
// wrapped as {type:"raft", g, m}, WAL records are tagged {g, r} (recovery hands each group its
// own records), persist tokens are the host's (one increasing sequence, so "every write up to
// token t is durable" means the same to every group) and the node's wake-up is the earliest of
// the groups' requests. A node creates a group's replica when it first hears of the group (a
// Raft message from its leader), empty and waiting to be added, as TiKV and CockroachDB create
// a replica on the first message for it. Snapshots are off (the groups hold little).
import type { NodeEnv, NodeId, Recovered } from "../node.js";
import type { RaftApp, RaftEntry, RaftOptions } from "../raft/api.js";
import { Raft, type RaftMessage, type RaftRecord } from "../raft/raft.js";
import type { ConfChange } from "../raft/confchange.js";
import { raftNoteCode, type EngulaMessage, type EngulaRecord, type GroupStatus, type RootCommand } from "./types.js";

type HostEnv = NodeEnv<EngulaMessage, EngulaRecord, unknown>;

/** What a group's replica tells its owner (the node). */
export interface GroupApp {
  apply(g: number, entry: RaftEntry<RootCommand>, now: number): void;
  readReady(g: number, ctx: number, index: number, now: number): void;
  readFailed(g: number, ctx: number, now: number): void;
}

export class GroupHost {
  private readonly groups = new Map<number, Raft<RootCommand>>();
  /** Each group's latest wake-up request (local µs; NaN: none). */
  private readonly wakes = new Map<number, number>();
  private asked = Number.NaN;
  /** The node's own wake-up (heartbeats, the control unit's timers). */
  private ownWake = Number.NaN;

  constructor(
    private readonly env: HostEnv,
    private readonly raftOpts: Omit<RaftOptions, "voters">,
    private readonly app: GroupApp,
  ) {}

  /** Start the groups this node is an initial member of, or recover every group its WAL holds. */
  start(initial: ReadonlyMap<number, readonly NodeId[]>, recovered: Recovered<EngulaRecord> | null, now: number): void {
    const per = new Map<number, RaftRecord<RootCommand>[]>();
    if (recovered !== null) {
      const upto = Math.min(recovered.corruptFrom, recovered.records.length);
      for (let i = 0; i < upto; i++) {
        const rec = recovered.records[i]!;
        if (rec.g < 0) continue;
        const x = rec as { g: number; r: RaftRecord<RootCommand> };
        let list = per.get(x.g);
        if (list === undefined) per.set(x.g, (list = []));
        list.push(x.r);
      }
    }
    const ids = new Set<number>([...initial.keys(), ...per.keys()]);
    for (const g of [...ids].sort((a, b) => a - b)) {
      const recs = per.get(g);
      this.create(g, initial.get(g) ?? [], recs === undefined ? null : { records: recs, corruptFrom: recs.length }, now);
    }
  }

  get(g: number): Raft<RootCommand> | undefined {
    return this.groups.get(g);
  }

  ids(): number[] {
    return [...this.groups.keys()].sort((a, b) => a - b);
  }

  onRaft(from: NodeId, g: number, m: RaftMessage<RootCommand>, now: number): void {
    let r = this.groups.get(g);
    if (r === undefined) r = this.create(g, [], null, now);
    r.onMessage(from, m, now);
    this.rewake();
  }

  onTick(now: number): void {
    this.asked = Number.NaN;
    for (const g of this.ids()) {
      this.wakes.set(g, Number.NaN);
      this.groups.get(g)!.onTick(now);
    }
    this.rewake();
  }

  onPersisted(token: number, now: number): void {
    for (const g of this.ids()) this.groups.get(g)!.onPersisted(token, now);
    this.rewake();
  }

  propose(g: number, cmd: RootCommand, now: number): { index: number; term: number } | null {
    const r = this.groups.get(g);
    const out = r === undefined ? null : r.propose(cmd, now);
    this.rewake();
    return out;
  }

  readIndex(g: number, ctx: number, now: number): boolean {
    const r = this.groups.get(g);
    const ok = r !== undefined && r.readIndex(ctx, now);
    this.rewake();
    return ok;
  }

  confChange(g: number, ch: ConfChange, now: number): string | null {
    const r = this.groups.get(g);
    if (r === undefined) return "no such group here";
    const out = r.proposeConfChange(ch, now);
    this.rewake();
    return typeof out === "string" ? out : null;
  }

  status(g: number): GroupStatus | null {
    const r = this.groups.get(g);
    if (r === undefined) return null;
    return { g, leader: r.role() === "leader", term: r.term(), voters: [...r.voters()], learners: [...r.learners()], pending: r.confChangePending() };
  }

  /** The node's own timers share the wake-up. */
  setOwnWake(local: number): void {
    this.ownWake = local;
    this.rewake();
  }

  rewake(): void {
    let at = this.ownWake;
    for (const w of this.wakes.values()) if (w === w && !(at <= w)) at = w;
    if (at === at && at !== this.asked) {
      this.asked = at;
      this.env.wakeAt(at);
    }
  }

  private create(g: number, voters: readonly NodeId[], recovered: Recovered<RaftRecord<RootCommand>> | null, now: number): Raft<RootCommand> {
    const env = this.env;
    const wrapped: NodeEnv<RaftMessage<RootCommand>, RaftRecord<RootCommand>, unknown> = {
      id: env.id,
      rng: env.rng,
      send: (to, m) => env.send(to, { type: "raft", g, m }),
      persist: (records, sync) => env.persist(records.map((r) => ({ g, r })), sync),
      // Snapshots are off: Raft never writes files or rotates the WAL here.
      writeFile: () => {
        throw new Error("engula groups: snapshots are off");
      },
      renameFile: () => {
        throw new Error("engula groups: snapshots are off");
      },
      deleteFile: () => {
        throw new Error("engula groups: snapshots are off");
      },
      syncFile: () => env.syncFile(),
      rotateWal: () => env.rotateWal(),
      dropWalBefore: (b) => env.dropWalBefore(b),
      reply: () => {},
      wakeAt: (local) => {
        this.wakes.set(g, local);
      },
      note: (code, a, b) => env.note(raftNoteCode(g, code), a, b),
    };
    const app: RaftApp<RootCommand> = {
      apply: (e, t) => this.app.apply(g, e, t),
      readReady: (ctx, index, t) => this.app.readReady(g, ctx, index, t),
      readFailed: (ctx, t) => this.app.readFailed(g, ctx, t),
      snapshot: () => [],
      restore: () => {
        throw new Error("engula groups: snapshots are off");
      },
    };
    const r = new Raft<RootCommand>(env.id, { ...this.raftOpts, voters }, wrapped, app, recovered, now);
    this.groups.set(g, r);
    return r;
  }
}
