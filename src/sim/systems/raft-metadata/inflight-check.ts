// inflight-bound: a leader's unanswered AppendEntries to a follower, counted on the wire, never
// exceed maxInflight (the flow-control contract of src/impl/raft/progress.ts: a pipeline of at
// most maxInflight appends in replicate state, one probe at a time otherwise). The progress
// check reads the leader's own in-flight count; a ring that frees too much or counts nothing
// (`addInflight` empty, `freeTo` freeing everything) reports a small count while the leader
// pipelines without bound, so only what was sent and what was heard can judge it. Issue 12
// part 3: 17 flow-control mutants of progress.ts survived every check.
//
// Per (leader L, follower F, term t) the check keeps the last indexes of L's non-empty appends
// to F, oldest first, and mirrors every way the leader may free them — always at least as much
// as the leader, so a correct leader never fails it:
//   - a success from F delivered to L (term t) frees the appends it covers, oldest first, as
//     Progress.freeTo; one delivered while L's progress of F is probing frees them all (the
//     leader's becomeReplicate empties the ring);
//   - a heartbeat answer delivered to L frees the oldest when the window is full (freeFirst);
//   - a rejection or any snapshot answer delivered to L, or a snapshot chunk L sends, frees all
//     (becomeProbe);
//   - a new term of L, or a new Progress object for F (a membership change), starts afresh.
// Each append L sends must then find at most maxInflight − 1 others unanswered.
//
// Read-only (messages and views), never draws or schedules: hash-neutral.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { AnyWorld } from "../../runner/system.js";

interface Window {
  term: number;
  pr: unknown;
  /** Last indexes of the unanswered non-empty appends, oldest first: `len` of them from
   * buf[head] on, wrapping (a ring, grown by doubling: frees happen on most answers, and
   * neither they nor sends allocate so; an array emptied by `length = 0` dropped its backing
   * store and reallocated it at the next send). */
  buf: Float64Array;
  head: number;
  len: number;
}

type WireMsg = { readonly type: string; readonly term: number; readonly success?: boolean; readonly index?: number; readonly prevIndex?: number; readonly entries?: readonly unknown[] };

export class InflightCheck {
  /** win[L * n + F] */
  private readonly win: (Window | undefined)[];

  constructor(private readonly n: number) {
    this.win = new Array(n * n).fill(undefined);
  }

  /** The world's onSend. Returns a failure message, or null. */
  onSend(w: AnyWorld, from: number, to: number, msg: WireMsg): string | null {
    if (from >= this.n || to >= this.n) return null;
    if (msg.type === "snap") {
      const win = this.win[from * this.n + to];
      if (win !== undefined) empty(win);
      return null;
    }
    if (msg.type !== "app" || msg.entries!.length === 0) return null;
    const node = w.nodes[from] as MetaServer | null;
    if (node === null) return null;
    const raft = node.raft;
    const pr = raft.prs[to];
    let win = this.win[from * this.n + to];
    if (win === undefined) {
      win = { term: msg.term, pr, buf: new Float64Array(8), head: 0, len: 0 };
      this.win[from * this.n + to] = win;
    } else if (win.term !== msg.term || win.pr !== pr) {
      win.term = msg.term;
      win.pr = pr;
      empty(win);
    }
    push(win, msg.prevIndex! + msg.entries!.length);
    const cap = raft.opts.maxInflight;
    const open = win.len;
    if (open > cap) {
      return `inflight-bound at node ${from}, t=${(w.now / 1000).toFixed(3)}ms, term ${msg.term}, follower ${to}: ${open} non-empty appends unanswered on the wire (last indexes ${listed(win)}), maxInflight ${cap}`;
    }
    return null;
  }

  /** The world's onDeliver: what the leader hears from its follower, before it handles it. */
  onDeliver(w: AnyWorld, from: number, to: number, msg: WireMsg): void {
    if (from >= this.n || to >= this.n) return;
    const win = this.win[to * this.n + from];
    if (win === undefined || win.term !== msg.term || win.len === 0) return;
    switch (msg.type) {
      case "appResp": {
        if (msg.success !== true) {
          empty(win);
          return;
        }
        const pr = (w.nodes[to] as MetaServer | null)?.raft.prs[from];
        // Probing (or gone): becomeReplicate empties the leader's ring.
        if (pr === undefined || !pr.replicate) {
          empty(win);
          return;
        }
        // freeTo(index): every append whose last index is covered, oldest first.
        const buf = win.buf;
        const mask = buf.length - 1;
        while (win.len > 0 && buf[win.head] <= msg.index!) {
          win.head = (win.head + 1) & mask;
          win.len--;
        }
        if (win.len === 0) empty(win);
        return;
      }
      case "hbResp": {
        // freeFirst when the window is full.
        const node = w.nodes[to] as MetaServer | null;
        if (node !== null && win.len >= node.raft.opts.maxInflight) {
          win.head = (win.head + 1) & (win.buf.length - 1);
          win.len--;
        }
        return;
      }
      case "snapResp":
        empty(win);
        return;
    }
  }
}

/** No append unanswered (the ring is reused). */
function empty(win: Window): void {
  win.head = 0;
  win.len = 0;
}

/** Append last index `x` to the ring, doubling it when full (its length stays a power of two). */
function push(win: Window, x: number): void {
  let buf = win.buf;
  if (win.len === buf.length) {
    const grown = new Float64Array(buf.length * 2);
    for (let i = 0; i < win.len; i++) grown[i] = buf[(win.head + i) & (buf.length - 1)];
    win.buf = buf = grown;
    win.head = 0;
  }
  buf[(win.head + win.len) & (buf.length - 1)] = x;
  win.len++;
}

/** The unanswered appends' last indexes, oldest first (for a failure message). */
function listed(win: Window): string {
  const out: number[] = [];
  for (let i = 0; i < win.len; i++) out.push(win.buf[(win.head + i) & (win.buf.length - 1)]);
  return out.join(", ");
}
