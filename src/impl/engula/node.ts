// An Engula node (seed: engula issue #58; `engula node start --init` / `--join URL`): it hosts
// replicas of Raft groups (the root group, the control plane's, and data groups), joins the
// universe through any node, answers the control unit's heartbeats with its replicas' status,
// carries out cure commands for the groups it leads, and redirects universe-wide requests
// (`/v1/universe/...`: nodes, members, units) to the control unit, which it learns from the
// heartbeats ("the control plane contacts all nodes periodically to keep them up to date").
// When this node leads the root group it is the control unit (control.ts).
import type { NodeEnv, NodeId, Recovered, SimNode } from "../node.js";
import type { RaftEntry } from "../raft/api.js";
import { ControlUnit } from "./control.js";
import { GroupHost, type GroupApp } from "./groups.js";
import { LivenessTable } from "./liveness.js";
import { isRead, Universe } from "./universe.js";
import {
  EngulaNote,
  ROOT_GROUP,
  type EngulaMessage,
  type EngulaOptions,
  type EngulaRecord,
  type GroupStatus,
  type RootCommand,
  type UniverseOp,
  type UniverseReply,
  type UniverseRequest,
} from "./types.js";

export type EngulaEnv = NodeEnv<EngulaMessage, EngulaRecord, UniverseReply>;

/** How long a node waits before asking again to join (a redirect to nowhere, a lost answer). */
const JOIN_RETRY_US = 300_000;
const MAX_JOIN_HOPS = 3;
/** The empty entry a nudge appends to a data group (data groups apply nothing). */
const NUDGE: RootCommand = Object.freeze({ kind: "liveness", nodes: [], remainingUs: [] });

type PendingWrite =
  | { readonly term: number; readonly kind: "client"; readonly client: number; readonly id: number }
  | { readonly term: number; readonly kind: "join"; readonly node: NodeId };

/** Data group g's initial voters: `replicas` consecutive nodes from g - 1. */
export function initialPlacement(g: number, o: Pick<EngulaOptions, "servers" | "replicas">): NodeId[] {
  const out: NodeId[] = [];
  for (let k = 0; k < o.replicas; k++) out.push((g - 1 + k) % o.servers);
  return out;
}

export class EngulaNode implements SimNode<EngulaMessage, UniverseRequest>, GroupApp {
  readonly host: GroupHost;
  /** The root group's state as this replica applied it (bootstrap only, off the root group). */
  readonly universe: Universe;
  readonly liveness: LivenessTable;
  /** Set while this node leads the root group. */
  cu: ControlUnit | null = null;
  joined: boolean;
  /** The control unit as the latest heartbeat named it (term: its root term). */
  private hint = { cu: -1, term: -1 };
  private readonly writes = new Map<number, PendingWrite>();
  private readonly reads = new Map<number, { readonly client: number; readonly id: number; readonly op: UniverseOp; index: number }>();
  private nextCtx = 1;
  private joinAt: number;
  private joinHops = 0;
  private readonly reported = new Map<number, string>();
  /** Root log index -> when this replica first received the liveness checkpoint there. */
  private readonly checkpointSeen = new Map<number, { readonly term: number; readonly at: number }>();

  constructor(
    private readonly env: EngulaEnv,
    private readonly o: EngulaOptions,
    recovered: Recovered<EngulaRecord> | null,
    now: number,
  ) {
    const id = env.id;
    this.universe = new Universe(o.rootVoters, 0);
    this.liveness = new LivenessTable(o.livenessThresholdUs, o.heartbeatTimeoutUs);
    this.joined = id === 0 || (recovered?.records.some((r, i) => r.g === -1 && i < recovered.corruptFrom) ?? false);
    this.joinAt = now + env.rng.int(0, JOIN_RETRY_US);
    this.host = new GroupHost(env as NodeEnv<EngulaMessage, EngulaRecord, unknown>, {
      electionMinUs: o.electionMinUs,
      electionMaxUs: o.electionMaxUs,
      heartbeatUs: o.raftHeartbeatUs,
      preVote: true,
      checkQuorum: true,
      maxInflight: 8,
      maxBatch: 64,
      bugs: new Set(),
      asserts: o.asserts,
    }, this);
    const initial = new Map<number, readonly NodeId[]>();
    if (id === 0) initial.set(ROOT_GROUP, [0]);
    for (let g = 1; g <= o.groups; g++) {
      const vs = initialPlacement(g, o);
      if (vs.includes(id)) initial.set(g, vs);
    }
    this.host.start(initial, recovered, now);
    this.afterInput(now);
  }

  get id(): NodeId {
    return this.env.id;
  }

  /** The node this one believes is the control unit (-1: none known). */
  controlUnitHint(): NodeId {
    const root = this.host.get(ROOT_GROUP);
    if (root !== undefined && root.leader() >= 0) return root.leader();
    return this.hint.cu;
  }

  // --- inputs ---

  onMessage(from: NodeId, msg: EngulaMessage, now: number): void {
    switch (msg.type) {
      case "raft":
        if (msg.g === ROOT_GROUP && msg.m.type === "app") this.noteCheckpoints(msg.m.entries, now);
        this.host.onRaft(from, msg.g, msg.m, now);
        break;
      case "join":
        this.handleJoin(msg.node, now);
        break;
      case "joinResp":
        this.handleJoinResp(msg, now);
        break;
      case "hb":
        if (msg.term >= this.hint.term) this.hint = { cu: msg.cu, term: msg.term };
        this.env.send(from, { type: "hbResp", seq: msg.seq, groups: this.dataStatuses() });
        break;
      case "hbResp":
        this.cu?.onHeartbeatResponse(from, msg.seq, msg.groups, this.universe.nodes, now);
        break;
      case "report":
        this.cu?.onReport(from, msg.groups, this.universe.nodes, now);
        break;
      case "cure": {
        const s = this.host.status(msg.g);
        if (s === null || !s.leader || !sameMembers(s.voters, msg.expect.voters) || !sameMembers(s.learners, msg.expect.learners)) break;
        if (msg.change.kind === "nudge") {
          this.host.propose(msg.g, NUDGE, now);
          break;
        }
        const refused = this.host.confChange(msg.g, msg.change.kind === "remove" ? { kind: "remove", node: msg.change.node } : { kind: "add-learner", node: msg.change.node }, now);
        if (refused === null) this.env.note(EngulaNote.cure, msg.g, (msg.change.kind === "remove" ? 2 : 1) * 1000 + msg.change.node);
        break;
      }
      case "req":
        break; // clients' requests come through onClient
    }
    this.afterInput(now);
  }

  onClient(client: number, req: UniverseRequest, now: number): void {
    this.handleRequest(client, req, now);
    this.afterInput(now);
  }

  onTick(now: number): void {
    this.host.onTick(now);
    if (!this.joined && now >= this.joinAt) this.askToJoin(this.pickVia(), now);
    this.cu?.tick(this.universe.nodes, now);
    this.afterInput(now);
  }

  onPersisted(token: number, now: number): void {
    this.host.onPersisted(token, now);
    this.afterInput(now);
  }

  // --- the root group's state machine (GroupApp) ---

  apply(g: number, entry: RaftEntry<RootCommand>, now: number): void {
    if (g !== ROOT_GROUP) return; // data groups carry no commands here, only membership
    const cmd = entry.data;
    const result = cmd === null ? null : this.universe.apply(entry.index, cmd);
    if (cmd === null) this.universe.advance(entry.index);
    else if (cmd.kind === "liveness") {
      // The time left counts from when this replica received the checkpoint, not from when it
      // learnt it committed: a new leader learns the last ones only when it commits its first
      // entry, and counting from then would be the reset all over again. One received in an
      // earlier life (replayed from the WAL after a restart) is taken as spent: when it was
      // received is unknown, and any guess later than the truth extends the window.
      const got = this.checkpointSeen.get(entry.index);
      this.liveness.applyCheckpoint(cmd.nodes, cmd.remainingUs, got !== undefined && got.term === entry.term ? got.at : -Infinity);
    } else if (cmd.kind === "join" && result === "joined") {
      this.env.note(EngulaNote.joined, cmd.node, 0);
      if (this.cu !== null) this.liveness.know(cmd.node, now);
    }
    this.checkpointSeen.delete(entry.index);
    const w = this.writes.get(entry.index);
    if (w !== undefined) {
      this.writes.delete(entry.index);
      if (w.term !== entry.term) this.dropWrite(w);
      else if (w.kind === "client") this.reply(w.client, { type: "rep", id: w.id, kind: "ok", result: result ?? "" });
      else this.env.send(w.node, { type: "joinResp", status: "joined", to: this.id });
    }
    this.serveReads();
  }

  readReady(g: number, ctx: number, index: number, _now: number): void {
    if (g !== ROOT_GROUP) return;
    const r = this.reads.get(ctx);
    if (r === undefined) return;
    r.index = index;
    this.serveReads();
  }

  readFailed(g: number, ctx: number, _now: number): void {
    if (g !== ROOT_GROUP) return;
    const r = this.reads.get(ctx);
    if (r === undefined) return;
    this.reads.delete(ctx);
    this.reply(r.client, { type: "rep", id: r.id, kind: "unavailable" });
  }

  private noteCheckpoints(entries: readonly RaftEntry<RootCommand>[], now: number): void {
    for (const e of entries) {
      if (e.data === null || e.data.kind !== "liveness" || e.index <= this.universe.applied) continue;
      const had = this.checkpointSeen.get(e.index);
      if (had === undefined || had.term !== e.term) this.checkpointSeen.set(e.index, { term: e.term, at: now });
    }
  }

  // --- universe requests ---

  private handleRequest(client: number, req: UniverseRequest, now: number): void {
    const op = req.op;
    if (this.cu === null) {
      // PLANTED BUG staleLocalRead: a root replica answers reads from its own applied state.
      if (this.o.bugs.staleLocalRead === true && isRead(op) && this.host.get(ROOT_GROUP) !== undefined) {
        return this.reply(client, { type: "rep", id: req.id, kind: "ok", result: this.universe.read(op) });
      }
      return this.reply(client, { type: "rep", id: req.id, kind: "redirect", to: this.controlUnitHint() });
    }
    if (isRead(op)) {
      const ctx = this.nextCtx++;
      if (!this.host.readIndex(ROOT_GROUP, ctx, now)) return this.reply(client, { type: "rep", id: req.id, kind: "redirect", to: this.controlUnitHint() });
      this.reads.set(ctx, { client, id: req.id, op, index: -1 });
      return;
    }
    if (op.f !== "create-unit" && op.f !== "delete-unit") return;
    const cmd: RootCommand = { kind: "unit", op: op.f === "create-unit" ? "create" : "delete", unit: op.unit, client, rid: req.id };
    const p = this.host.propose(ROOT_GROUP, cmd, now);
    if (p === null) return this.reply(client, { type: "rep", id: req.id, kind: "redirect", to: this.controlUnitHint() });
    this.writes.set(p.index, { term: p.term, kind: "client", client, id: req.id });
  }

  private serveReads(): void {
    for (const [ctx, r] of this.reads) {
      if (r.index < 0 || r.index > this.universe.applied) continue;
      this.reads.delete(ctx);
      this.reply(r.client, { type: "rep", id: r.id, kind: "ok", result: this.universe.read(r.op) });
    }
  }

  private dropWrite(w: PendingWrite): void {
    if (w.kind === "client") this.reply(w.client, { type: "rep", id: w.id, kind: "unavailable" });
  }

  private reply(client: number, r: UniverseReply): void {
    this.env.reply(client, r);
  }

  // --- joining ---

  private pickVia(): NodeId {
    return this.env.rng.int(0, Math.max(0, this.id - 1));
  }

  private askToJoin(via: NodeId, now: number): void {
    this.joinHops = MAX_JOIN_HOPS;
    this.joinAt = now + JOIN_RETRY_US;
    if (via === this.id) return;
    this.env.send(via, { type: "join", node: this.id });
  }

  private handleJoin(node: NodeId, now: number): void {
    if (this.cu === null) {
      this.env.send(node, { type: "joinResp", status: "redirect", to: this.controlUnitHint() });
      return;
    }
    if (this.universe.nodes.includes(node)) {
      this.env.send(node, { type: "joinResp", status: "joined", to: this.id });
      return;
    }
    const p = this.host.propose(ROOT_GROUP, { kind: "join", node, by: this.id, rid: 0 }, now);
    if (p !== null) this.writes.set(p.index, { term: p.term, kind: "join", node });
  }

  private handleJoinResp(m: Extract<EngulaMessage, { type: "joinResp" }>, now: number): void {
    if (this.joined) return;
    if (m.status === "joined") return this.markJoined();
    if (m.to >= 0 && m.to !== this.id && this.joinHops > 0) {
      this.joinHops--;
      this.env.send(m.to, { type: "join", node: this.id });
      return;
    }
    this.joinAt = now + JOIN_RETRY_US;
  }

  private markJoined(): void {
    this.joined = true;
    this.env.persist([{ g: -1, joined: true }], true);
    this.env.note(EngulaNote.joinDone, 1, 0);
  }

  // --- after every input: leadership, root membership, reports, wake-up ---

  private afterInput(now: number): void {
    this.syncControlUnit(now);
    // Its own root replica has applied its join (a control-plane member whose "joined" mark was
    // lost with unsynced writes; it cannot ask itself): it is in.
    if (!this.joined && this.universe.nodes.includes(this.id)) this.markJoined();
    if (this.cu !== null) this.growRoot(now);
    this.pushReports(now);
    let wake = Number.NaN;
    if (this.cu !== null) wake = this.cu.wake(now);
    if (!this.joined && !(wake <= this.joinAt)) wake = this.joinAt;
    this.host.setOwnWake(wake);
  }

  private syncControlUnit(now: number): void {
    const root = this.host.get(ROOT_GROUP);
    // A leader becomes the control unit once it has committed and applied an entry of its own
    // term: it then holds every checkpoint the previous control unit committed.
    const leads = root !== undefined && root.role() === "leader" && root.entry(root.commitIndex())?.term === root.term() && root.appliedIndex() >= root.commitIndex();
    if (leads && (this.cu === null || this.cu.term !== root.term())) {
      this.liveness.takeOver(this.universe.nodes, now, this.o.bugs.livenessReset === true);
      this.cu = new ControlUnit(this.id, root.term(), this.o, this.liveness, {
        sendHeartbeat: (to, seq) => this.env.send(to, { type: "hb", seq, cu: this.id, term: root.term() }),
        sendCure: (to, g, change, conf, t) => {
          const m: EngulaMessage = { type: "cure", g, change, expect: { voters: [...conf.voters], learners: [...conf.learners] } };
          if (to === this.id) this.onMessage(this.id, m, t);
          else this.env.send(to, m);
        },
        proposeCheckpoint: (nodes, remainingUs, t) => {
          const cmd: RootCommand = { kind: "liveness", nodes, remainingUs };
          const p = this.host.propose(ROOT_GROUP, cmd, t);
          if (p !== null) this.noteCheckpoints([{ index: p.index, term: p.term, data: cmd }], t);
        },
        note: (code, a, b) => this.env.note(code, a, b),
        ownStatus: () => this.dataStatuses(),
      }, now);
      this.hint = { cu: this.id, term: root.term() };
      this.env.note(EngulaNote.controlUnit, 1, root.term());
      this.cu.tick(this.universe.nodes, now);
    } else if (!leads && this.cu !== null) {
      this.cu = null;
      this.env.note(EngulaNote.controlUnit, 0, root?.term() ?? 0);
      for (const w of this.writes.values()) this.dropWrite(w);
      this.writes.clear();
    }
  }

  /** The control plane's members (the universe's record) join the root group as learners;
   * Raft promotes them once they have caught up. */
  private growRoot(now: number): void {
    const root = this.host.get(ROOT_GROUP)!;
    if (root.confChangePending()) return;
    for (const m of this.universe.members) {
      if (root.voters().includes(m) || root.learners().includes(m)) continue;
      this.host.confChange(ROOT_GROUP, { kind: "add-learner", node: m }, now);
      return;
    }
  }

  private dataStatuses(): GroupStatus[] {
    const out: GroupStatus[] = [];
    for (const g of this.host.ids()) if (g !== ROOT_GROUP) out.push(this.host.status(g)!);
    return out;
  }

  /** A group leader tells the control unit at once when its configuration changed. */
  private pushReports(now: number): void {
    const changed: GroupStatus[] = [];
    for (const g of this.host.ids()) {
      if (g === ROOT_GROUP) continue;
      const s = this.host.status(g)!;
      if (!s.leader) continue;
      const key = `${s.term}|${s.voters.join()}|${s.learners.join()}|${s.pending}`;
      if (this.reported.get(g) === key) continue;
      this.reported.set(g, key);
      changed.push(s);
    }
    if (changed.length === 0) return;
    const cu = this.controlUnitHint();
    if (cu === this.id && this.cu !== null) this.cu.onReport(this.id, changed, this.universe.nodes, now);
    else if (cu >= 0) this.env.send(cu, { type: "report", groups: changed });
  }
}

function sameMembers(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
