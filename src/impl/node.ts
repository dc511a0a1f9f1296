// The contract between a node of the system under test and whatever drives it (the simulator
// here; a real runtime could drive the same code). A node is a deterministic state machine:
// inputs arrive as method calls that carry the node's *local* time in microseconds, and every
// effect goes out through the NodeEnv the host hands it. Using a sink instead of returning
// output arrays keeps the simulator's hot path free of per-step allocations.
//
// Rules for implementations (tests enforce them): no Date, Math.random, timers, I/O, process,
// or module-level mutable state. Randomness comes only from env.rng.

export type NodeId = number;

/** The only randomness a node may use (election jitter). */
export interface ImplRng {
  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** Uniform float in [0, 1). */
  float(): number;
}

/** Effects a node may have on the world. M = message, R = durable record, Rep = client reply. */
export interface NodeEnv<M, R, Rep> {
  readonly id: NodeId;
  readonly rng: ImplRng;
  /** Send a message. Messages are immutable once sent: the host may deliver the same object
   * twice (duplication) and never copies it. */
  send(to: NodeId, msg: M): void;
  /** Append records to the node's write-ahead log. Returns a token, increasing per call.
   * With sync=true the host fsyncs and later calls onPersisted(token, now); fsyncs complete in
   * order, so onPersisted(t) means every write with a token <= t is durable. Records are
   * immutable once written. Until durable, a crash may lose them (all, a prefix, or torn). */
  persist(records: readonly R[], sync: boolean): number;
  /** Create or replace a named file (snapshots, markers). Volatile until a later syncFile's
   * token is durable; data is immutable once written. */
  writeFile(name: string, data: unknown): void;
  /** Atomically rename a file, replacing the target (volatile until a later syncFile). */
  renameFile(from: string, to: string): void;
  /** Delete a file if present (volatile until a later syncFile). */
  deleteFile(name: string): void;
  /** Start an fsync of everything written so far (WAL and files); returns a token from the same
   * sequence as persist's, completing through onPersisted in the same order. */
  syncFile(): number;
  /** Start a new WAL segment; returns its boundary. Records persisted from now on are after it. */
  rotateWal(): number;
  /** Delete the WAL segments before a boundary. Only once a snapshot that supersedes them is
   * durable (their records must be durable too). */
  dropWalBefore(boundary: number): void;
  /** Answer a client request. */
  reply(client: number, reply: Rep): void;
  /** Ask to be ticked at (or soon after) this local time. The latest call wins. */
  wakeAt(localUs: number): void;
  /** The node's monotonic clock now, µs (CLOCK_MONOTONIC: it runs at the oscillator's rate, so
   * drift moves it, but clock steps never do). Optional: hosts that model one (the simulator's
   * world does). Raft times lease reads on it. */
  monotonicNow?(): number;
  /** A notable event for the trace and the system's observers: `code` is the system's own
   * (its System.noteNames names them in decoded traces; Raft: role, commit, ...). Cheap:
   * numbers only. */
  note(code: number, a: number, b: number): void;
}

/** What the host calls. `now` is the node's local clock in microseconds. */
export interface SimNode<M, Req> {
  onMessage(from: NodeId, msg: M, now: number): void;
  onTick(now: number): void;
  onClient(client: number, req: Req, now: number): void;
  onPersisted(token: number, now: number): void;
}

/** What the disk hands back on restart: the durable records in order. If the last unsynced
 * write was torn, or a record failed its checksum on read, `corruptFrom` is the index of the
 * first bad record and every record from there on must be discarded by the node. */
export interface Recovered<R> {
  readonly records: readonly R[];
  readonly corruptFrom: number; // records.length when nothing is corrupt
  /** The durable named files (a snapshot, a restore marker). Absent: no files. */
  readonly files?: ReadonlyMap<string, unknown>;
}
