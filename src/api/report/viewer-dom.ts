// The few DOM members the viewer (viewer.ts) uses, typed here: the project compiles without the
// DOM library (tsconfig lib: ES2023), and the viewer must stay type-checked.
/** The few DOM members the viewer uses (the project compiles without the DOM library). */
export interface VEl {
  textContent: string | null;
  className: string;
  id: string;
  title: string;
  readonly style: Record<string, string>;
  readonly dataset: Record<string, string | undefined>;
  readonly clientWidth: number;
  readonly offsetTop: number;
  width: number;
  height: number;
  appendChild(c: VEl): VEl;
  setAttribute(k: string, v: string): void;
  addEventListener(type: string, f: (e: VEvent) => void, o?: { passive?: boolean }): void;
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  getContext(kind: "2d"): VCtx;
  focus(): void;
  scrollIntoView(o?: unknown): void;
}
export interface VEvent {
  readonly clientX: number;
  readonly clientY: number;
  readonly deltaX: number;
  readonly deltaY: number;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly key: string;
  readonly button: number;
  readonly target: unknown;
  preventDefault(): void;
}
export interface VCtx {
  fillStyle: string;
  strokeStyle: string;
  lineWidth: number;
  font: string;
  textBaseline: string;
  globalAlpha: number;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillText(s: string, x: number, y: number): void;
  measureText(s: string): { width: number };
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
  fill(): void;
  save(): void;
  restore(): void;
  rect(x: number, y: number, w: number, h: number): void;
  clip(): void;
}
export interface VDoc {
  getElementById(id: string): VEl | null;
  createElement(tag: string): VEl;
  addEventListener(type: string, f: (e: VEvent) => void): void;
  readonly activeElement: unknown;
}
export interface VWin {
  readonly document: VDoc;
  readonly devicePixelRatio: number;
  requestAnimationFrame(f: () => void): number;
  addEventListener(type: string, f: (e: VEvent) => void): void;
  readonly performance: { now(): number };
  raftsimReport?: unknown;
}

