// A node's simulated disk: one write-ahead log of opaque immutable records. append() is
// volatile; fsync() completes after a simulated latency, in order, making every record appended
// before it began durable. A crash cancels pending fsyncs and loses the unsynced tail per the
// loss mode. On recovery a torn tail or an injected checksum failure is reported as
// corruptFrom; the disk then truncates there (a real WAL reader stops and repairs the same way).
// Later: named files (write/fsync/atomic rename) for snapshots can live beside `wal`.
import type { Recovered } from "../impl/node.js";
import { assert, fail } from "./assert.js";
import { Ev } from "./events.js";
import type { Rng } from "./rng.js";
import type { Scheduler } from "./scheduler.js";

/** What a crash does to writes not yet fsynced. */
export type LossMode = "all" | "prefix" | "torn";

export interface DiskConfig {
  fsyncMedianUs: number;
  fsyncSigma: number;
  lossMode: LossMode;
  /** Probability that recovery finds one durable record failing its checksum. */
  readCorruptP: number;
}

export const defaultDiskConfig: DiskConfig = { fsyncMedianUs: 2_000, fsyncSigma: 0.5, lossMode: "all", readCorruptP: 0 };

export interface CrashLoss {
  readonly lost: number; // unsynced records dropped
  readonly torn: boolean; // a partially written record was left behind
}

export class Disk<R> {
  cfg: DiskConfig;
  private wal: R[] = [];
  private durable = 0; // wal[0..durable) survives any crash
  private torn = -1; // index of a torn record left by the last crash, or -1
  private nextToken = 1;
  // Pending fsyncs, FIFO: token, wal length when it began, scheduler handle.
  private pTokens: number[] = [];
  private pLens: number[] = [];
  private pHandles: number[] = [];
  private lastCompletion = 0;

  constructor(
    readonly node: number,
    private readonly sched: Scheduler,
    private readonly rng: Rng,
    cfg: DiskConfig = defaultDiskConfig,
  ) {
    this.cfg = { ...cfg };
  }

  get length(): number {
    return this.wal.length;
  }

  get durableLength(): number {
    return this.durable;
  }

  get pendingFsyncs(): number {
    return this.pTokens.length;
  }

  /** Append records (volatile) and, if sync, start an fsync. Returns the write's token. */
  append(records: readonly R[], sync: boolean): number {
    for (let i = 0; i < records.length; i++) this.wal.push(records[i]);
    const token = this.nextToken++;
    if (sync) this.startFsync(token);
    return token;
  }

  private startFsync(token: number): void {
    const now = this.sched.now;
    let at = now + this.rng.latencyUs(this.cfg.fsyncMedianUs, this.cfg.fsyncSigma);
    if (at < this.lastCompletion) at = this.lastCompletion; // completions stay in order
    this.lastCompletion = at;
    this.pTokens.push(token);
    this.pLens.push(this.wal.length);
    this.pHandles.push(this.sched.push(at, Ev.fsync, this.node, token, undefined));
  }

  /** The fsync for `token` finished (called from its scheduled event). */
  complete(token: number): void {
    if (!(this.pTokens.length > 0 && this.pTokens[0] === token)) fail(`disk ${this.node}: fsync ${token} completed out of order`);
    const len = this.pLens[0];
    this.pTokens.shift();
    this.pLens.shift();
    this.pHandles.shift();
    if (len > this.durable) this.durable = len;
  }

  /** Power loss: cancel fsyncs in flight and lose the unsynced tail per the loss mode. */
  crash(): CrashLoss {
    for (const h of this.pHandles) this.sched.cancel(h);
    this.pTokens.length = 0;
    this.pLens.length = 0;
    this.pHandles.length = 0;
    this.lastCompletion = 0;
    const unsynced = this.wal.length - this.durable;
    let keep = 0;
    let torn = false;
    if (unsynced > 0 && this.cfg.lossMode !== "all") {
      keep = this.rng.int(0, unsynced);
      if (this.cfg.lossMode === "torn" && keep > 0) {
        torn = true; // the last kept record was only partly written
        this.torn = this.durable + keep - 1;
      }
    }
    this.wal.length = this.durable + keep;
    this.durable = this.wal.length; // what survived is now on the platter
    return { lost: unsynced - keep, torn };
  }

  /** Read the WAL back after a restart. Truncates at the first bad record. */
  recover(): Recovered<R> {
    let corruptFrom = this.wal.length;
    if (this.torn >= 0) corruptFrom = this.torn;
    if (this.cfg.readCorruptP > 0 && this.wal.length > 0 && this.rng.chance(this.cfg.readCorruptP)) {
      corruptFrom = Math.min(corruptFrom, this.rng.int(0, this.wal.length - 1));
    }
    const records = this.wal.slice();
    this.wal.length = corruptFrom;
    this.durable = Math.min(this.durable, corruptFrom);
    this.torn = -1;
    return { records, corruptFrom };
  }

  /** Records currently on disk (tests and checkers; do not mutate). */
  contents(): readonly R[] {
    return this.wal;
  }
}
