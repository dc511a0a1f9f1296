// The flight recorder's data: a RunResult with its kept trace, turned into a compact columnar
// model (parallel arrays of numbers, labels in a string table) that the viewer draws. Generic
// over systems: kernel records (crashes, restarts, pauses, messages, fault records) are read
// the same for every system; a system's notes are read through its `recorder` spec.
import { ALL_FAULT_KINDS, FAULT_CODE } from "../../sim/faults/codes.js";
import { T } from "../../sim/kernel/trace.js";
import type { RunResult } from "../../sim/runner/run.js";
import type { RecorderSpec, System } from "../../sim/runner/system.js";

/** Span kinds (ReportData.spans.kind). */
export const SPAN = { down: 0, paused: 1, cut: 2, clog: 3 } as const;
/** Mark kinds (ReportData.marks.kind). */
export const MARK = { crash: 0, restart: 1, disk: 2, clock: 3, note: 4, fault: 5, client: 6 } as const;
/** Op marks (ReportData.ops.mark): where the op stands in the counterexample. */
export const OPMARK = { none: 0, prefix: 1, inconsistent: 2, deadEnd: 3, deadline: 4 } as const;
/** Message fates (ReportData.msgs.fate). */
export const FATE = { delivered: 0, lost: 1, cut: 2, down: 3, inFlight: 4 } as const;

export interface LaneInfo {
  readonly name: string;
  /** enum: colored bands with names; step: a number; text: a label from the string table. */
  readonly kind: "enum" | "step" | "text";
  readonly names: Readonly<Record<number, string>> | null;
  readonly aux: string | null;
  readonly none: number | null;
}

export interface Series {
  readonly node: number;
  readonly lane: number;
  /** The split key (RecorderLane.splitBy), or null. */
  readonly key: number | null;
  readonly t: number[];
  readonly v: number[];
  readonly x: number[] | null;
}

export interface FailurePart {
  readonly partition: string | null;
  readonly prefixLength: number;
  readonly stateAfterPrefix: string;
  readonly cannotFollow: { readonly index: number; readonly reason: string; readonly text: string }[];
  readonly deadline: string | null;
}

export interface ReportData {
  readonly v: 1;
  readonly meta: {
    readonly title: string;
    readonly system: string;
    readonly seed: number;
    readonly verdict: string;
    readonly message: string | null;
    readonly atUs: number;
    readonly traceHash: string;
    readonly endUs: number;
    readonly events: number;
    /** [name, value] rows: bugs, time, scenario, families, ... */
    readonly options: [string, string][];
    /** [label, command line] rows: replay, shrink, ... */
    readonly commands: [string, string][];
  };
  readonly nodes: number;
  readonly clients: number;
  readonly lanes: LaneInfo[];
  readonly series: Series[];
  readonly spans: { node: number[]; t0: number[]; t1: number[]; kind: number[]; label: number[] };
  /** node -1: the cluster row; node >= nodes: a client endpoint. */
  readonly marks: { node: number[]; t: number[]; kind: number[]; label: number[] };
  /** Sorted by send time; t1 = arrival (or drop) time. */
  readonly msgs: { t0: number[]; t1: number[]; from: number[]; to: number[]; fate: number[] };
  /** The client history, per process (op.client) sorted by call; ret -1 = never returned. */
  readonly ops: { client: number[]; call: number[]; ret: number[]; status: number[]; index: number[]; mark: number[]; text: string[] };
  readonly failure: {
    readonly kind: "none" | "invariant" | "linearizability" | "liveness" | "unknown";
    readonly message: string | null;
    readonly atUs: number;
    readonly parts: FailurePart[];
    /** The last events at or before atUs (ticks and timers left out), oldest first. */
    readonly lastEvents: { t: number; text: string }[];
  };
  readonly strings: string[];
}

export class NoTraceError extends Error {
  constructor() {
    super("a report needs the run's trace records: run it with keepTrace: true");
    this.name = "NoTraceError";
  }
}

const KIND_OF_CODE: Record<number, string> = {};
for (const k of ALL_FAULT_KINDS) KIND_OF_CODE[FAULT_CODE[k]] = k;
/** Fault kinds whose arg a is a node (drawn on that node's row; -1: no node). */
const NODE_FAULTS = new Set(["isolate", "cut-one-way", "clock-offset", "clock-jump", "clock-drift", "clock-strobe", "disk-lose-unsynced", "disk-stall", "clog", "isolate-leader", "crash-leader", "reconnect", "snapshot-restore"]);
/** Drawn from the kernel's own records instead. */
const KERNEL_DRAWN = new Set(["crash", "restart", "pause", "resume"]);
const LAST_EVENTS = 50;

export interface ExtractOptions {
  readonly title?: string;
  readonly options?: readonly [string, string][];
  readonly commands?: readonly [string, string][];
  /** Servers and clients of the run (default: read from the trace). */
  readonly servers?: number;
  readonly clients?: number;
  /** End of the drawn time axis (default: the last record, or the failure). */
  readonly endUs?: number;
}

export function extractReport(system: System, r: RunResult, o: ExtractOptions = {}): ReportData {
  const tr = r.trace;
  if (!tr.keep) throw new NoTraceError();
  const ends = endpoints(r);
  const N = o.servers ?? ends.servers;
  const strings: string[] = [];
  const sIndex = new Map<string, number>();
  const str = (s: string): number => {
    let i = sIndex.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      sIndex.set(s, i);
    }
    return i;
  };
  const spec: RecorderSpec = system.recorder ?? { lanes: [] };
  const lanes: LaneInfo[] = spec.lanes.map((l) => ({ name: l.name, kind: l.kind, names: l.names ?? null, aux: l.aux?.name ?? null, none: l.none ?? null }));
  const clockLane = lanes.length;
  lanes.push({ name: "clock", kind: "text", names: null, aux: null, none: null });
  const series = new Map<string, Series>();
  const seriesOf = (node: number, lane: number, key: number | null, withAux: boolean): Series => {
    const id = `${node}/${lane}/${key}`;
    let s = series.get(id);
    if (s === undefined) {
      s = { node, lane, key, t: [], v: [], x: withAux ? [] : null };
      series.set(id, s);
    }
    return s;
  };
  const spans = { node: [] as number[], t0: [] as number[], t1: [] as number[], kind: [] as number[], label: [] as number[] };
  const marks = { node: [] as number[], t: [] as number[], kind: [] as number[], label: [] as number[] };
  const span = (node: number, t0: number, t1: number, kind: number, label: string) => {
    spans.node.push(node); spans.t0.push(t0); spans.t1.push(t1); spans.kind.push(kind); spans.label.push(str(label));
  };
  const mark = (node: number, t: number, kind: number, label: string) => {
    marks.node.push(node); marks.t.push(t); marks.kind.push(kind); marks.label.push(str(label));
  };
  const downSince = new Array<number>(N).fill(-1);
  const pausedSince = new Array<number>(N).fill(-1);
  const cut: ({ t: number; label: string } | null)[] = new Array(N).fill(null);
  const clock = new Array<number>(N).fill(0);
  const endCut = (n: number, t: number) => {
    const c = cut[n];
    if (c !== null) span(n, c.t, t, SPAN.cut, c.label);
    cut[n] = null;
  };
  const setCut = (n: number, t: number, label: string) => {
    if (n < 0 || n >= N) return;
    endCut(n, t);
    cut[n] = { t, label };
  };
  const actions = new Map<string, Record<string, unknown>>();
  for (const f of r.faults) actions.set(`${f.at}|${f.kind}`, f as unknown as Record<string, unknown>);
  // Messages: a send schedules `copies` arrivals; a deliver or a drop at arrival takes the
  // oldest pending one of the same link and key.
  const pending = new Map<string, number[]>();
  const msgRows: [number, number, number, number, number][] = [];
  const ep = (x: number) => (x < N ? `n${x}` : `c${x - N}`);
  const recent: { t: number; text: string }[] = [];
  let last = 0;
  const n = tr.count;
  for (let i = 0; i < n; i++) {
    const e = tr.record(i);
    const t = e.t;
    last = t;
    let text: string | null = null;
    switch (e.kind) {
      case "send": {
        const k = `${e.a}>${e.b}>${e.c}`;
        let q = pending.get(k);
        if (q === undefined) pending.set(k, (q = []));
        for (let c = 0; c < e.d; c++) q.push(t);
        text = `send ${ep(e.a)} → ${ep(e.b)} (key ${e.c}${e.d > 1 ? `, ${e.d} copies` : ""})`;
        break;
      }
      case "deliver":
      case "drop": {
        // A drop for loss happens at the send (no send record); one for a cut may happen at the
        // send or at the arrival: it takes a pending send of the same link and key if there is
        // one (a cut that drops a new message while an older one of the same key is still in
        // flight is drawn from the older one's send: an approximation the trace cannot settle).
        const q = pending.get(`${e.a}>${e.b}>${e.c}`);
        const t0 = (e.kind === "drop" && e.reason === "loss") || q === undefined || q.length === 0 ? t : q.shift()!;
        const fate = e.kind === "deliver" ? FATE.delivered : e.reason === "loss" ? FATE.lost : e.reason === "cut" ? FATE.cut : FATE.down;
        msgRows.push([t0, t, e.a, e.b, fate]);
        text = e.kind === "deliver" ? `deliver ${ep(e.a)} → ${ep(e.b)} (key ${e.c})` : `drop ${ep(e.a)} → ${ep(e.b)} (key ${e.c}, ${e.reason})`;
        break;
      }
      case "crash":
        if (e.a < N) {
          downSince[e.a] = t;
          mark(e.a, t, MARK.crash, `crash${e.b > 0 ? `: ${e.b} unsynced record(s) lost` : ""}${e.c ? ", torn write" : ""}`);
        }
        text = `crash ${ep(e.a)} (${e.b} unsynced lost${e.c ? ", torn" : ""})`;
        break;
      case "restart":
        if (e.a < N) {
          if (downSince[e.a] >= 0) span(e.a, downSince[e.a], t, SPAN.down, "down");
          downSince[e.a] = -1;
          mark(e.a, t, MARK.restart, `restart: ${e.b} record(s) recovered${e.c >= 0 ? `, corrupt from ${e.c}` : ""}`);
        }
        text = `restart ${ep(e.a)} (${e.b} records recovered)`;
        break;
      case "pause":
        if (e.a < N) pausedSince[e.a] = t;
        text = `pause ${ep(e.a)}`;
        break;
      case "resume":
        if (e.a < N && pausedSince[e.a] >= 0) span(e.a, pausedSince[e.a], t, SPAN.paused, "paused");
        if (e.a < N) pausedSince[e.a] = -1;
        text = `resume ${ep(e.a)}`;
        break;
      case "persist":
        text = `persist ${ep(e.a)} token ${e.b}: ${e.c} record(s)${e.d === 1 ? ", sync" : e.d === 2 ? " (rewrite)" : ""}`;
        break;
      case "persisted":
        text = `persisted ${ep(e.a)} token ${e.b}`;
        break;
      case "note": {
        const parts: string[] = [];
        spec.lanes.forEach((l, li) => {
          if (l.note !== e.b) return;
          const val = l.value === "c" ? e.c : e.d;
          const key = l.splitBy === undefined ? null : l.splitBy === "c" ? e.c : e.d;
          const v = l.splitBy === undefined ? val : l.splitBy === "c" ? e.d : e.c;
          const s = seriesOf(e.a, li, key, l.aux !== undefined);
          const auxV = l.aux === undefined ? 0 : l.aux.arg === "c" ? e.c : e.d;
          const k = s.t.length - 1;
          if (k >= 0 && s.v[k] === v && (s.x === null || s.x[k] === auxV)) return; // unchanged
          s.t.push(t);
          s.v.push(v);
          s.x?.push(auxV);
          parts.push(`${l.name}${key !== null ? `[${key}]` : ""}=${l.names?.[v] ?? v}${l.aux !== undefined ? ` ${l.aux.name} ${auxV}` : ""}`);
        });
        for (const m of spec.markers ?? []) {
          if (m.code !== e.b || (m.sub !== undefined && m.sub !== e.c)) continue;
          const label = fill(m.label, e.c, e.d);
          mark(e.a, t, MARK.note, label);
          parts.push(label);
        }
        text = `${ep(e.a)} ${parts.length > 0 ? parts.join(", ") : `note ${e.note} ${e.c} ${e.d}`}`;
        break;
      }
      case "client": {
        const parts: string[] = [];
        for (const m of spec.clientMarkers ?? []) {
          if (m.code !== e.b || (m.sub !== undefined && m.sub !== e.c)) continue;
          const label = fill(m.label, e.c, e.d);
          mark(e.a, t, MARK.client, label);
          parts.push(label);
        }
        text = `${ep(e.a)} ${parts.length > 0 ? parts.join(", ") : `client record ${e.b} ${e.c} ${e.d}`}`;
        break;
      }
      case "fault":
        text = fault(e.a, e.b, e.c, e.d, t);
        break;
      default:
        break; // tick, timer: not drawn
    }
    if (text !== null && t <= r.atUs) {
      recent.push({ t, text });
      if (recent.length > 4 * LAST_EVENTS) recent.splice(0, recent.length - LAST_EVENTS);
    }
  }

  function fault(code: number, a: number, b: number, c: number, t: number): string {
    const kind = KIND_OF_CODE[code] ?? `fault-${code}`;
    const act = actions.get(`${t}|${kind}`);
    let label = kind;
    switch (kind) {
      case "partition-halves": {
        const side = (act?.side as number[] | undefined) ?? null;
        for (let i = 0; i < N; i++) setCut(i, t, side === null ? "partitioned" : side.includes(i) ? `partition {${side.join(",")}}` : "partition (other side)");
        label = side === null ? "partition into halves" : `partition {${side.join(",")}} | rest`;
        break;
      }
      case "partition-ring":
        for (let i = 0; i < N; i++) setCut(i, t, "ring partition");
        label = `ring partition${act?.order ? ` ${(act.order as number[]).join("-")}` : ""}`;
        break;
      case "partition-bridge": {
        const side = (act?.side as number[] | undefined) ?? [];
        for (let i = 0; i < N; i++) setCut(i, t, i === b ? "bridge" : side.includes(i) ? `partition {${side.join(",")}}` : "partition (other side)");
        label = `partition with bridge n${b}`;
        break;
      }
      case "isolate":
      case "isolate-leader":
        if (a >= 0) setCut(a, t, "isolated");
        label = a >= 0 ? `${kind} n${a}` : `${kind} (no target)`;
        break;
      case "cut-one-way":
        setCut(a, t, `cut → n${b}`);
        label = `cut n${a} → n${b}`;
        break;
      case "reconnect":
        if (a >= 0 && a < N) endCut(a, t);
        label = `reconnect n${a}`;
        break;
      case "heal":
      case "heal-all":
        for (let i = 0; i < N; i++) endCut(i, t);
        break;
      case "clog":
        if (a >= 0 && a < N) span(a, t, t + c, SPAN.clog, `clog → ${ep(b)}`);
        label = `clog ${ep(a)} → ${ep(b)} for ${ms(c)}`;
        break;
      case "clock-offset":
      case "clock-jump":
      case "clock-drift":
      case "clock-strobe": {
        if (kind === "clock-offset") clock[a] = c;
        else if (kind === "clock-jump") clock[a] += c;
        const what = kind === "clock-drift" ? `drift ${c} ppm` : kind === "clock-strobe" ? `strobe ±${ms(c)}` : kind === "clock-offset" ? `offset set to ${signedMs(c)}` : `jump ${signedMs(c)}`;
        label = `clock ${what}`;
        if (a >= 0 && a < N) {
          const s = seriesOf(a, clockLane, null, false);
          s.t.push(t);
          s.v.push(str(kind === "clock-drift" || kind === "clock-strobe" ? what : `${kind === "clock-offset" ? "offset" : "Δ"} ${signedMs(clock[a])}`));
          mark(a, t, MARK.clock, label);
        }
        return `fault ${label} on n${a}`;
      }
      case "disk-lose-unsynced":
        label = `disk: a crash loses ${b === 0 ? "all" : b === 1 ? "a prefix of the" : "some"} unsynced writes`;
        if (a >= 0 && a < N) mark(a, t, MARK.disk, label);
        return `fault ${label} on n${a}`;
      case "disk-stall":
        label = `disk stalls for ${ms(c)}: no fsync completes before its end`;
        if (a >= 0 && a < N) mark(a, t, MARK.disk, label);
        return `fault ${label} on n${a}`;
      case "net":
        label = `network: latency ${ms(a)}, loss ${(b / 1e4).toFixed(1)}%, dup ${(c / 1e4).toFixed(1)}%`;
        break;
      case "snapshot-restore":
        label = `restore n${a} from backup -${c}${b ? "" : " (refused / no-op)"}`;
        break;
      case "crash-leader":
        label = a >= 0 ? `crash leader n${a} for ${ms(c)}` : "crash leader (no target)";
        break;
      default:
        // A system's own kind: its action's fields say more than the trace arguments.
        if (!KERNEL_DRAWN.has(kind)) label = act !== undefined ? `${kind} ${actionFields(act)}` : `${kind} ${a} ${b} ${c}`;
    }
    if (!KERNEL_DRAWN.has(kind)) {
      if (NODE_FAULTS.has(kind) && a >= 0 && a < N) mark(a, t, MARK.fault, label);
      else mark(-1, t, MARK.fault, label);
    }
    return `fault ${label}`;
  }

  const endUs = Math.max(o.endUs ?? 0, last, r.atUs, 1);
  for (let i = 0; i < N; i++) {
    if (downSince[i] >= 0) span(i, downSince[i], endUs, SPAN.down, "down");
    if (pausedSince[i] >= 0) span(i, pausedSince[i], endUs, SPAN.paused, "paused");
    endCut(i, endUs);
  }
  for (const [k, q] of pending) {
    const [from, to] = k.split(">").map(Number);
    for (const t0 of q) msgRows.push([t0, endUs, from, to, FATE.inFlight]);
  }
  msgRows.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const msgs = { t0: [] as number[], t1: [] as number[], from: [] as number[], to: [] as number[], fate: [] as number[] };
  for (const m of msgRows) {
    msgs.t0.push(m[0]); msgs.t1.push(m[1]); msgs.from.push(m[2]); msgs.to.push(m[3]); msgs.fate.push(m[4]);
  }
  // Spans and marks sorted by start time (the viewer binary-searches them per row).
  const spanOrder = spans.t0.map((_, i) => i).sort((x, y) => spans.t0[x] - spans.t0[y]);
  const markOrder = marks.t.map((_, i) => i).sort((x, y) => marks.t[x] - marks.t[y]);
  const pick = <K extends string>(o2: Record<K, number[]>, order: number[]): Record<K, number[]> => {
    const out = {} as Record<K, number[]>;
    for (const k of Object.keys(o2) as K[]) out[k] = order.map((i) => o2[k][i]);
    return out;
  };

  const { ops, failureParts } = history(system, r);
  const kind = r.verdict === "ok" ? "none" : r.verdict === "unknown" ? "unknown" : r.verdict === "liveness" ? "liveness" : r.lin?.counterexample ? "linearizability" : "invariant";
  return {
    v: 1,
    meta: {
      title: o.title ?? `raftsim ${r.system} seed ${r.seed}: ${r.verdict}`,
      system: r.system,
      seed: r.seed,
      verdict: r.verdict,
      message: r.message,
      atUs: r.atUs,
      traceHash: r.traceHash,
      endUs,
      events: tr.count,
      options: [...(o.options ?? [])],
      commands: [...(o.commands ?? [])],
    },
    nodes: N,
    clients: o.clients ?? Math.max(0, ends.all - N),
    lanes,
    series: [...series.values()].sort((x, y) => x.node - y.node || x.lane - y.lane || (x.key ?? 0) - (y.key ?? 0)),
    spans: pick(spans, spanOrder),
    marks: pick(marks, markOrder),
    msgs,
    ops,
    failure: { kind, message: r.message, atUs: r.atUs, parts: failureParts, lastEvents: recent.slice(-LAST_EVENTS) },
    strings,
  };
}

function history(system: System, r: RunResult): { ops: ReportData["ops"]; failureParts: FailurePart[] } {
  const model = system.model;
  const marks = new Map<number, number>();
  const parts: FailurePart[] = [];
  for (const p of r.lin?.counterexample?.parts ?? []) {
    for (const v of p.prefix) marks.set(v.index, OPMARK.prefix);
    if (p.deadline !== null && !marks.has(p.deadline.index)) marks.set(p.deadline.index, OPMARK.deadline);
    for (const b of p.cannotFollow) marks.set(b.index, b.reason === "inconsistent" ? OPMARK.inconsistent : OPMARK.deadEnd);
    parts.push({
      partition: p.partition,
      prefixLength: p.prefix.length,
      stateAfterPrefix: p.stateAfterPrefix,
      cannotFollow: p.cannotFollow.map((b) => ({ index: b.index, reason: b.reason, text: opLine(b) })),
      deadline: p.deadline === null ? null : opLine(p.deadline),
    });
  }
  const order = r.operations.map((_, i) => i).sort((x, y) => r.operations[x].client - r.operations[y].client || r.operations[x].call - r.operations[y].call);
  const ops: ReportData["ops"] = { client: [], call: [], ret: [], status: [], index: [], mark: [], text: [] };
  for (const i of order) {
    const op = r.operations[i];
    ops.client.push(op.client);
    ops.call.push(op.call);
    ops.ret.push(Number.isFinite(op.ret) ? op.ret : -1);
    ops.status.push(op.status === "ok" ? 0 : op.status === "fail" ? 1 : 2);
    ops.index.push(i);
    ops.mark.push(marks.get(i) ?? OPMARK.none);
    let text: string;
    try {
      text = model !== undefined ? model.describeOp(op.input as never, op.output as never, op.status) : `${JSON.stringify(op.input)} → ${op.status === "info" ? "?" : JSON.stringify(op.output)}`;
    } catch {
      text = String(JSON.stringify(op.input));
    }
    ops.text.push(text);
  }
  return { ops, failureParts: parts };
}

function opLine(v: { index: number; client: number; call: number; ret: number | null; description: string }): string {
  return `#${v.index} process ${v.client} [${ms(v.call)}, ${v.ret === null ? "∞" : ms(v.ret)}] ${v.description}`;
}

function actionFields(act: Record<string, unknown>): string {
  return Object.entries(act)
    .filter(([k]) => k !== "at" && k !== "kind")
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

function fill(label: string, c: number, d: number): string {
  return label.replace(/\{c\}/g, String(c)).replace(/\{d\}/g, String(d));
}

function ms(us: number): string {
  return `${(us / 1000).toFixed(us % 1000 === 0 ? 0 : 3)} ms`;
}

function signedMs(us: number): string {
  return `${us >= 0 ? "+" : "−"}${ms(Math.abs(us))}`;
}

/** The run's endpoints as its trace shows them: nodes are 0..N-1 and clients follow them, so
 * the lowest actor endpoint (timer or client record) is N. */
function endpoints(r: RunResult): { servers: number; all: number } {
  let minActor = Infinity, maxNode = -1, all = 0;
  for (let i = 0; i < r.trace.count; i++) {
    const e = r.trace.record(i);
    if (e.kind === "timer" || e.kind === "client") minActor = Math.min(minActor, e.a);
    else if (e.kind === "tick" || e.kind === "note" || e.kind === "crash" || e.kind === "restart" || e.kind === "persist") maxNode = Math.max(maxNode, e.a);
    if (e.kind === "send" || e.kind === "deliver" || e.kind === "drop") all = Math.max(all, e.a + 1, e.b + 1);
    else if (e.kind !== "fault") all = Math.max(all, e.a + 1);
  }
  const servers = Number.isFinite(minActor) ? minActor : maxNode + 1;
  return { servers, all: Math.max(all, servers) };
}
