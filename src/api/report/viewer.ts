// The report's viewer: one self-contained function (no imports but types, no closure over this
// module) that html.ts inlines with Function.prototype.toString(), so it is type-checked here
// and ships inside the package's dist/ like any other module. It draws the run on a canvas:
// rows per node (status bands, the system's state lanes), a cluster row, client endpoints and
// the client history per process (Porcupine-style intervals), message arrows when zoomed in,
// and the failure. Only visible items are visited: every row's items are sorted by time and
// found by binary search; items thinner than a pixel collapse to one pixel column. Redraws are
// throttled to one per animation frame. User text reaches the page through textContent only.
import type { ReportData } from "./model.js";
import type { VEl, VEvent, VWin } from "./viewer-dom.js";


export function raftsimViewer(data: ReportData, win: VWin): void {
  const doc = win.document;
  const $ = (id: string): VEl => doc.getElementById(id)!;
  const el = (tag: string, text?: string, cls?: string): VEl => {
    const e = doc.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls !== undefined) e.className = cls;
    return e;
  };
  const N = data.nodes;
  const S = data.strings;
  const fmt = (us: number): string => {
    const a = Math.abs(us);
    if (a >= 1e6) return `${(us / 1e6).toFixed(a >= 1e7 ? 2 : 3)} s`;
    if (a >= 1e3) return `${(us / 1e3).toFixed(a >= 1e5 ? 1 : 3)} ms`;
    return `${us} µs`;
  };
  const ep = (x: number): string => (x < 0 ? "cluster" : x < N ? `n${x}` : `c${x - N}`);

  // ---- the page around the canvas: header, commands, failure ---------------------------------
  $("title").textContent = data.meta.title;
  const verdict = $("verdict");
  verdict.textContent = `${data.meta.verdict}${data.meta.message !== null ? ` — ${data.meta.message}` : ""}`;
  verdict.dataset.verdict = data.meta.verdict;
  const meta = $("meta");
  const rows: [string, string][] = [
    ["system", data.meta.system],
    ["seed", String(data.meta.seed)],
    ["trace hash", data.meta.traceHash],
    ["events", String(data.meta.events)],
    ["servers / clients", `${N} / ${data.clients}`],
    ...data.meta.options,
  ];
  for (const [k, v] of rows) {
    const tr = el("tr");
    tr.appendChild(el("th", k));
    tr.appendChild(el("td", v));
    meta.appendChild(tr);
  }
  const cmds = $("commands");
  for (const [k, v] of data.meta.commands) {
    const d = el("div", undefined, "cmd");
    d.appendChild(el("span", `${k}: `, "cmd-label"));
    d.appendChild(el("code", v));
    cmds.appendChild(d);
  }
  const fail = data.failure;
  const failBox = $("failure");
  failBox.dataset.kind = fail.kind;
  $("failure-message").textContent = fail.kind === "none" ? "no failure: the run passed every check" : `${fail.kind} at ${fmt(fail.atUs)}: ${fail.message ?? ""}`;
  const cx = $("counterexample");
  for (const p of fail.parts) {
    const part = el("div", undefined, "cx-part");
    part.appendChild(el("h3", p.partition === null ? "the history is not linearizable" : `key ${JSON.stringify(p.partition)} is not linearizable`));
    part.appendChild(el("p", `longest linearizable prefix: ${p.prefixLength} op(s) (outlined green on the timeline); state after it: ${p.stateAfterPrefix}`));
    part.appendChild(el("p", "cannot follow it (red on the timeline):"));
    const ul = el("ul");
    for (const b of p.cannotFollow) {
      const li = el("li", `${b.text} — ${b.reason === "inconsistent" ? "its output is impossible here" : "fits, but leads to a dead end"}`, "op-unlinearizable");
      li.dataset.index = String(b.index);
      li.title = "click: zoom to this operation";
      li.addEventListener("click", () => focusOp(b.index));
      ul.appendChild(li);
    }
    part.appendChild(ul);
    if (p.deadline !== null) part.appendChild(el("p", `…one of them had to take effect before this returned: ${p.deadline}`, "cx-deadline"));
    cx.appendChild(part);
  }
  const lastList = $("last-events");
  for (const e of fail.lastEvents) lastList.appendChild(el("li", `${fmt(e.t)}  ${e.text}`));
  if (fail.lastEvents.length === 0) $("last-events-box").style.display = "none";

  // ---- rows -------------------------------------------------------------------------------------
  type Row = { kind: "status" | "lane" | "cluster" | "endpoint" | "process"; node: number; label: string; y: number; h: number; series?: ReportData["series"][number]; lane?: number; process?: number; items: number };
  const ROW = 16;
  const rowList: Row[] = [];
  let y = 22; // the time axis
  const nodeY: number[] = [];
  const laneUsed = data.lanes.map((_, i) => data.series.some((s) => s.lane === i));
  for (let n = 0; n < N; n++) {
    nodeY.push(y + ROW / 2);
    rowList.push({ kind: "status", node: n, label: `n${n}`, y, h: ROW, items: 0 });
    y += ROW;
    data.lanes.forEach((l, li) => {
      if (!laneUsed[li]) return;
      const ss = data.series.filter((s) => s.node === n && s.lane === li);
      if (ss.length === 0) ss.push({ node: n, lane: li, key: null, t: [], v: [], x: null });
      for (const s of ss) {
        rowList.push({ kind: "lane", node: n, label: `${l.name}${s.key !== null ? ` [${s.key}]` : ""}`, y, h: ROW - 3, series: s, lane: li, items: s.t.length });
        y += ROW - 3;
      }
    });
    y += 6;
  }
  rowList.push({ kind: "cluster", node: -1, label: "cluster", y, h: ROW, items: 0 });
  const clusterY = y + ROW / 2;
  y += ROW + 6;
  for (let c = 0; c < data.clients; c++) {
    nodeY.push(y + ROW / 4);
    rowList.push({ kind: "endpoint", node: N + c, label: `c${c}`, y, h: ROW / 2, items: 0 });
    y += ROW / 2 + 2;
  }
  const procs: number[] = [];
  for (const c of data.ops.client) if (procs.length === 0 || procs[procs.length - 1] !== c) procs.push(c);
  const procStart: number[] = [];
  data.ops.client.forEach((c, i) => {
    if (i === 0 || data.ops.client[i - 1] !== c) procStart.push(i);
  });
  procStart.push(data.ops.client.length);
  if (procs.length > 0) y += 6;
  procs.forEach((p, k) => {
    rowList.push({ kind: "process", node: -2, label: `process ${p}`, y, h: ROW, process: k, items: procStart[k + 1] - procStart[k] });
    y += ROW + 2;
  });
  const height = y + 6;

  // Per-row span and mark indices (already sorted by time in the data).
  const spansOf = new Map<number, number[]>();
  data.spans.node.forEach((n, i) => {
    let a = spansOf.get(n);
    if (a === undefined) spansOf.set(n, (a = []));
    a.push(i);
  });
  const marksOf = new Map<number, number[]>();
  data.marks.node.forEach((n, i) => {
    let a = marksOf.get(n);
    if (a === undefined) marksOf.set(n, (a = []));
    a.push(i);
  });
  for (const r of rowList) if (r.kind === "status" || r.kind === "cluster" || r.kind === "endpoint") r.items = (spansOf.get(r.node)?.length ?? 0) + (marksOf.get(r.node)?.length ?? 0) + countMsgs(r.node);
  function countMsgs(node: number): number {
    let k = 0;
    for (let i = 0; i < data.msgs.from.length; i++) if (data.msgs.from[i] === node || data.msgs.to[i] === node) k++;
    return k;
  }
  const spanT0 = new Map<number, number[]>();
  for (const [n, idx] of spansOf) spanT0.set(n, idx.map((i) => data.spans.t0[i]));
  const markT = new Map<number, number[]>();
  for (const [n, idx] of marksOf) markT.set(n, idx.map((i) => data.marks.t[i]));
  // Messages: a running maximum of arrival times, so the first one still in flight at t is found
  // by binary search too.
  const M = data.msgs.t0.length;
  const maxT1 = new Float64Array(M);
  for (let i = 0, m = -Infinity; i < M; i++) maxT1[i] = m = Math.max(m, data.msgs.t1[i]);

  /** First index i with a[i] > x (a sorted ascending). */
  const upper = (a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number => {
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (a[m] > x) hi = m;
      else lo = m + 1;
    }
    return lo;
  };
  const lower = (a: ArrayLike<number>, x: number, lo = 0, hi = a.length): number => {
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (a[m] < x) lo = m + 1;
      else hi = m;
    }
    return lo;
  };

  const labels = $("labels");
  for (const r of rowList) {
    const d = el("div", r.label, `row-label row-${r.kind}`);
    d.style.top = `${r.y}px`;
    d.style.height = `${r.h}px`;
    d.dataset.rowKind = r.kind;
    if (r.kind === "status") d.dataset.node = String(r.node);
    if (r.kind === "process") d.dataset.process = String(procs[r.process!]);
    labels.appendChild(d);
  }
  labels.style.height = `${height}px`;

  // ---- view and drawing -------------------------------------------------------------------------
  const END = data.meta.endUs;
  let v0 = 0, v1 = END;
  const canvas = $("canvas");
  const ctx = canvas.getContext("2d");
  let W = 800;
  let showMsgs = true;
  let lastDrawMs = 0;
  let drawPending = false;
  const MAX_ARROWS_MIN = 150;
  let arrowsDrawn = 0;
  let msgsInView = 0;
  const X = (t: number): number => ((t - v0) / (v1 - v0)) * W;
  const T = (x: number): number => v0 + (x / W) * (v1 - v0);
  const ROLE_COLORS = ["#cfe3f7", "#f6c177", "#e4572e", "#f9e79f", "#d5d8dc", "#a3d9a5", "#c39bd3", "#f5b7b1"];
  const STEP_COLORS = ["#eef2f6", "#dfe6ee"];
  const SPAN_COLORS = ["#555", "#9b59b6", "#f39c12", "#e67e22"];
  const MARK_COLORS = ["#c0392b", "#27ae60", "#8e44ad", "#2980b9", "#16a085", "#d35400", "#7f8c8d"];
  const OP_COLORS = ["#b6e3b6", "#f2c4c4", "#e8e0a8"];
  const enumColor = (li: number, v: number): string => {
    const l = data.lanes[li];
    if (l.name === "role") return ROLE_COLORS[v] ?? ROLE_COLORS[7];
    return ROLE_COLORS[((v % 8) + 8) % 8];
  };
  const valueText = (li: number, v: number, x: number | null): string => {
    const l = data.lanes[li];
    if (l.kind === "text") return S[v] ?? "";
    const name = l.names !== null ? (l.names[v] ?? String(v)) : String(v);
    if (l.name === "leader") return v < 0 ? "no leader" : `leader n${v}${x !== null ? ` (term ${x})` : ""}`;
    return `${name}${x !== null && l.aux !== null ? ` ${l.aux} ${x}` : ""}`;
  };

  function resize(): void {
    const box = $("timeline");
    W = Math.max(200, box.clientWidth - 110);
    const dpr = win.devicePixelRatio || 1;
    canvas.width = Math.floor(W * dpr);
    canvas.height = Math.floor(height * dpr);
    canvas.style.width = `${W}px`;
    canvas.style.height = `${height}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  }

  function request(): void {
    if (drawPending) return;
    drawPending = true;
    win.requestAnimationFrame(() => {
      drawPending = false;
      draw();
    });
  }

  function draw(): number {
    const start = win.performance.now();
    ctx.clearRect(0, 0, W, height);
    ctx.font = "10px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    drawAxis();
    for (const r of rowList) drawRow(r);
    drawFailureLine();
    if (showMsgs) drawMessages();
    lastDrawMs = win.performance.now() - start;
    const shown = $("range");
    shown.textContent = `${fmt(Math.round(v0))} – ${fmt(Math.round(v1))} (${fmt(Math.round(v1 - v0))} shown)${showMsgs && msgsInView > Math.max(MAX_ARROWS_MIN, W / 4) ? ` · ${msgsInView} messages in view: zoom in to draw them` : showMsgs ? ` · ${arrowsDrawn} messages` : ""}`;
    shown.dataset.t0 = String(v0);
    shown.dataset.t1 = String(v1);
    return lastDrawMs;
  }

  function drawAxis(): void {
    const span = v1 - v0;
    const raw = span / Math.max(2, W / 110);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = raw / p < 2 ? 2 * p : raw / p < 5 ? 5 * p : 10 * p;
    ctx.fillStyle = "#333";
    ctx.strokeStyle = "#e6e6e6";
    ctx.lineWidth = 1;
    for (let t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
      const x = Math.round(X(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, 16);
      ctx.lineTo(x, height);
      ctx.stroke();
      ctx.fillText(fmt(Math.round(t)), x + 2, 8);
    }
  }

  function drawRow(r: Row): void {
    if (r.kind === "lane") return drawLane(r);
    if (r.kind === "process") return drawOps(r);
    ctx.fillStyle = r.kind === "cluster" ? "#fafafa" : "#f7f9fb";
    ctx.fillRect(0, r.y, W, r.h);
    const idx = spansOf.get(r.node);
    if (idx !== undefined) {
      // Spans are few and may overlap: the ones starting before the right edge.
      const hi = upper(spanT0.get(r.node)!, v1);
      for (let k = 0; k < hi; k++) {
        const i = idx[k];
        const t1 = data.spans.t1[i];
        if (t1 < v0) continue;
        const x0 = Math.max(-1, X(data.spans.t0[i])), x1 = Math.min(W + 1, X(t1));
        const kind = data.spans.kind[i];
        ctx.fillStyle = SPAN_COLORS[kind];
        ctx.globalAlpha = kind === 0 ? 0.55 : 0.4;
        // Down and paused fill the row (the crash/restart marks carry the words); cuts and clogs
        // its lower half.
        const inset = kind === 2 || kind === 3 ? r.h / 2 : 0;
        ctx.fillRect(x0, r.y + inset, Math.max(1, x1 - x0), r.h - inset);
        ctx.globalAlpha = 1;
        const label = S[data.spans.label[i]];
        if (kind !== 0 && x1 - x0 > ctx.measureText(label).width + 6) {
          ctx.fillStyle = "#222";
          ctx.fillText(label, Math.max(x0, 0) + 3, r.y + (inset > 0 ? r.h * 0.75 : r.h / 2));
        }
      }
    }
    const mIdx = marksOf.get(r.node);
    if (mIdx !== undefined) {
      const ts = markT.get(r.node)!;
      const lo = lower(ts, v0), hi = upper(ts, v1);
      let lastPx = -1e9, lastText = -1e9;
      for (let k = lo; k < hi; k++) {
        const i = mIdx[k];
        const x = X(data.marks.t[i]);
        if (x - lastPx < 1) continue;
        lastPx = x;
        const kind = data.marks.kind[i];
        ctx.fillStyle = MARK_COLORS[kind];
        ctx.beginPath();
        ctx.moveTo(x, r.y + 1);
        ctx.lineTo(x + 4, r.y + r.h / 2);
        ctx.lineTo(x, r.y + r.h - 1);
        ctx.lineTo(x - 4, r.y + r.h / 2);
        ctx.fill();
        if (x - lastText > 120 && hi - lo < 200) {
          const label = S[data.marks.label[i]];
          ctx.fillStyle = "#222";
          ctx.fillText(label.length > 40 ? `${label.slice(0, 39)}…` : label, x + 6, r.y + r.h / 2);
          lastText = x;
        }
      }
    }
  }

  function drawLane(r: Row): void {
    const s = r.series!;
    const li = r.lane!;
    const l = data.lanes[li];
    const t = s.t;
    if (t.length === 0) return;
    let i = Math.max(0, upper(t, v0) - 1);
    let lastPx = -1e9;
    for (; i < t.length && t[i] <= v1; i++) {
      const v = s.v[i];
      const x0 = Math.max(-1, X(t[i]));
      const x1 = Math.min(W + 1, X(i + 1 < t.length ? t[i + 1] : END));
      if (x1 < 0) continue;
      if (x1 - x0 < 1 && Math.floor(x0) === lastPx) continue;
      lastPx = Math.floor(x0);
      if (l.none !== null && v === l.none) continue;
      ctx.fillStyle = l.kind === "enum" ? enumColor(li, v) : STEP_COLORS[i & 1];
      ctx.fillRect(x0, r.y, Math.max(1, x1 - x0), r.h);
      if (x1 - x0 > 24) {
        const text = valueText(li, v, s.x === null ? null : s.x[i]);
        if (ctx.measureText(text).width + 4 < x1 - x0) {
          ctx.fillStyle = l.kind === "enum" && l.name === "role" && v === 2 ? "#fff" : "#222";
          ctx.fillText(text, Math.max(x0, 0) + 2, r.y + r.h / 2);
        }
      }
    }
  }

  function drawOps(r: Row): void {
    const k = r.process!;
    const lo0 = procStart[k], hi0 = procStart[k + 1];
    const o = data.ops;
    // Within one process ops do not overlap: sorted by call, they are sorted by return too.
    let i = Math.max(lo0, upper(o.call, v0, lo0, hi0) - 1);
    let lastPx = -1e9;
    for (; i < hi0 && o.call[i] <= v1; i++) {
      const ret = o.ret[i] < 0 ? END : o.ret[i];
      if (ret < v0) continue;
      const x0 = Math.max(-2, X(o.call[i])), x1 = Math.min(W + 2, X(ret));
      const mark = o.mark[i];
      if (x1 - x0 < 1 && Math.floor(x0) === lastPx && mark === 0) continue;
      lastPx = Math.floor(x0);
      const w = Math.max(1, x1 - x0);
      ctx.fillStyle = mark === 2 || mark === 3 ? "#e74c3c" : OP_COLORS[o.status[i]];
      ctx.globalAlpha = o.status[i] === 2 ? 0.6 : 1;
      ctx.fillRect(x0, r.y + 2, w, r.h - 4);
      ctx.globalAlpha = 1;
      if (mark !== 0) {
        ctx.strokeStyle = mark === 1 ? "#1e8449" : mark === 4 ? "#e67e22" : "#7b241c";
        ctx.lineWidth = mark === 1 ? 1.5 : 2.5;
        ctx.strokeRect(x0, r.y + 2, w, r.h - 4);
        ctx.lineWidth = 1;
      }
      if (w > 30) {
        const text = o.text[i];
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0, r.y, w, r.h);
        ctx.clip();
        ctx.fillStyle = mark === 2 || mark === 3 ? "#fff" : "#222";
        ctx.fillText(text, Math.max(x0, 0) + 3, r.y + r.h / 2);
        ctx.restore();
      }
    }
  }

  function drawFailureLine(): void {
    if (data.failure.kind === "none") return;
    const x = X(data.failure.atUs);
    if (x < -2 || x > W + 2) return;
    ctx.strokeStyle = "#c0392b";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, 14);
    ctx.lineTo(x, height);
    ctx.stroke();
    ctx.lineWidth = 1;
    ctx.fillStyle = "#c0392b";
    ctx.fillText(`✗ ${data.failure.kind}`, Math.min(x + 4, W - 90), clusterY);
  }

  function drawMessages(): void {
    const m = data.msgs;
    const lo = lower(maxT1, v0), hi = upper(m.t0, v1);
    msgsInView = Math.max(0, hi - lo);
    arrowsDrawn = 0;
    if (msgsInView > Math.max(MAX_ARROWS_MIN, W / 4)) return;
    ctx.lineWidth = 1;
    for (let i = lo; i < hi; i++) {
      if (m.t1[i] < v0) continue;
      const fate = m.fate[i];
      const ya = nodeY[m.from[i]], yb = nodeY[m.to[i]];
      if (ya === undefined || yb === undefined) continue;
      const xa = X(m.t0[i]);
      let xb = X(m.t1[i]);
      let yEnd = yb;
      if (fate !== 0 && m.t1[i] === m.t0[i]) {
        // Dropped at send: a short stub toward the receiver, crossed.
        xb = xa + 10;
        yEnd = ya + Math.sign(yb - ya) * 10;
      }
      ctx.strokeStyle = fate === 0 ? "rgba(40,60,90,0.45)" : fate === 4 ? "rgba(120,120,120,0.5)" : "rgba(200,40,40,0.75)";
      ctx.beginPath();
      ctx.moveTo(xa, ya);
      ctx.lineTo(xb, yEnd);
      const ang = Math.atan2(yEnd - ya, xb - xa);
      if (fate === 0) {
        ctx.moveTo(xb, yEnd);
        ctx.lineTo(xb - 5 * Math.cos(ang - 0.4), yEnd - 5 * Math.sin(ang - 0.4));
        ctx.moveTo(xb, yEnd);
        ctx.lineTo(xb - 5 * Math.cos(ang + 0.4), yEnd - 5 * Math.sin(ang + 0.4));
      } else if (fate !== 4) {
        ctx.moveTo(xb - 3, yEnd - 3);
        ctx.lineTo(xb + 3, yEnd + 3);
        ctx.moveTo(xb - 3, yEnd + 3);
        ctx.lineTo(xb + 3, yEnd - 3);
      }
      ctx.stroke();
      arrowsDrawn++;
    }
  }

  // ---- interaction ------------------------------------------------------------------------------
  const MIN_SPAN = 20;
  function setRange(a: number, b: number): void {
    let span = Math.max(MIN_SPAN, Math.min(b - a, END * 1.2));
    let lo = a;
    if (b - a < MIN_SPAN) lo = (a + b) / 2 - span / 2;
    lo = Math.max(-END * 0.1, Math.min(lo, END * 1.1 - span));
    v0 = lo;
    v1 = lo + span;
    request();
  }
  function zoom(f: number, at?: number): void {
    const c = at ?? (v0 + v1) / 2;
    setRange(c - (c - v0) * f, c + (v1 - c) * f);
  }
  function pan(dt: number): void {
    setRange(v0 + dt, v1 + dt);
  }
  function focusOp(index: number): void {
    const i = data.ops.index.indexOf(index);
    if (i < 0) return;
    const a = data.ops.call[i], b = data.ops.ret[i] < 0 ? END : data.ops.ret[i];
    const pad = Math.max((b - a) * 2, 2000);
    setRange(a - pad, b + pad);
    canvas.scrollIntoView({ block: "nearest" });
  }
  const focusFailure = (): void => setRange(data.failure.atUs - 100_000, data.failure.atUs + 20_000);

  canvas.addEventListener(
    "wheel",
    (e) => {
      e.preventDefault();
      const rect = canvas.getBoundingClientRect();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan(((e.deltaX || e.deltaY) / W) * (v1 - v0));
      else zoom(Math.exp(e.deltaY * 0.0015), T(e.clientX - rect.left));
    },
    { passive: false },
  );
  let drag: { x: number; v0: number; v1: number } | null = null;
  canvas.addEventListener("mousedown", (e) => {
    if (e.button === 0) drag = { x: e.clientX, v0, v1 };
  });
  win.addEventListener("mouseup", () => {
    drag = null;
  });
  win.addEventListener("mousemove", (e) => {
    if (drag !== null) {
      const dt = ((e.clientX - drag.x) / W) * (drag.v1 - drag.v0);
      setRange(drag.v0 - dt, drag.v1 - dt);
    }
    tooltip(e);
  });
  doc.addEventListener("keydown", (e) => {
    if (e.ctrlKey) return;
    const span = v1 - v0;
    if (e.key === "+" || e.key === "=") zoom(0.5);
    else if (e.key === "-" || e.key === "_") zoom(2);
    else if (e.key === "ArrowLeft") pan(-span / 5);
    else if (e.key === "ArrowRight") pan(span / 5);
    else if (e.key === "0") setRange(0, END);
    else if (e.key === "f") focusFailure();
    else return;
    e.preventDefault();
  });
  $("zoom-in").addEventListener("click", () => zoom(0.5));
  $("zoom-out").addEventListener("click", () => zoom(2));
  $("zoom-fit").addEventListener("click", () => setRange(0, END));
  const toFail = $("zoom-failure");
  if (data.failure.kind === "none") toFail.style.display = "none";
  toFail.addEventListener("click", focusFailure);
  $("show-msgs").addEventListener("change", () => {
    showMsgs = !showMsgs;
    request();
  });
  win.addEventListener("resize", () => {
    resize();
    request();
  });

  const tip = $("tip");
  function tooltip(e: VEvent): void {
    if (e.target !== canvas || drag !== null) {
      tip.style.display = "none";
      return;
    }
    const rect = canvas.getBoundingClientRect();
    const x = e.clientX - rect.left, yy = e.clientY - rect.top;
    const r = rowList.find((q) => yy >= q.y && yy < q.y + q.h);
    const t = T(x);
    let text: string | null = null;
    if (r !== undefined && r.kind === "lane") {
      const s = r.series!;
      const i = upper(s.t, t) - 1;
      if (i >= 0) text = `n${r.node} ${data.lanes[r.lane!].name}: ${valueText(r.lane!, s.v[i], s.x === null ? null : s.x[i])} since ${fmt(s.t[i])}`;
    } else if (r !== undefined && r.kind === "process") {
      const k = r.process!;
      const i = upper(data.ops.call, t, procStart[k], procStart[k + 1]) - 1;
      if (i >= procStart[k] && (data.ops.ret[i] < 0 || data.ops.ret[i] >= t)) {
        const ret = data.ops.ret[i];
        text = `#${data.ops.index[i]} process ${procs[k]} [${fmt(data.ops.call[i])}, ${ret < 0 ? "∞" : fmt(ret)}] ${data.ops.text[i]}${["", " — in the longest linearizable prefix", " — cannot be linearized (output impossible)", " — cannot be linearized (dead end)", " — the deadline"][data.ops.mark[i]]}`;
      }
    } else if (r !== undefined) {
      const idx = marksOf.get(r.node);
      if (idx !== undefined) {
        const ts = markT.get(r.node)!;
        const lo = lower(ts, T(x - 5)), hi = upper(ts, T(x + 5));
        if (hi > lo) text = `${ep(r.node)} ${fmt(ts[lo])}: ${idx.slice(lo, Math.min(hi, lo + 6)).map((i) => S[data.marks.label[i]]).join("; ")}`;
      }
      if (text === null && spansOf.has(r.node)) {
        const hit = spansOf.get(r.node)!.filter((i) => data.spans.t0[i] <= t && data.spans.t1[i] >= t);
        if (hit.length > 0) text = hit.map((i) => `${ep(r.node)} ${S[data.spans.label[i]]} ${fmt(data.spans.t0[i])} – ${fmt(data.spans.t1[i])}`).join("; ");
      }
    }
    if (text === null) {
      tip.style.display = "none";
      return;
    }
    tip.textContent = text;
    tip.style.display = "block";
    tip.style.left = `${Math.min(x + 120, W - 100)}px`;
    tip.style.top = `${yy + 18}px`;
  }

  resize();
  if (data.failure.kind !== "none" && data.failure.atUs < END * 0.98) setRange(0, END);
  draw();

  // The hook the browser tests (and a curious user's console) use.
  win.raftsimReport = {
    nodes: N,
    clients: data.clients,
    processes: procs.length,
    failure: data.failure.kind,
    rows: () => rowList.map((r) => ({ kind: r.kind, node: r.node, label: r.label, items: r.items })),
    timelines: () => Array.from({ length: N }, (_, n) => rowList.filter((r) => r.node === n).reduce((a, r) => a + r.items, 0)),
    marked: () => ({
      unlinearizable: data.ops.index.filter((_, i) => data.ops.mark[i] === 2 || data.ops.mark[i] === 3),
      prefix: data.ops.mark.filter((m) => m === 1).length,
    }),
    visibleRange: () => [v0, v1],
    zoom: (f: number, at?: number) => zoom(f, at),
    pan: (dt: number) => pan(dt),
    setRange: (a: number, b: number) => setRange(a, b),
    drawNow: () => draw(),
    lastDrawMs: () => lastDrawMs,
    arrows: () => ({ drawn: arrowsDrawn, inView: msgsInView }),
  };
}
