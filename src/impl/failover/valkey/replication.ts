// The replica side of asynchronous replication (split from node.ts): the replication stream
// applied in offset order, a full resync on a gap, for a new primary, or when behind the
// primary's announced offset for a while; and the primary's answer to a PSYNC.
import type { ValkeyEnv } from "./env.js";
import type { ReplicatedKv } from "./kv.js";
import type { BusMsg, ValkeyMsg, ValkeyOptions } from "./types.js";
import type { ClusterView } from "./view.js";

const MS = 1_000;

/** What replication needs of its node (ValkeyNode). */
export interface ReplHost {
  readonly env: ValkeyEnv;
  readonly view: ClusterView;
  readonly opts: ValkeyOptions;
  readonly C: number;
  readonly kv: ReplicatedKv;
  readonly isPrimary: boolean;
  readonly primary: number;
  lastPrimaryData: number;
  aofDirty: boolean;
}

export class Replication {
  needSync = false;
  private lastPsync = -Infinity;
  private behindSince = NaN;

  constructor(private readonly h: ReplHost) {}

  /** A new primary to follow: a full sync comes next. */
  resync(): void {
    this.needSync = true;
    this.behindSince = NaN;
  }

  onRepl(from: number, msg: Exclude<ValkeyMsg, BusMsg>, now: number): void {
    const h = this.h;
    switch (msg.type) {
      case "psync":
        if (h.isPrimary) h.env.send(from, { type: "fullsync", offset: h.kv.offset, data: h.kv.snapshot() });
        return;
      case "fullsync":
        if (from !== h.primary) return;
        h.lastPrimaryData = now;
        h.env.persist([h.kv.load(msg.offset, msg.data)], false);
        h.aofDirty = true;
        this.needSync = false;
        this.behindSince = NaN;
        return;
      case "repl": {
        if (from !== h.primary || this.needSync) return;
        h.lastPrimaryData = now;
        const r = h.kv.receive(msg.from, msg.key, msg.token);
        if (r.applied.length > 0) {
          h.env.persist(r.applied, false);
          h.aofDirty = true;
        }
        return;
      }
    }
  }

  /** A replica with a new primary, a gap in the stream, or behind its primary's announced
   * offset for a while asks for a full sync. */
  replicaSync(now: number): void {
    const h = this.h;
    const p = h.primary;
    if (p < 0) return;
    const behind = this.needSync || h.kv.stashed > 0 || h.view.offset[p] > h.kv.offset;
    if (!behind) {
      this.behindSince = NaN;
      return;
    }
    if (this.behindSince !== this.behindSince) this.behindSince = now;
    if ((this.needSync || now - this.behindSince >= 5 * h.C) && now - this.lastPsync >= h.opts.resyncRetryMs * MS) {
      this.lastPsync = now;
      h.env.send(p, { type: "psync", offset: h.kv.offset });
    }
  }
}
