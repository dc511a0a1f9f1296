// Messages per node per second against cluster size N for each detector family of the failover
// system (FAILURE-DETECTION.md §e R4 H5: the bus's per-node cost grows with N): calm runs, the
// server-to-server sends of a steady-state window counted by message type, and cluster-bus bytes
// at Valkey's clusterMsg sizes. `npm run bench` runs it (bench/main.ts) and writes the table
// docs/detectors.md shows.
import type { AnyWorld, System, SystemRun } from "../../runner/system.js";
import { runSystem } from "../../runner/run.js";
import { failover } from "./system.js";

const S = 1_000_000;

/** Detector families measured by messageCost: `gossip` is the cluster bus itself; the others
 * are hosted as the bus's PFAIL input (src/impl/failover/valkey/fd-host.ts). A new family (the
 * lease detector) is one more entry. */
export const MESSAGE_DETECTORS: readonly string[] = ["gossip", "timeout", "phi", "swim", "lease"];

/** Cluster sizes for benchMessages: shards of 1 + 2, so multiples of 3 near 10, 30, 100, 300. */
export const MESSAGE_SIZES: readonly number[] = [9, 30, 99, 300];

/** Valkey's clusterMsg: the fixed header (with the 16384-bit slot bitmap) and one gossip entry
 * (clusterMsgDataGossip), bytes, as FAILURE-DETECTION.md §a1 sizes them. */
export const CLUSTER_MSG_HEADER_BYTES = 2256;
export const GOSSIP_ENTRY_BYTES = 104;


interface Tally {
  bus: number;
  busBytes: number;
  fd: number;
  repl: number;
  byType: Record<string, number>;
}

/** The failover system with its server-to-server sends counted inside [fromUs, toUs). Counting
 * reads the message only: the run (and its trace hash) is the system's own. */
function counting(system: System, fromUs: number, toUs: number, tally: Tally): System {
  return {
    ...system,
    setup(req) {
      const run = system.setup(req);
      let w: AnyWorld | null = null;
      const onSend = run.world.onSend;
      const counted: SystemRun = {
        ...run,
        world: {
          ...run.world,
          onSend(from, to, msg) {
            const now = w === null ? 0 : w.now;
            if (now >= fromUs && now < toUs) count(msg, tally);
            onSend?.(from, to, msg);
          },
        },
        attach(x) {
          w = x;
          run.attach?.(x);
        },
      };
      return counted;
    },
  };
}

function count(msg: unknown, t: Tally): void {
  const m = msg as { type: string; gossip?: readonly unknown[] };
  t.byType[m.type] = (t.byType[m.type] ?? 0) + 1;
  switch (m.type) {
    case "fd":
    // The lease design's own traffic: its shard log (Raft, renewals by CAS, in "grp"
    // envelopes), the holder's heartbeats, takeover grants, new-holder announcements.
    case "grp":
    case "hb":
    case "grantReq":
    case "grant":
    case "announce":
      t.fd++;
      break;
    case "repl":
    case "replAck":
    case "psync":
    case "fullsync":
    case "pull":
    case "pulled":
      t.repl++;
      break;
    default:
      // ping, pong, fail, authReq, authAck, update: one clusterMsg each.
      t.bus++;
      t.busBytes += CLUSTER_MSG_HEADER_BYTES + GOSSIP_ENTRY_BYTES * (m.gossip?.length ?? 0);
  }
}

export interface MessageRow {
  readonly detector: string;
  readonly servers: number;
  readonly shards: number;
  readonly windowS: number;
  /** The detector's own messages per node per second: the bus's for gossip, the hosted
   * detector's ({type: "fd"}) otherwise. */
  readonly detectorMsgsPerNodeS: number;
  /** Cluster-bus messages (PING, PONG, FAIL, auth, UPDATE) per node per second; a hosted
   * detector still runs the bus (gossip of PFAIL, FAIL, elections) beside it. */
  readonly busMsgsPerNodeS: number;
  /** Cluster-bus bytes per node per second at Valkey's sizes (header + gossip entries). */
  readonly busKBPerNodeS: number;
  readonly fdMsgsPerNodeS: number;
  /** Every server-to-server message (bus, detector, replication) per node per second. */
  readonly allMsgsPerNodeS: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly verdict: string;
  /** The run's trace hash: counting only reads messages, so it is the uncounted run's. */
  readonly traceHash: string;
  /** Wall seconds of the run, when the caller handed in a clock (src/sim reads no host time). */
  readonly wallS?: number;
}

export interface MessageCost {
  readonly settings: string;
  readonly warmupS: number;
  readonly windowS: number;
  readonly seed: number;
  readonly rows: readonly MessageRow[];
}

/** One calm run per (detector, N): warm-up, then a counted window, then the runner's final
 * 10 s and liveness phase (not counted). */
export function messageCost(opts: { detectors?: readonly string[]; sizes?: readonly number[]; warmupS?: number; windowS?: number; seed?: number; log?: (row: MessageRow) => void; wallClockMs?: () => number } = {}): MessageCost {
  const detectors = opts.detectors ?? MESSAGE_DETECTORS;
  const sizes = opts.sizes ?? MESSAGE_SIZES;
  const warmupS = opts.warmupS ?? 30;
  const windowS = opts.windowS ?? 60;
  const seed = opts.seed ?? 1;
  const rows: MessageRow[] = [];
  for (const detector of detectors) {
    for (const servers of sizes) {
      const tally: Tally = { bus: 0, busBytes: 0, fd: 0, repl: 0, byType: {} };
      const sys = counting(failover, warmupS * S, (warmupS + windowS) * S, tally);
      const clock = opts.wallClockMs;
      const t0 = clock?.() ?? 0;
      const r = runSystem(sys, {
        seed,
        servers,
        clients: 4,
        // The heal-all at timeUs − 10 s and the liveness phase come after the window.
        timeUs: (warmupS + windowS + 10) * S,
        faults: [],
        // One slot per shard at least (the default 48 slots cannot hold 100 shards).
        options: { detector, slots: Math.max(48, servers / 3), valkey: { nodeTimeoutMs: 15_000, pingIntervalMs: 0 } },
      });
      const per = (x: number) => round(x / servers / windowS, 2);
      const row: MessageRow = {
        detector,
        servers,
        shards: servers / 3,
        windowS,
        detectorMsgsPerNodeS: per(detector === "gossip" ? tally.bus : tally.fd),
        busMsgsPerNodeS: per(tally.bus),
        busKBPerNodeS: round(tally.busBytes / 1000 / servers / windowS, 1),
        fdMsgsPerNodeS: per(tally.fd),
        allMsgsPerNodeS: per(tally.bus + tally.fd + tally.repl),
        byType: tally.byType,
        verdict: r.verdict,
        traceHash: r.traceHash,
        ...(clock === undefined ? {} : { wallS: round((clock() - t0) / 1000, 1) }),
      };
      rows.push(row);
      opts.log?.(row);
    }
  }
  return { settings: "calm runs, seed 1, 4 clients, shards of 1 primary + 2 replicas, max(48, shards) slots, the bus at Valkey's production settings (T = 15 s, P = T/2); hosted detectors at their spec defaults", warmupS, windowS, seed, rows };
}

/** The markdown table of a MessageCost (docs/detectors.md). */
export function messagesTable(b: MessageCost): string {
  const sizes = [...new Set(b.rows.map((r) => r.servers))];
  const dets = [...new Set(b.rows.map((r) => r.detector))];
  const cell = (d: string, n: number, f: (r: MessageRow) => string) => {
    const r = b.rows.find((x) => x.detector === d && x.servers === n);
    return r === undefined ? "—" : f(r);
  };
  const lines = [
    `| detector | ${sizes.map((n) => `N = ${n}`).join(" | ")} |`,
    `|---|${sizes.map(() => "---:").join("|")}|`,
  ];
  for (const d of dets) lines.push(`| ${d}: its own msgs/node/s | ${sizes.map((n) => cell(d, n, (r) => String(r.detectorMsgsPerNodeS))).join(" | ")} |`);
  for (const d of dets) lines.push(`| ${d}: all msgs/node/s (bus + detector + replication) | ${sizes.map((n) => cell(d, n, (r) => String(r.allMsgsPerNodeS))).join(" | ")} |`);
  lines.push(`| gossip: bus kB/node/s | ${sizes.map((n) => cell("gossip", n, (r) => String(r.busKBPerNodeS))).join(" | ")} |`);
  return lines.join("\n");
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
