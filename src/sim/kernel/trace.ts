// The run's trace: compact numeric records (kind, virtual time, a, b, c, d) in growable typed
// arrays, plus a running 64-bit hash (two independent 32-bit lanes) over every record. The
// hash is what replay compares; records are kept only when asked (for --trace / reports).
import { fmix32 } from "../../util/hash.js";

export const T = {
  deliver: 1, // a=from b=to c=msgKey
  drop: 2, // a=from b=to c=msgKey d=DropReason
  tick: 3, // a=node
  persist: 4, // a=node b=token c=#records d=sync
  persisted: 5, // a=node b=token
  crash: 6, // a=node b=#unsynced records lost c=#torn (0/1)
  restart: 7, // a=node b=#records recovered c=corruptFrom
  pause: 8, // a=node
  resume: 9, // a=node
  fault: 10, // a=FaultCode b,c,d = args
  note: 11, // a=node b=the system's note code c,d = args
  client: 12, // a=actor endpoint b,c,d = actor-defined
  timer: 13, // a=actor endpoint
  send: 14, // a=from b=to c=msgKey d=#copies scheduled
} as const;

export const DropReason = { cut: 1, loss: 2, down: 3 } as const;

const KIND_NAMES: Record<number, string> = {};
for (const [k, v] of Object.entries(T)) KIND_NAMES[v] = k;
const REASON_NAMES: Record<number, string> = { 1: "cut", 2: "loss", 3: "down" };

const TWO_32 = 4294967296;

export interface TraceRecord {
  readonly i: number;
  readonly kind: string;
  readonly t: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly reason?: string;
  readonly note?: string;
}

export class Trace {
  count = 0;
  private h1 = 0x811c9dc5;
  private h2 = 0x5bd1e995;
  private cap = 0;
  private kinds = new Uint8Array(0);
  private times = new Float64Array(0);
  private args = new Int32Array(0);

  /** noteNames: the system's names for its note codes (decoded records carry them). */
  constructor(readonly keep: boolean, private readonly noteNames: Readonly<Record<number, string>> = {}) {
    if (keep) this.grow(4096);
  }

  add(kind: number, t: number, a: number, b: number, c: number, d: number): void {
    // Lane 1: FNV-1a over words; lane 2: murmur3-style multiply-rotate. Independent enough that
    // the pair behaves as a 64-bit hash for equality checks.
    const tlo = t >>> 0;
    const thi = (t / TWO_32) >>> 0;
    let h1 = this.h1, h2 = this.h2;
    h1 = Math.imul(h1 ^ kind, 0x01000193); h2 = mix(h2, kind);
    h1 = Math.imul(h1 ^ tlo, 0x01000193); h2 = mix(h2, tlo);
    h1 = Math.imul(h1 ^ thi, 0x01000193); h2 = mix(h2, thi);
    h1 = Math.imul(h1 ^ a, 0x01000193); h2 = mix(h2, a);
    h1 = Math.imul(h1 ^ b, 0x01000193); h2 = mix(h2, b);
    h1 = Math.imul(h1 ^ c, 0x01000193); h2 = mix(h2, c);
    h1 = Math.imul(h1 ^ d, 0x01000193); h2 = mix(h2, d);
    this.h1 = h1;
    this.h2 = h2;
    if (this.keep) {
      const n = this.count;
      if (n === this.cap) this.grow(this.cap * 2);
      this.kinds[n] = kind;
      this.times[n] = t;
      const o = n * 4;
      this.args[o] = a; this.args[o + 1] = b; this.args[o + 2] = c; this.args[o + 3] = d;
    }
    this.count++;
  }

  /** 16 hex chars. */
  hash(): string {
    const x = fmix32(this.h1 ^ this.count), y = fmix32(this.h2 + Math.imul(this.count, 0x9e3779b1));
    return hex8(x) + hex8(y);
  }

  record(i: number): TraceRecord {
    const o = i * 4;
    const kind = this.kinds[i];
    const r: TraceRecord = {
      i, kind: KIND_NAMES[kind] ?? String(kind), t: this.times[i],
      a: this.args[o], b: this.args[o + 1], c: this.args[o + 2], d: this.args[o + 3],
    };
    if (kind === T.drop) return { ...r, reason: REASON_NAMES[r.d] };
    if (kind === T.note) return { ...r, note: this.noteNames[r.b] ?? `note-${r.b}` };
    return r;
  }

  /** Kept records, decoded (slow path: only for --trace and reports). */
  *records(): Generator<TraceRecord> {
    const n = this.keep ? this.count : 0;
    for (let i = 0; i < n; i++) yield this.record(i);
  }

  private grow(n: number): void {
    const k = new Uint8Array(n); k.set(this.kinds); this.kinds = k;
    const t = new Float64Array(n); t.set(this.times); this.times = t;
    const a = new Int32Array(n * 4); a.set(this.args); this.args = a;
    this.cap = n;
  }
}

function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}


function hex8(x: number): string {
  return (x >>> 0).toString(16).padStart(8, "0");
}
