// `raftsim replay --at` (node states at instants) and --trace's filters, end to end.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, buildCli, cli } from "../support/cli.js";

beforeAll(() => {
  buildCli();
  expect(existsSync(BIN)).toBe(true);
});

const noStack = (err: string) => expect(err).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)/m);

describe("replay --at", () => {
  it("prints node states at the instants, from the same run (hash unchanged)", () => {
    // --no-fast: the original event model runs to the end (the fast one ends once healthy, before 9 s)
    const plain = JSON.parse(cli("run", "--seed", "1", "--time", "10s", "--no-fast", "--json").out);
    const r = cli("replay", "--seed", "1", "--time", "10s", "--no-fast", "--at", "1s,9s", "--at", "3250ms", "--expect-hash", plain.traceHash, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.match).toBe(true);
    expect(j.traceHash).toBe(plain.traceHash);
    expect(j.at.map((a: { atMs: number }) => a.atMs)).toEqual([1000, 3250, 9000]);
    for (const a of j.at) {
      expect(a.reached).toBe(true);
      expect(a.nodes.map((n: { node: number }) => n.node)).toEqual([0, 1, 2, 3, 4]);
    }
    const commits = (i: number) => j.at[i].nodes.reduce((s: number, n: { commit?: number }) => s + (n.commit ?? 0), 0);
    expect(commits(0)).toBeLessThan(commits(2)); // the state at the instant, not at the end
    const leaders = j.at[2].nodes.filter((n: { role?: string }) => n.role === "leader");
    expect(leaders).toHaveLength(1);
  });

  it("human output: a table per instant, one row per node", () => {
    const r = cli("replay", "--seed", "1", "--time", "10s", "--at", "3.25s");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    const h = lines.findIndex((l) => l.startsWith("at 3.25s (state after every event at or before 3250000us):"));
    expect(h).toBeGreaterThan(0);
    expect(lines[h + 1]).toMatch(/^ {2}node +status +clockUs +role +term/);
    for (let i = 0; i < 5; i++) expect(lines[h + 2 + i]).toMatch(new RegExp(`^  ${i} +(up|down|paused) `));
  });

  it("pingpong has its own fields", () => {
    const r = cli("replay", "--system", "pingpong", "--seed", "5", "--time", "3s", "--at", "2s", "--json");
    expect(r.code).toBe(0);
    const n = JSON.parse(r.out).at[0].nodes;
    expect(n.filter((x: { status: string }) => x.status === "up").every((x: { counter: unknown }) => typeof x.counter === "number")).toBe(true);
  });

  for (const [bad, why] of [
    ["-1s", /--at.*"-1s" is negative/],
    ["11s", /--at 11s is after the end of the run \(--time 10s\)/],
    ["soon", /--at.*bad instant "soon"/],
    ["2s,,3s", /--at.*comma list/],
    ["3", /--at.*bad instant "3"/],
  ] as const) {
    it(`--at ${bad}: usage error (64) naming --at`, () => {
      const r = cli("replay", "--seed", "1", "--time", "10s", "--at", bad);
      expect(r.code).toBe(64);
      expect(r.err).toMatch(why);
      expect(r.out).toBe("");
      noStack(r.err);
    });
  }
});

describe("--trace filters", () => {
  const dir = mkdtempSync(join(tmpdir(), "raftsim-tt-"));
  const read = (f: string) => readFileSync(f, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  const all = join(dir, "all.jsonl");
  let full: { kind: string; t: number; a: number; b: number; note?: string }[] = [];
  let hash = "";

  beforeAll(() => {
    const r = cli("run", "--seed", "3", "--time", "5s", "--every-fault", "--trace", all, "--json");
    expect(r.code).toBe(0);
    hash = JSON.parse(r.out).traceHash;
    full = read(all);
  });

  it("--trace-node: only the chosen node's records (and the hash is the run's)", () => {
    const f = join(dir, "n2.jsonl");
    const r = cli("run", "--seed", "3", "--time", "5s", "--every-fault", "--trace", f, "--trace-node", "2", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).traceHash).toBe(hash);
    const got = read(f);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(full.length);
    for (const l of got) expect(l.kind === "deliver" || l.kind === "drop" || l.kind === "send" ? l.a === 2 || l.b === 2 : l.kind !== "fault" && l.a === 2).toBe(true);
    const want = full.filter((l) => (["deliver", "drop", "send"].includes(l.kind) ? l.a === 2 || l.b === 2 : l.kind !== "fault" && l.a === 2));
    expect(got).toEqual(want);
  });

  it("--trace-kind: kernel kinds and notes by name", () => {
    const f = join(dir, "k.jsonl");
    expect(cli("run", "--seed", "3", "--time", "5s", "--every-fault", "--trace", f, "--trace-kind", "crash,note:role").code).toBe(0);
    const got = read(f);
    expect(got).toEqual(full.filter((l) => l.kind === "crash" || (l.kind === "note" && l.note === "role")));
    expect(new Set(got.map((l) => l.kind))).toEqual(new Set(["crash", "note"]));
  });

  it("--trace-window and --trace - (stdout)", () => {
    const r = cli("replay", "--seed", "3", "--time", "5s", "--every-fault", "--trace", "-", "--trace-window", "1.5s..2s", "--trace-kind", "deliver");
    expect(r.code).toBe(0);
    const got = r.out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(full.filter((l) => l.kind === "deliver" && l.t >= 1_500_000 && l.t <= 2_000_000));
    expect(r.out).toMatch(/trace hash: /);
  });

  for (const [args, why] of [
    [["--trace", "x.jsonl", "--trace-kind", "deliver,gossip"], /--trace-kind: unknown record kind "gossip"; valid: deliver, drop, .*note:role/],
    [["--trace-node", "1"], /--trace-node filters what --trace writes: add --trace/],
    [["--trace", "x.jsonl", "--trace-window", "2s"], /--trace-window.*expected <from>\.\.<to>/],
    [["--trace", "x.jsonl", "--trace-window", "20s.."], /--trace-window: the window starts at 20s, after the end of the run \(5s\)/],
    [["--trace", "-", "--json"], /--trace - writes the trace to stdout/],
  ] as const) {
    it(`${args.join(" ")}: usage error (64)`, () => {
      const r = cli("replay", "--seed", "3", "--time", "5s", ...args);
      expect(r.code).toBe(64);
      expect(r.err).toMatch(why);
      noStack(r.err);
    });
  }
});
