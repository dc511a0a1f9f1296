// raft-module's JoinShard / RemoveFromShard: a shard's membership is its Raft group's
// configuration, changed one server at a time (Raft's single-server changes, src/impl/raft
// confchange.ts). JoinShard adds the node as a learner (the leader promotes it to voter once it
// has caught up: dissertation §4.2.1); RemoveFromShard removes it. The command may be given on
// any member: a follower forwards it to the leader it knows and answers when the leader does.
// The answer is ok once the change is applied on the leader (committed) and the configuration
// shows it; a change already in effect is ok at once (the command is idempotent, so a Core may
// retry one whose answer it lost); a refused change (another one pending, no entry of the
// leader's term committed yet, the last voter) or no answer before the deadline is an error.
import type { NodeId } from "../../node.js";
import type { EmbeddedGroup } from "../../embed/group.js";
import type { ConfChange } from "../../raft/config.js";
import type { CommandResult, Done } from "../contract.js";

/** A membership command forwarded to the shard's leader. */
export interface ShardCmd {
  readonly type: "vcm";
  readonly term: 0;
  readonly id: number;
  readonly ch: ConfChange;
}

export interface ShardCmdReply {
  readonly type: "vcmRep";
  readonly term: 0;
  readonly id: number;
  readonly result: CommandResult;
}

interface Pending {
  readonly ch: ConfChange;
  /** null: forwarded to us by `from` as its command `remoteId`. */
  readonly done: Done<CommandResult> | null;
  readonly from: NodeId;
  readonly remoteId: number;
  readonly deadline: number;
  /** The log index of the proposed change (-1: forwarded, waiting for the leader's answer). */
  readonly index: number;
}

export class ShardCommands {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly self: NodeId,
    private readonly group: EmbeddedGroup,
    private readonly send: (to: NodeId, m: ShardCmd | ShardCmdReply) => void,
    private readonly timeoutUs: number,
  ) {}

  /** Does this node's configuration hold `n` (voter or learner)? */
  isMember(n: NodeId): boolean {
    const r = this.group.server.raft;
    return r.voters().includes(n) || r.learners().includes(n);
  }

  /** The Core's command on this node. */
  request(ch: ConfChange, now: number, done: Done<CommandResult>): void {
    if (this.group.isLeader()) return this.propose(ch, now, done, -1, 0);
    const leader = this.group.leader();
    if (leader < 0 || leader === this.self) return done({ kind: "error", reason: "no shard leader known: retry" }, now);
    const id = this.nextId++;
    this.pending.set(id, { ch, done, from: -1, remoteId: 0, deadline: now + this.timeoutUs, index: -1 });
    this.send(leader, { type: "vcm", term: 0, id, ch });
  }

  onMessage(from: NodeId, m: ShardCmd | ShardCmdReply, now: number): void {
    if (m.type === "vcm") {
      this.propose(m.ch, now, null, from, m.id);
      return;
    }
    const p = this.pending.get(m.id);
    if (p === undefined || p.done === null || p.index >= 0) return;
    this.pending.delete(m.id);
    p.done(m.result, now);
  }

  /** Answer what is decided: applied changes, and anything past its deadline. */
  poll(now: number): void {
    if (this.pending.size === 0) return;
    const applied = this.group.server.store.appliedIndex();
    for (const [id, p] of [...this.pending]) {
      if (p.index >= 0 && applied >= p.index) {
        this.pending.delete(id);
        const ok = this.inEffect(p.ch);
        this.answer(p, ok ? OK : { kind: "error", reason: `the change to node ${p.ch.node} was lost (leadership changed): retry` }, now);
      } else if (now >= p.deadline) {
        this.pending.delete(id);
        this.answer(p, { kind: "error", reason: "no answer before the deadline (outcome unknown): retry" }, now);
      }
    }
  }

  /** The earliest deadline pending (Infinity: none). */
  nextDeadline(): number {
    let d = Number.POSITIVE_INFINITY;
    for (const p of this.pending.values()) if (p.deadline < d) d = p.deadline;
    return d;
  }

  private propose(ch: ConfChange, now: number, done: Done<CommandResult> | null, from: NodeId, remoteId: number): void {
    const base = { ch, done, from, remoteId, deadline: now + this.timeoutUs };
    if (this.inEffect(ch)) return this.answer({ ...base, index: -1 }, OK, now);
    if (!this.group.isLeader()) return this.answer({ ...base, index: -1 }, { kind: "error", reason: "not the shard leader: retry" }, now);
    const r = this.group.server.changeMembership(ch, now);
    if (typeof r === "string") return this.answer({ ...base, index: -1 }, { kind: "error", reason: r }, now);
    this.pending.set(this.nextId++, { ...base, index: r.index });
  }

  private inEffect(ch: ConfChange): boolean {
    return ch.kind === "remove" ? !this.isMember(ch.node) : this.isMember(ch.node);
  }

  private answer(p: Pending, result: CommandResult, now: number): void {
    if (p.done !== null) p.done(result, now);
    else this.send(p.from, { type: "vcmRep", term: 0, id: p.remoteId, result });
  }
}

const OK: CommandResult = Object.freeze({ kind: "ok" });
