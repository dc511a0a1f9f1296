// A node's simulated disk: one write-ahead log of opaque immutable records. append() is
// volatile; fsync() completes after a simulated latency, in order, making every record appended
// before it began durable. A crash cancels pending fsyncs and loses the unsynced tail per the
// loss mode. On recovery a torn tail or an injected checksum failure is reported as
// corruptFrom; the disk then truncates there (a real WAL reader stops and repairs the same way).
//
// Named files (snapshots, markers) live beside the WAL: writeFile / renameFile / deleteFile act
// on the volatile namespace at once; they become durable with the next fsync that completes
// (syncFile starts one without a WAL append). Every fsync is a barrier over the whole disk:
// when it completes, every WAL append and file operation issued before it began is durable
// (a WAL on the same filesystem with syncfs semantics; stronger than POSIX's per-file fsync,
// which would also need a directory fsync for the rename — we model one barrier, in order).
// A crash keeps a *prefix of the combined* unsynced operation sequence (WAL appends and file
// operations in issue order) per the loss mode, so what survives is always the state after
// some prefix of what the node did: a rename is atomic (the name holds the old or the new
// file, never a mix), and an unsynced write or rename may be lost.
//
// WAL segments: rotateWal() marks a boundary; dropWalBefore(b) deletes the records before it
// (the node calls it once a snapshot covering them is durable). At that moment the disk keeps
// a backup of its durable state (references to immutable records and files, no copies of
// data) for the "snapshot-restore" fault: an operator restoring a node from an older backup.
import type { Recovered } from "../../impl/node.js";
import { fail } from "./assert.js";
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

/** A copy of c in one literal, its numbers doubles from their first store (NaN): one hidden
 * class for every disk whatever the config's origin, kept when a field later takes a
 * fractional value (see fixedNetConfig in network.ts for why that matters). */
function fixedDiskConfig(c: DiskConfig): DiskConfig {
  const o: DiskConfig = { fsyncMedianUs: NaN, fsyncSigma: NaN, lossMode: c.lossMode, readCorruptP: NaN };
  o.fsyncMedianUs = c.fsyncMedianUs;
  o.fsyncSigma = c.fsyncSigma;
  o.readCorruptP = c.readCorruptP;
  return o;
}

export interface CrashLoss {
  readonly lost: number; // unsynced records dropped
  readonly torn: boolean; // a partially written record was left behind
}

/** A file operation not yet durable. walLen: WAL length when it was issued (orders it among
 * the WAL appends). */
interface FileOp {
  readonly op: "write" | "rename" | "delete";
  readonly name: string;
  readonly to: string;
  readonly data: unknown;
  readonly walLen: number;
}

/** A durable state of a disk: its WAL records and named files. Immutable once taken. */
export interface DiskBackup<R> {
  readonly wal: readonly R[];
  readonly files: ReadonlyMap<string, unknown>;
  /** Virtual time it was taken. */
  readonly at: number;
}

/** Backups kept per disk (oldest dropped first). */
export const MAX_BACKUPS = 4;

export class Disk<R> {
  cfg: DiskConfig;
  private wal: R[] = [];
  /** Absolute position of wal[0] (records dropped with dropWalBefore). */
  private walBase = 0;
  /** Named files: what the node sees now, and what survives a crash. */
  private files = new Map<string, unknown>();
  private dfiles = new Map<string, unknown>();
  /** File operations not yet durable, in issue order. */
  private fops: FileOp[] = [];
  private readonly backups: DiskBackup<R>[] = [];
  private durable = 0; // wal[0..durable) survives any crash
  private torn = -1; // index of a torn record left by the last crash, or -1
  private nextToken = 1;
  // Pending fsyncs, FIFO: token, wal length when it began, scheduler handle.
  private pTokens: number[] = [];
  private pLens: number[] = [];
  private pFops: number[] = []; // fops.length when the fsync began (fops shift as they complete)
  private pHandles: number[] = [];
  private lastCompletion = 0;
  private completedN = 0;
  /** Virtual time until which the device is stalled (a "disk-stall" fault): no fsync completes
   * before it. NaN first, so the field holds doubles (see fixedNetConfig in network.ts). */
  private stallUntilUs = NaN;

  constructor(
    readonly node: number,
    private readonly sched: Scheduler,
    private readonly rng: Rng,
    cfg: DiskConfig = defaultDiskConfig,
  ) {
    this.cfg = fixedDiskConfig(cfg);
    this.stallUntilUs = 0;
  }

  /** The virtual time the current stall ends (0 or past: none). */
  get stalledUntil(): number {
    return this.stallUntilUs;
  }

  /** Stall the device until untilUs (an fsync that hangs, as slow or failing storage does:
   * etcd's "slow fdatasync"): no fsync completes before then, those in flight included, and
   * completions keep their order. Writes go on piling up behind it, each answer that waits for
   * durability with them. A stall during a stall extends it (never shortens it), so every
   * completion it holds is at its end. stall(0) (or any time not after now) ends it: the
   * completions it held complete now, in order. Draws nothing. */
  stall(untilUs: number): void {
    const now = this.sched.now;
    const held = this.stallUntilUs;
    if (untilUs > now && untilUs <= held) return;
    this.stallUntilUs = untilUs;
    if (untilUs <= now) {
      if (held <= now) return;
      // Ended early (heal-all): what waited for the stall's end completes now.
      this.moveCompletions((t) => t === held, now);
      const n = this.pHandles.length;
      const lastAt = n > 0 ? this.sched.timeOf(this.pHandles[n - 1]) : now;
      this.lastCompletion = lastAt > now ? lastAt : now;
      return;
    }
    // In flight: each completion that would come sooner waits for the stall's end.
    this.moveCompletions((t) => t < untilUs, untilUs);
    if (this.lastCompletion < untilUs) this.lastCompletion = untilUs;
  }

  /** Move the pending completions whose time passes `which` to `at`, in FIFO order: each
   * reschedule takes a fresh sequence number, so equal times keep this order. (Faults only.) */
  private moveCompletions(which: (t: number) => boolean, at: number): void {
    for (let i = 0; i < this.pHandles.length; i++) {
      const h = this.pHandles[i];
      if (which(this.sched.timeOf(h))) this.pHandles[i] = this.sched.reschedule(h, at, Ev.fsync, this.node, this.pTokens[i], undefined);
    }
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

  /** Fsyncs completed so far (this disk's lifetime; crashes cancel pending ones, which never
   * complete). A read for checks: they tell an fsync's completion from other events by it. */
  get fsyncsCompleted(): number {
    return this.completedN;
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
    if (at < this.stallUntilUs) at = this.stallUntilUs;
    if (at < this.lastCompletion) at = this.lastCompletion; // completions stay in order
    this.lastCompletion = at;
    this.pTokens.push(token);
    this.pLens.push(this.wal.length);
    this.pFops.push(this.fops.length);
    this.pHandles.push(this.sched.push(at, Ev.fsync, this.node, token, undefined));
  }

  /** The fsync for `token` finished (called from its scheduled event). */
  complete(token: number): void {
    if (!(this.pTokens.length > 0 && this.pTokens[0] === token)) fail(`disk ${this.node}: fsync ${token} completed out of order`);
    const len = this.pLens[0];
    const nf = this.pFops[0];
    this.pTokens.shift();
    this.pLens.shift();
    this.pFops.shift();
    this.pHandles.shift();
    this.completedN++;
    if (len > this.durable) this.durable = len;
    if (nf > 0) {
      for (let i = 0; i < nf; i++) this.applyDurable(this.fops[i]);
      this.fops.splice(0, nf);
      for (let i = 0; i < this.pFops.length; i++) this.pFops[i] -= nf;
    }
  }

  // ---- named files ----

  /** Create or replace a file (volatile until the next fsync completes). data is immutable. */
  writeFile(name: string, data: unknown): void {
    this.files.set(name, data);
    this.fops.push({ op: "write", name, to: "", data, walLen: this.wal.length });
  }

  /** Atomically rename `from` to `to`, replacing `to` (volatile until the next fsync). */
  renameFile(from: string, to: string): void {
    if (!this.files.has(from)) fail(`disk ${this.node}: rename of missing file ${from}`);
    this.files.set(to, this.files.get(from));
    this.files.delete(from);
    this.fops.push({ op: "rename", name: from, to, data: undefined, walLen: this.wal.length });
  }

  deleteFile(name: string): void {
    if (!this.files.delete(name)) return;
    this.fops.push({ op: "delete", name, to: "", data: undefined, walLen: this.wal.length });
  }

  /** Start an fsync (a barrier: everything issued so far becomes durable). Returns its token. */
  syncFile(): number {
    const token = this.nextToken++;
    this.startFsync(token);
    return token;
  }

  /** The file as the node sees it now (undefined when absent). */
  readFile(name: string): unknown {
    return this.files.get(name);
  }

  /** The durable version of a file (what a crash would leave). */
  durableFile(name: string): unknown {
    return this.dfiles.get(name);
  }

  private applyDurable(f: FileOp): void {
    if (f.op === "write") this.dfiles.set(f.name, f.data);
    else if (f.op === "delete") this.dfiles.delete(f.name);
    else {
      if (!this.dfiles.has(f.name)) fail(`disk ${this.node}: durable rename of missing file ${f.name}`);
      this.dfiles.set(f.to, this.dfiles.get(f.name));
      this.dfiles.delete(f.name);
    }
  }

  // ---- WAL segments and backups ----

  /** Start a new WAL segment; returns its boundary (an absolute record position). */
  rotateWal(): number {
    return this.walBase + this.wal.length;
  }

  /** Delete the segments before `boundary`. They must be durable (the node drops them only
   * once a snapshot covering them is durable). Then back up the durable state. */
  dropWalBefore(boundary: number): void {
    const k = boundary - this.walBase;
    if (!(k >= 0 && k <= this.durable)) fail(`disk ${this.node}: dropping WAL records that are not durable (${k} > ${this.durable})`);
    if (k > 0) {
      this.wal.splice(0, k);
      this.walBase = boundary;
      this.durable -= k;
      for (let i = 0; i < this.pLens.length; i++) this.pLens[i] -= k;
      for (const f of this.fops) (f as { walLen: number }).walLen = Math.max(0, f.walLen - k);
      if (this.torn >= 0) this.torn = Math.max(-1, this.torn - k);
    }
    this.backups.push({ wal: this.wal.slice(0, this.durable), files: new Map(this.dfiles), at: this.sched.now });
    if (this.backups.length > MAX_BACKUPS) this.backups.shift();
  }

  backupCount(): number {
    return this.backups.length;
  }

  /** The backup `back` steps back (1 = the latest), clamped to the oldest; null when none. */
  backup(back: number): DiskBackup<R> | null {
    const n = this.backups.length;
    if (n === 0) return null;
    const i = n - Math.max(1, Math.min(back, n));
    return this.backups[i];
  }

  /** Replace the (crashed) disk's contents with a backup (null: an empty disk), then write
   * `marker` durably (the operator's restore procedure). Backups older than it are kept;
   * newer ones go (they describe a future this disk no longer has). */
  restore(b: DiskBackup<R> | null, marker: { name: string; data: unknown } | null): void {
    if (this.pTokens.length > 0) fail(`disk ${this.node}: restore with fsyncs in flight (crash first)`);
    this.wal = b === null ? [] : b.wal.slice();
    this.walBase = 0;
    this.durable = this.wal.length;
    this.torn = -1;
    this.fops.length = 0;
    this.dfiles = b === null ? new Map() : new Map(b.files);
    if (marker !== null) this.dfiles.set(marker.name, marker.data);
    this.files = new Map(this.dfiles);
    const keep = b === null ? 0 : this.backups.indexOf(b) + 1;
    this.backups.length = Math.max(0, keep);
  }

  /** Power loss: cancel fsyncs in flight and lose the unsynced tail per the loss mode: a
   * prefix of the combined sequence of unsynced WAL appends and file operations survives. */
  crash(): CrashLoss {
    for (const h of this.pHandles) this.sched.cancel(h);
    this.pTokens.length = 0;
    this.pLens.length = 0;
    this.pFops.length = 0;
    this.pHandles.length = 0;
    this.lastCompletion = 0;
    const unsynced = this.wal.length - this.durable;
    const nf = this.fops.length;
    let keep = 0; // unsynced WAL records kept
    let keepF = 0; // unsynced file operations kept
    let torn = false;
    if (unsynced + nf > 0 && this.cfg.lossMode !== "all") {
      const total = unsynced + nf;
      let k = this.rng.int(0, total);
      // Walk the combined order: file op f comes after the WAL records below f.walLen.
      let lastWasRecord = false;
      for (let w = this.durable, f = 0; k > 0; k--) {
        if (f < nf && this.fops[f].walLen <= w) {
          f++;
          keepF = f;
          lastWasRecord = false;
        } else {
          w++;
          keep = w - this.durable;
          lastWasRecord = true;
        }
      }
      if (this.cfg.lossMode === "torn" && keep + keepF > 0) {
        if (lastWasRecord) {
          torn = true; // the last kept record was only partly written
          this.torn = this.durable + keep - 1;
        } else {
          keepF--; // a torn file write or rename never happened, as far as names go
        }
      }
    }
    for (let i = 0; i < keepF; i++) this.applyDurable(this.fops[i]);
    this.fops.length = 0;
    this.files = new Map(this.dfiles);
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
    return { records, corruptFrom, files: new Map(this.dfiles) };
  }

  /** Absolute position of contents()[0]: records before it were dropped with dropWalBefore
   * (checks that read the WAL incrementally count positions from it). */
  get walStart(): number {
    return this.walBase;
  }

  /** Records currently on disk (tests and checkers; do not mutate). */
  contents(): readonly R[] {
    return this.wal;
  }
}
