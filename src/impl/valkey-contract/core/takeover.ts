// The Core's primaryship changes (core.ts): the automatic failover of a FAILed primary, the
// manual one (CLUSTER FAILOVER [FORCE]) with its FENCED marker, and a restarted holder's
// re-claim. Each ends in one shard-log update: `primary := me`, `epoch := e + 1` with the
// revisions read (plus the FENCED marker's delete for a manual one). The revisions come from the
// node's local view, or from a consistent read (readMode "consistent", when the module has
// readShardLogConsistent). Before writing, the Core compares what it read with what it expects
// (the primary it saw fail is still the holder): with a module that writes blindly, that compare
// is all there is.
import type { NodeId } from "../../node.js";
import type { ReplicatedKv } from "../../failover/valkey/kv.js";
import type { ClusteringModule, MetadataEntry, MetadataOp, Revision, UpdateResult } from "../contract.js";
import { CN, K, type CoreEnv, type CoreOptions } from "./types.js";

/** What a takeover needs of its Core (core.ts). */
export interface TakeoverHost {
  readonly id: NodeId;
  readonly env: CoreEnv;
  readonly module: ClusteringModule;
  readonly o: CoreOptions;
  readonly peers: readonly NodeId[];
  readonly log: ReadonlyMap<string, unknown>;
  readonly states: ReadonlyMap<NodeId, string>;
  readonly de: number;
  readonly kv: ReplicatedKv;
  primary(): NodeId;
  entry(key: string): MetadataEntry | null;
  okValid(now: number): boolean;
  offsetOf(node: NodeId): { de: number; offset: number; fenced: boolean } | null;
  wake(at: number): void;
  won(epoch: number, now: number, kind: number): void;
}

type Kind = 0 | 1 | 2; // auto, manual, re-claim

interface Manual {
  readonly force: boolean;
  /** The primary fenced, and the marker's revision (null until the insert is answered). */
  readonly target: NodeId;
  fencedRev: Revision | null;
  deadline: number;
  done: boolean;
}

export class Takeover {
  /** An attempt in flight (a read or an update outstanding). */
  private busy = false;
  /** Automatic failover: the FAILed primary and when this replica may try (its rank delay). */
  private failed = -1;
  private tryAt = Number.POSITIVE_INFINITY;
  private attempts = 0;
  private manualState: Manual | null = null;
  private reverting = false;
  private nextTry = 0;

  constructor(private readonly c: TakeoverHost) {}

  /** CLUSTER FAILOVER given to this node (answered at once: accepted or refused). */
  manual(client: number, id: number, force: boolean, now: number): void {
    const c = this.c;
    const p = c.primary();
    const why = p < 0 ? "no primary" : p === c.id ? "already the primary" : !c.okValid(now) ? "not OK" : this.manualState !== null || this.busy || c.log.has(K.fenced) ? "a failover is in progress" : null;
    if (why !== null) return c.env.reply(client, { type: "err", id, reason: why });
    c.env.reply(client, { type: "ok", id });
    const m: Manual = { force, target: p, fencedRev: null, deadline: now + c.o.manualTimeoutUs, done: false };
    this.manualState = m;
    this.busy = true;
    c.module.updateShardLog([{ key: K.fenced, value: String(c.id), expectedRevision: null }], now, (r, t) => {
      this.busy = false;
      if (r.kind === "ok") {
        m.fencedRev = r.revisions[0] ?? null;
        m.deadline = t + c.o.manualTimeoutUs;
        c.env.note(CN.fence, 1, m.target);
      } else {
        // unavailable: it may yet apply; the marker is then cleared by the primary as stale.
        this.manualState = null;
        c.env.note(r.kind === "conflict" ? CN.casConflict : CN.casRetry, 1, 0);
      }
    });
  }

  /** A restarted holder's re-claim (core.ts primaryDuties), once its lease runs. */
  reclaim(now: number): void {
    if (this.busy || !this.c.okValid(now) || now < this.nextTry) return;
    this.attempt(2, this.c.id, now);
  }

  step(now: number): void {
    const c = this.c;
    const p = c.primary();
    const m = this.manualState;
    if (m !== null) return this.manualStep(m, now);
    if (p < 0 || p === c.id) {
      this.failed = -1;
      return;
    }
    // Automatic: the primary (as the shard log names it) is FAIL in the membership push.
    if (c.states.get(p) !== "FAIL" || !c.okValid(now)) {
      this.failed = -1;
      this.tryAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.failed !== p) {
      this.failed = p;
      this.tryAt = now + this.rank() * c.o.rankDelayUs + c.env.rng.int(0, c.o.rankDelayUs);
    }
    if (now < this.tryAt) return c.wake(this.tryAt);
    if (this.busy || now < this.nextTry) return c.wake(this.nextTry);
    this.attempt(0, p, now);
  }

  /** Replicas with a better replication state than this one (SHARD gossip): Valkey's rank. */
  private rank(): number {
    const c = this.c;
    let r = 0;
    for (const x of c.peers) {
      if (x === c.primary()) continue;
      const s = c.offsetOf(x);
      if (s !== null && (s.de > c.de || (s.de === c.de && s.offset > c.kv.offset))) r++;
    }
    return r;
  }

  private manualStep(m: Manual, now: number): void {
    const c = this.c;
    if (m.done || this.busy) return;
    if (c.primary() !== m.target) {
      // Someone else took over meanwhile: revert a marker still ours.
      return this.revert(m, now);
    }
    if (m.fencedRev === null) return;
    if (now >= m.deadline) return this.revert(m, now);
    c.wake(m.deadline);
    if (!m.force) {
      // Wait for the fenced primary's final offset, and for this replica to have all of it.
      const s = c.offsetOf(m.target);
      if (s === null || !s.fenced || s.de !== c.de || c.kv.offset < s.offset) return;
    }
    this.attempt(1, m.target, now);
  }

  private revert(m: Manual, now: number): void {
    const c = this.c;
    m.done = true;
    const cur = c.entry(K.fenced);
    if (m.fencedRev === null || cur === null || cur.value !== String(c.id) || c.o.bugs.fencedNeverReverted === true || this.reverting) {
      this.manualState = null;
      return;
    }
    this.reverting = true;
    c.module.updateShardLog([{ key: K.fenced, value: null, expectedRevision: m.fencedRev }], now, (r) => {
      this.reverting = false;
      this.manualState = null;
      if (r.kind === "ok") c.env.note(CN.fence, 0, m.target);
    });
  }

  /** Read the revisions (local or consistent), compare, write. */
  private attempt(kind: Kind, expect: NodeId, now: number): void {
    const c = this.c;
    this.busy = true;
    this.attempts++;
    const keys = [K.primary, K.epoch, K.fenced];
    const go = (es: readonly (MetadataEntry | null)[], t: number): void => {
      const [p, e, f] = es;
      // The Core's own compare: the holder is still the one it saw fail (or itself, re-claiming).
      if (p === null || p === undefined || e === null || e === undefined || Number(p.value) !== expect) {
        this.busy = false;
        this.failed = -1;
        if (kind === 1) this.revert(this.manualState!, t);
        return;
      }
      const epoch = Number(e.value) + 1;
      const ops: MetadataOp[] = [
        { key: K.primary, value: String(c.id), expectedRevision: p.revision },
        { key: K.epoch, value: String(epoch), expectedRevision: e.revision },
      ];
      const m = this.manualState;
      if (kind === 1 && m !== null && m.fencedRev !== null) ops.push({ key: K.fenced, value: null, expectedRevision: f?.revision ?? m.fencedRev });
      c.module.updateShardLog(ops, t, (r: UpdateResult, t2: number) => this.answered(kind, epoch, r, t2));
    };
    if (c.o.readMode === "consistent" && c.module.readShardLogConsistent !== undefined) {
      c.module.readShardLogConsistent(keys, now, (r, t) => {
        if (r.kind === "ok") return go(r.entries, t);
        this.busy = false;
        this.nextTry = t + c.o.retryUs;
        c.env.note(CN.casRetry, kind, this.attempts);
      });
    } else go(keys.map((k) => c.entry(k)), now);
  }

  private answered(kind: Kind, epoch: number, r: UpdateResult, now: number): void {
    const c = this.c;
    this.busy = false;
    if (r.kind === "ok") {
      if (kind === 1) this.manualState = null;
      this.failed = -1;
      c.won(epoch, now, kind);
      return;
    }
    this.nextTry = now + c.o.retryUs;
    c.wake(this.nextTry);
    if (r.kind === "conflict") {
      c.env.note(CN.casConflict, kind, this.attempts);
      // A manual failover that lost its compare gives up (and reverts its marker).
      if (kind === 1 && this.manualState !== null) this.revert(this.manualState, now);
    } else c.env.note(CN.casRetry, kind, this.attempts);
  }
}
