// End-to-end: --system and `raftsim systems` through the built CLI.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

import { BIN, buildCli, cli, ROOT } from "../support/cli.js";

/** The pinned hash of a golden row (test/golden/golden.tsv). */
function golden(set: string, seed: number): string {
  const row = readFileSync(join(ROOT, "test/golden/golden.tsv"), "utf8").split("\n").find((l) => l.startsWith(`${set}\t${seed}\t`));
  if (row === undefined) throw new Error(`no golden row ${set} ${seed}`);
  return row.split("\t")[2];
}

beforeAll(() => {
  buildCli();
  expect(existsSync(BIN)).toBe(true);
});

describe("raftsim systems", () => {
  it("--json lists raft-metadata, pingpong, failover, engula, kvrocks-controller and valkey with their bugs", () => {
    const r = cli("systems", "--json");
    expect(r.code).toBe(0);
    const all = JSON.parse(r.out) as { name: string; description: string; bugs: string[]; historyModel: string | null }[];
    expect(all.map((s) => s.name)).toEqual(["raft-metadata", "pingpong", "failover", "engula", "kvrocks-controller", "valkey"]);
    expect(all[0].bugs).toContain("commit-previous-term");
    expect(all[0].historyModel).toBe("metadata-kv");
    expect(all[1].bugs).toEqual(["ack-before-durable"]);
    expect(all[2].bugs).toContain("no-epoch-collision");
    expect(all[3].bugs).toEqual(["liveness-reset", "follower-local-read", "remove-before-add"]);
    expect(all[3].historyModel).toBe("engula-universe");
    expect(all[4].bugs).toEqual(["single-observer", "blind-update", "local-read", "range-mutation", "session-from-receipt"]);
    expect(all[5].bugs).toEqual(["restart-no-lease", "wait-before-replicas", "fenced-never-reverted", "wall-clock-ttl", "gossip-authority", "no-catch-up"]);
    for (const s of all) expect(s.description.length).toBeGreaterThan(20);
  });

  it("an unknown --system is a usage error naming the known ones", () => {
    const r = cli("run", "--system", "etcd", "--seed", "1");
    expect(r.code).toBe(64);
    expect(r.err).toContain("raft-metadata, pingpong");
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("a bug of another system is a usage error", () => {
    const r = cli("run", "--system", "pingpong", "--seed", "1", "--bug", "vote-not-persisted");
    expect(r.code).toBe(64);
    expect(r.err).toContain('unknown bug "vote-not-persisted" for system pingpong; one of: ack-before-durable');
  });
});

describe("run --system pingpong", () => {
  it("runs, matches its golden hash, and replays it", () => {
    const r = cli("run", "--system", "pingpong", "--seed", "3", "--time", "10s", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.system).toBe("pingpong");
    expect(j.verdict).toBe("ok");
    expect(j.history).toBeNull();
    expect(j.traceHash).toBe(golden("pingpong/10s", 3));
    expect(j.replay).toBe(`raftsim replay --system pingpong --seed 3 --time 10s --expect-hash ${j.traceHash}`);
    const back = cli(...j.replay.split(" ").slice(1));
    expect(back.code).toBe(0);
  });

  it("raft-metadata through the CLI matches its golden hash too", () => {
    const r = cli("run", "--seed", "5", "--time", "10s", "--json");
    expect(JSON.parse(r.out).traceHash).toBe(golden("raft-metadata/10s", 5));
  });
});

describe("scenario files name their system", () => {
  it("a pingpong scenario runs pingpong, with its own bug, and expects the violation it finds", () => {
    const dir = mkdtempSync(join(tmpdir(), "raftsim-pp-"));
    const file = join(dir, "pp.yaml");
    writeFileSync(file, "name: pp\nsystem: pingpong\ndescription: a crash takes back an acknowledged count\nexpect: violation\nseeds: [1, 2]\nbugs: [ack-before-durable]\nfaults: { swarm: [crash, disk] }\n");
    const r = cli("run", "--scenario", file, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ system: "pingpong", verdict: "violation", expectationMet: true });
    const clash = cli("run", "--scenario", file, "--system", "raft-metadata");
    expect(clash.code).toBe(64);
    expect(clash.err).toContain("pingpong");
  });
});
