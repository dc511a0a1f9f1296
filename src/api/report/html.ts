// One self-contained HTML file: the data as JSON in a <script type="application/json"> (every
// <, >, & and line separator escaped, so no value can close the element), the viewer inlined
// from viewer.ts, inline styles, and a Content-Security-Policy that allows exactly that script
// and that style (by their SHA-256) and nothing from anywhere: no network, no other scripts.
import { createHash } from "node:crypto";
import type { ReportData } from "./model.js";
import { raftsimViewer } from "./viewer.js";

const STYLE = `
body{font:13px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1b1f24;background:#fff}
header{padding:10px 16px;background:#1b2733;color:#fff}
h1{font-size:16px;margin:0 0 4px}
h2{font-size:14px;margin:0 0 6px}
h3{font-size:13px;margin:6px 0 2px}
#verdict{font-weight:600}
#verdict[data-verdict=ok]{color:#8fe388}
#verdict[data-verdict=violation],#verdict[data-verdict=liveness]{color:#ff9b8f}
main{padding:8px 16px}
.panels{display:flex;gap:16px;flex-wrap:wrap}
.panel{flex:1 1 420px;min-width:0}
table{border-collapse:collapse}
th{text-align:left;padding:1px 10px 1px 0;color:#555;font-weight:500;white-space:nowrap;vertical-align:top}
td{padding:1px 0;word-break:break-all}
.cmd{margin:3px 0}
.cmd-label{color:#555}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f3f4f6;padding:1px 4px;border-radius:3px;word-break:break-all;user-select:all}
#failure{border-left:4px solid #c0392b;padding:4px 10px;background:#fdf3f2}
#failure[data-kind=none]{border-color:#27ae60;background:#f2fbf3}
#failure-message{font-weight:600;white-space:pre-wrap;word-break:break-word}
.op-unlinearizable{color:#922b21;cursor:pointer;font-family:ui-monospace,Menlo,monospace;font-size:12px}
.cx-deadline{color:#a04000}
#last-events{font:11px ui-monospace,Menlo,monospace;max-height:220px;overflow:auto;margin:4px 0;padding-left:24px}
#toolbar{position:sticky;top:0;z-index:2;background:#fff;padding:6px 0;border-bottom:1px solid #ddd;display:flex;gap:6px;align-items:center;flex-wrap:wrap}
button{font:inherit;padding:2px 10px}
#range{color:#444;margin-left:8px}
#timeline{position:relative;display:flex;margin-top:4px}
#labels{position:relative;width:110px;flex:none}
.row-label{position:absolute;left:0;width:104px;font-size:10px;line-height:1;display:flex;align-items:center;color:#555;overflow:hidden;white-space:nowrap}
.row-status,.row-cluster{font-weight:700;color:#1b1f24;font-size:11px}
#canvas{display:block;cursor:grab}
#tip{position:absolute;display:none;max-width:560px;background:#1b2733;color:#fff;padding:4px 8px;border-radius:4px;font-size:11px;pointer-events:none;white-space:pre-wrap;word-break:break-word;z-index:3}
#legend{color:#555;font-size:11px;margin:8px 0}
`;

const BODY = `
<header><h1 id="title"></h1><div id="verdict"></div></header>
<main>
<div class="panels">
<section class="panel"><h2>Run</h2><table id="meta"></table><div id="commands"></div></section>
<section class="panel" id="failure"><h2>Failure</h2><p id="failure-message"></p><div id="counterexample"></div>
<details id="last-events-box"><summary>the last events before it</summary><ol id="last-events"></ol></details></section>
</div>
<div id="toolbar"><button id="zoom-in" title="zoom in (+)">+</button><button id="zoom-out" title="zoom out (-)">−</button><button id="zoom-fit" title="whole run (0)">whole run</button><button id="zoom-failure" title="the failure (f)">failure</button><label><input type="checkbox" id="show-msgs" checked> messages</label><span id="range"></span></div>
<div id="timeline"><div id="labels"></div><canvas id="canvas" tabindex="0"></canvas><div id="tip"></div></div>
<p id="legend">Wheel: zoom at the pointer · drag or shift+wheel: pan · keys + − ← → 0 f. Rows per node: status (dark: down, purple: paused, orange: partitioned or clogged; diamonds: crash, restart, disk, clock, notes, faults), then the system's lanes. Client history per process: green ok, pink fail, yellow indeterminate; outlined green: the longest linearizable prefix; red: cannot be linearized. The red line is the failure. Arrows: messages (red ×: dropped).</p>
</main>`;

/** JSON for a <script type="application/json">: nothing in it can end the element or start
 * markup (<, >, &), and U+2028/2029 are escaped too. */
export function scriptSafeJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The report page for `data`. */
export function reportHtml(data: ReportData): string {
  // `__name` guards against a transpiler's keep-names helper inside the inlined function.
  const script = `"use strict";var __name=function(f){return f};(${raftsimViewer.toString()})(JSON.parse(document.getElementById("raftsim-data").textContent),window);`;
  const csp = `default-src 'none'; script-src ${sha256(script)}; style-src ${sha256(STYLE)}; img-src 'none'; connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="raftsim flight recorder">
<title>${escapeText(data.meta.title)}</title>
<style>${STYLE}</style>
</head>
<body>${BODY}
<script type="application/json" id="raftsim-data">${scriptSafeJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}
