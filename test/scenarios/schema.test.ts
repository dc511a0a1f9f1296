// The scenario file format: every invalid field is reported with its path, a minimal file gets
// the documented defaults, YAML and JSON both load, names resolve against scenarios/.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_FAULT_KINDS as FAULT_KINDS } from "../../src/sim/faults/index.js";
import { raftMetadata } from "../../src/sim/systems/raft-metadata/system.js";

const FAULT_FAMILIES = raftMetadata.families.map((f) => f.name);
import { loadScenarioFile, loadScenarioRef, parseScenarioText, resolveScenarioRef, scenarioBlock, UnknownScenarioError } from "../../src/api/scenarios.js";
import { durationToUs, judge, scenarioRunOptions as runOptionsWith, ScenarioError, type Scenario } from "../../src/sim/scenario/index.js";

const scenarioRunOptions = (s: Scenario, seed: number, o?: Parameters<typeof runOptionsWith>[3]) => runOptionsWith(s, scenarioBlock(s), seed, o);

function errorOf(yaml: string, file = "scenarios/x.yaml"): string {
  try {
    parseScenarioText(yaml, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(yaml)} to be rejected`);
}

describe("scenario schema: defaults", () => {
  it("a file with only a name gets the documented defaults", () => {
    const s = parseScenarioText("name: minimal\n", "m.yaml");
    expect(s).toEqual({
      name: "minimal",
      description: "",
      system: "raft-metadata",
      servers: 5,
      clients: 5,
      timeUs: 10_000_000,
      seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      expect: "ok",
      raft: {},
      workload: {
        keys: ["a", "b", "c"],
        mix: { get: 3, put: 2, delete: 1, cas: 3, exists: 1 },
        thinkMinUs: 0,
        thinkMaxUs: 20_000,
        requestTimeoutUs: 100_000,
        staleCasP: 0.1,
      },
      net: { latencyMedianUs: 1_000, latencySigma: 0.4, lossP: 0, dupP: 0 },
      faults: { schedule: [] },
      bugs: [],
    });
  });

  it("normalises durations, seeds, swarm families, raft ms and the mix", () => {
    const s = parseScenarioText(
      [
        "name: full",
        "time: 1.5m",
        "seeds: [3, '7..9', 3]",
        "raft: { electionMinMs: 100, electionMaxMs: 200.5, heartbeatMs: 20, preVote: false, readMode: lease, leaseDriftBoundPpm: 500, snapshotEvery: 64, snapshotChunk: 2 }",
        "workload: { keys: [x, y], mix: { cas: 1 }, think: { max: 5ms }, requestTimeout: 1s, staleCas: 0 }",
        "net: { latency: 250us, loss: 0.1 }",
        "faults: { swarm: [net, partition, net] }",
        "bugs: [stale-local-read]",
      ].join("\n"),
      "f.yaml",
    );
    expect(s.timeUs).toBe(90_000_000);
    expect(s.seeds).toEqual([3, 7, 8, 9]);
    expect(s.raft).toEqual({ electionMinUs: 100_000, electionMaxUs: 200_500, heartbeatUs: 20_000, preVote: false, readMode: "lease", maxDriftPpm: 500, snapshotEvery: 64, snapshotChunk: 2 });
    expect(s.workload).toEqual({ keys: ["x", "y"], mix: { get: 0, put: 0, delete: 0, cas: 1, exists: 0 }, thinkMinUs: 0, thinkMaxUs: 5_000, requestTimeoutUs: 1_000_000, staleCasP: 0 });
    expect(s.net).toEqual({ latencyMedianUs: 250, latencySigma: 0.4, lossP: 0.1, dupP: 0 });
    expect(s.faults).toEqual({ swarm: ["partition", "net"] });
    expect(parseScenarioText("name: a\nfaults: { swarm: all }", "a.yaml").faults).toEqual({ swarm: [...FAULT_FAMILIES] });
  });

  it("schedule actions take durations or µs; clock offsets may be negative", () => {
    const s = parseScenarioText(
      "name: s\nfaults:\n  schedule:\n    - { at: 0, kind: clock-jump, node: 1, us: -1.5s }\n    - { at: 1500000, kind: clog, from: 0, to: 1, durationUs: 200ms }\n    - { at: 2s, kind: isolate-leader-on, event: elected, durationUs: 300ms, times: 2 }",
      "s.yaml",
    );
    expect(s.faults).toEqual({
      schedule: [
        { at: 0, kind: "clock-jump", node: 1, us: -1_500_000 },
        { at: 1_500_000, kind: "clog", from: 0, to: 1, durationUs: 200_000 },
        { at: 2_000_000, kind: "isolate-leader-on", event: "elected", durationUs: 300_000, times: 2 },
      ],
    });
  });

  it("accepts every fault kind the nemesis knows (FAULT_KINDS)", () => {
    const fields: Record<string, string> = {
      "partition-halves": "side: [0]", "partition-ring": "order: [0, 1, 2, 3, 4]", "partition-bridge": "side: [0], bridge: 1",
      "cut-one-way": "from: 0, to: 1", clog: "from: 0, to: 1, durationUs: 1s", "clock-offset": "node: 0, us: 1s", "clock-jump": "node: 0, us: 1s", "clock-strobe": "node: 0, us: 100ms, periodUs: 10ms, durationUs: 1s",
      "clock-drift": "node: 0, ppm: 10", "disk-lose-unsynced": "node: 0, mode: all", "disk-stall": "node: 0, durationUs: 500ms", net: "lossP: 0", "crash-leader": "downUs: 1s",
      "isolate-leader-on": "event: elected, durationUs: 1s, times: 1", "snapshot-restore": "node: 0, back: 1",
      "member-add": "node: 4, via: 1", "member-remove": "node: 2, readdUs: 1s", "member-remove-leader": "",
      "member-churn-on": "event: first-commit, durationUs: 300ms, times: 2", "member-churn": "durationUs: 300ms",
      "depose-leader": "durationUs: 1s", "leader-churn-on": "event: elected, times: 3", "transfer-leader": "",
      "slow-node": "node: 0, us: 100ms", "primary-fault": "what: pause, durationUs: 1s",
      "kc-depose-leader": "durationUs: 1s", "kc-pause-on-update": "durationUs: 30s",
      "vk-primary-fault": "what: pause, durationUs: 1s",
      "member-change-transfer": "readdUs: 1s", "crash-on": "on: ack, downUs: 100ms", "restore-race": "cutUs: 1s", "snapshot-cut-on": "how: transfer, cutUs: 300ms",
    };
    // Kinds of the failover system are accepted in its scenarios (the others: the default's).
    const failoverKinds = new Set(["slow-node", "primary-fault"]);
    for (const kind of FAULT_KINDS) {
      const extra = fields[kind] ?? (["heal", "heal-all", "isolate-leader"].includes(kind) ? "" : "node: 0");
      // A system's own kinds are valid in its scenario files (kvrocks-controller: 10 servers).
      const system = failoverKinds.has(kind) ? "system: failover\n" : kind.startsWith("kc-") ? "system: kvrocks-controller\nservers: 10\n" : kind.startsWith("vk-") ? "system: valkey\nservers: 9\n" : "";
      const yaml = `name: k\n${system}faults: { schedule: [{ at: 1s, kind: ${kind}${extra ? `, ${extra}` : ""} }] }`;
      expect(() => parseScenarioText(yaml, "k.yaml"), kind).not.toThrow();
    }
  });

  it("membership actions: node ids are checked against the cluster, a join goes through another server", () => {
    const bad = (a: string) => () => parseScenarioText(`name: k\nfaults: { schedule: [{ at: 1s, ${a} }] }`, "k.yaml");
    expect(bad("kind: member-add, node: 7, via: 1")).toThrow(/no node 7/);
    expect(bad("kind: member-add, node: 2, via: 2")).toThrow(/must differ/);
    expect(bad("kind: member-remove, node: 9")).toThrow(/no node 9/);
    const s = parseScenarioText("name: k\nfaults: { schedule: [{ at: 1s, kind: member-add, node: 4, via: 0 }] }", "k.yaml");
    expect("schedule" in s.faults && s.faults.schedule[0]).toEqual({ at: 1_000_000, kind: "member-add", node: 4, via: 0, tries: 40 });
  });

  it("durations", () => {
    expect(durationToUs("1.5s")).toBe(1_500_000);
    expect(durationToUs("0")).toBe(0);
    expect(durationToUs("-2s")).toBeNull();
    expect(durationToUs("-2s", true)).toBe(-2_000_000);
    expect(durationToUs("2")).toBeNull();
  });
});

describe("scenario schema: every invalid field names its path", () => {
  const cases: [string, string, RegExp][] = [
    ["missing name", "description: x", /x\.yaml: name: required/],
    ["bad name", "name: Not OK", /: name: expected lower-case/],
    ["unknown top-level field", "name: a\nbogus: 1", /: bogus: unknown field/],
    ["servers out of range", "name: a\nservers: 0", /: servers: expected an integer 1\.\.16/],
    ["clients not an integer", "name: a\nclients: 2.5", /: clients: expected an integer/],
    ["time without unit", "name: a\ntime: 10", /: time: the run must last at least 1s \(a bare number is µs/],
    ["time as a word", "name: a\ntime: soon", /: time: expected a duration like "2s"/],
    ["seeds reversed", "name: a\nseeds: 9..1", /: seeds: expected seeds like 1\.\.20/],
    ["seed list item", "name: a\nseeds: [1, x]", /: seeds\[1\]: expected seeds/],
    ["expect", "name: a\nexpect: maybe", /: expect: expected "ok", "violation" or "liveness"/],
    ["raft unknown field", "name: a\nraft: { electionMin: 100 }", /: raft\.electionMin: unknown field/],
    ["raft negative", "name: a\nraft: { heartbeatMs: -5 }", /: raft\.heartbeatMs: must be positive/],
    ["raft max <= min", "name: a\nraft: { electionMinMs: 300, electionMaxMs: 200 }", /: raft\.electionMaxMs: must be greater than electionMinMs/],
    ["raft heartbeat >= min", "name: a\nraft: { electionMinMs: 100, electionMaxMs: 200, heartbeatMs: 100 }", /: raft\.heartbeatMs: must be less than electionMinMs/],
    ["raft readMode", "name: a\nraft: { readMode: quick }", /: raft\.readMode: expected "read-index" or "lease"/],
    ["raft maxBatch", "name: a\nraft: { maxBatch: 0 }", /: raft\.maxBatch: expected a positive integer/],
    ["raft preVote", "name: a\nraft: { preVote: yes please }", /: raft\.preVote: expected true or false/],
    ["drift bound", "name: a\nraft: { leaseDriftBoundPpm: -1 }", /: raft\.leaseDriftBoundPpm: expected a drift bound in ppm/],
    ["drift bound too large", "name: a\nraft: { maxDriftPpm: 1000000 }", /: raft\.maxDriftPpm: expected a drift bound in ppm, 0 <= ppm < 1000000/],
    ["drift bound twice", "name: a\nraft: { maxDriftPpm: 10, leaseDriftBoundPpm: 20 }", /: raft\.leaseDriftBoundPpm: is another name for maxDriftPpm/],
    ["workload keys", "name: a\nworkload: { keys: 0 }", /: workload\.keys: expected a number of keys/],
    ["mix weight", "name: a\nworkload: { mix: { get: -1 } }", /: workload\.mix\.get: expected a non-negative integer weight/],
    ["mix unknown op", "name: a\nworkload: { mix: { scan: 1 } }", /: workload\.mix\.scan: unknown field/],
    ["mix all zero", "name: a\nworkload: { mix: { get: 0 } }", /: workload\.mix: weights sum to 0/],
    ["think max < min", "name: a\nworkload: { think: { min: 10ms, max: 1ms } }", /: workload\.think\.max: must be >= think\.min/],
    ["request timeout", "name: a\nworkload: { requestTimeout: 0 }", /: workload\.requestTimeout: must be positive/],
    ["net loss", "name: a\nnet: { loss: 2 }", /: net\.loss: expected a probability in \[0, 1\]/],
    ["faults empty", "name: a\nfaults: {}", /: faults: give swarm: \[families\] or schedule: \[actions\]/],
    ["faults both", "name: a\nfaults: { swarm: all, schedule: [] }", /: faults: give either swarm or schedule, not both/],
    ["swarm family", "name: a\nfaults: { swarm: [partition, meteor] }", /: faults\.swarm\[1\]: expected a fault family/],
    ["schedule not a list", "name: a\nfaults: { schedule: 3 }", /: faults\.schedule: expected a list of fault actions/],
    ["action kind", "name: a\nfaults: { schedule: [{ at: 1s, kind: explode }] }", /: faults\.schedule\[0\]\.kind: unknown fault kind; expected one of partition-halves/],
    ["action at", "name: a\nfaults: { schedule: [{ at: 1s, kind: heal }, { at: 1s, kind: heal }, { at: 2x, kind: heal }] }", /x\.yaml: faults\.schedule\[2\]\.at: expected a duration like "2s"/],
    ["action at missing", "name: a\nfaults: { schedule: [{ kind: heal }] }", /: faults\.schedule\[0\]\.at: required/],
    ["action field missing", "name: a\nfaults: { schedule: [{ at: 1s, kind: crash }] }", /: faults\.schedule\[0\]\.node: required/],
    ["action unknown field", "name: a\nfaults: { schedule: [{ at: 1s, kind: crash, node: 1, nodes: 2 }] }", /: faults\.schedule\[0\]\.nodes: unknown field/],
    ["action enum", "name: a\nfaults: { schedule: [{ at: 1s, kind: disk-lose-unsynced, node: 1, mode: some }] }", /: faults\.schedule\[0\]\.mode: expected "all", "prefix" or "torn"/],
    ["action event", "name: a\nfaults: { schedule: [{ at: 1s, kind: isolate-leader-on, event: later, durationUs: 1s, times: 1 }] }", /: faults\.schedule\[0\]\.event: expected "elected" or "first-commit"/],
    ["drift out of the clocks' range", "name: a\nfaults: { schedule: [{ at: 1s, kind: clock-drift, node: 0, ppm: 200000 }] }", /: faults\.schedule\[0\]\.ppm: expected a drift within ±100000 ppm/],
    ["node out of range", "name: a\nfaults: { schedule: [{ at: 1s, kind: crash, node: 5 }] }", /: faults\.schedule\[0\]\.node: no node 5: the cluster has 5 servers/],
    ["side node out of range", "name: a\nservers: 3\nfaults: { schedule: [{ at: 1s, kind: partition-halves, side: [0, 4] }] }", /: faults\.schedule\[0\]\.side\[1\]: no node 4/],
    ["ring not a permutation", "name: a\nfaults: { schedule: [{ at: 1s, kind: partition-ring, order: [0, 1, 2] }] }", /: faults\.schedule\[0\]\.order: must list every server 0\.\.4 exactly once/],
    ["bridge in side", "name: a\nfaults: { schedule: [{ at: 1s, kind: partition-bridge, side: [0, 1], bridge: 1 }] }", /: faults\.schedule\[0\]\.bridge: the bridge node must not be in side/],
    ["after the end", "name: a\ntime: 3s\nfaults: { schedule: [{ at: 1s, kind: heal-all }, { at: 4s, kind: crash, node: 1 }] }", /: faults\.schedule\[1\]\.at: 4s is not before the end of the run/],
    ["after the automatic heal", "name: a\ntime: 3s\nfaults: { schedule: [{ at: 2500ms, kind: crash, node: 1 }] }", /: faults\.schedule\[0\]\.at: 2500ms is after the automatic final heal at 2s/],
    ["bug", "name: a\nbugs: [typo]", /: bugs\[0\]: unknown bug; expected one of commit-previous-term/],
    ["not an object", "- 1\n- 2", /x\.yaml: \(top level\): expected a scenario object/],
  ];
  for (const [what, yaml, want] of cases) it(what, () => expect(errorOf(yaml)).toMatch(want));

  it("reports every problem, one per line, each with the file", () => {
    const msg = errorOf("name: a\nexpect: maybe\nservers: 99");
    expect(msg.split("\n")).toHaveLength(2);
    for (const line of msg.split("\n")) expect(line.trim()).toMatch(/^scenarios\/x\.yaml: (expect|servers): /);
  });

  it("YAML syntax errors give the file, line and column", () => {
    expect(errorOf("name: a\nfaults: { schedule: [\n", "bad.yaml")).toMatch(/^bad\.yaml:\d+:\d+: not valid YAML/);
    expect(errorOf("name: a\nname: b\n", "dup.yaml")).toMatch(/^dup\.yaml:2:\d+: not valid YAML: Map keys must be unique/);
    expect(errorOf("", "empty.yaml")).toMatch(/^empty\.yaml: empty file/);
  });
});

describe("scenario files and names", () => {
  const dir = mkdtempSync(join(tmpdir(), "raftsim-scen-"));

  it("loads JSON by extension, with JSON errors named", () => {
    const f = join(dir, "j.json");
    writeFileSync(f, JSON.stringify({ name: "j", faults: { schedule: [{ at: "1s", kind: "crash", node: 1 }, { at: 1_500_000, kind: "restart", node: 1 }] } }));
    expect(loadScenarioFile(f).faults).toEqual({ schedule: [{ at: 1_000_000, kind: "crash", node: 1 }, { at: 1_500_000, kind: "restart", node: 1 }] });
    writeFileSync(f, "{ nope");
    expect(() => loadScenarioFile(f)).toThrow(/j\.json:\d+:\d+: not valid JSON/);
    expect(() => loadScenarioFile(join(dir, "missing.yaml"))).toThrow(/missing\.yaml: no such file/);
  });

  it("resolves a name in the package's scenarios/ (not cwd), a path as given, and lists names for an unknown one", () => {
    expect(resolveScenarioRef("partition-halves")).toMatch(/scenarios[/\\]partition-halves\.yaml$/);
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(loadScenarioRef("partition-halves").scenario.name).toBe("partition-halves");
    } finally {
      process.chdir(cwd);
    }
    const f = join(dir, "mine.yaml");
    writeFileSync(f, "name: mine\n");
    expect(loadScenarioRef(f).scenario.name).toBe("mine");
    let err: unknown;
    try {
      resolveScenarioRef("no-such-scenario");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownScenarioError);
    expect((err as Error).message).toMatch(/unknown scenario "no-such-scenario"; available: .*partition-halves/);
  });

  it("turns into run options: schedule or swarm, bugs merged, raft/workload/net passed through", () => {
    const s = parseScenarioText(
      "name: o\ntime: 4s\nbugs: [stale-local-read]\nraft: { checkQuorum: false, readMode: lease }\nworkload: { keys: 1, requestTimeout: 50ms }\nnet: { dup: 0.5 }\nfaults: { swarm: [crash] }",
      "o.yaml",
    );
    const o = scenarioRunOptions(s, 7, { timeUs: 2_000_000, extraBugs: ["no-session-dedup", "stale-local-read"] });
    expect(o).toMatchObject({ seed: 7, timeUs: 2_000_000, servers: 5, clients: 5, scenarioName: "o", families: ["crash"], bugs: ["stale-local-read", "no-session-dedup"] });
    expect(o.faults).toBeUndefined();
    const own = o.options as { raft: unknown; workload: unknown };
    expect(own.raft).toEqual({ checkQuorum: false, readMode: "lease" });
    expect(own.workload).toMatchObject({ keys: ["a"], timeoutUs: 50_000 });
    expect(o.net).toMatchObject({ dupP: 0.5 });
  });

  it("a scenario names its system: pingpong gets the generic keys and its own families only", () => {
    const s = parseScenarioText("name: p\nsystem: pingpong\nfaults: { swarm: all }", "p.yaml");
    expect(s.system).toBe("pingpong");
    expect(s.faults).toEqual({ swarm: ["partition", "crash", "pause", "clock", "disk", "clog", "net"] });
    expect(errorOf("name: p\nsystem: pingpong\nraft: { preVote: false }")).toMatch(/raft/);
    expect(errorOf("name: p\nsystem: pingpong\nfaults: { swarm: [membership] }")).toMatch(/expected a fault family/);
    expect(errorOf("name: p\nsystem: pingpong\nbugs: [stale-local-read]")).toMatch(/unknown bug; expected one of ack-before-durable/);
    expect(errorOf("name: p\nsystem: pingpong\nfaults: { schedule: [{ at: 1s, kind: member-churn, durationUs: 1s }] }")).toMatch(/unknown fault kind/);
    expect(errorOf("name: p\nsystem: etcd")).toMatch(/system: unknown system "etcd"; expected one of raft-metadata, pingpong/);
  });

  it("judges verdicts against the expectation", () => {
    expect(judge("violation", "violation")).toEqual({ met: true, message: "verdict violation, as the scenario expects" });
    expect(judge("violation", "ok")).toEqual({ met: false, message: "expected a violation, got ok" });
    expect(judge("ok", "liveness")).toEqual({ met: false, message: "expected verdict ok, got liveness" });
    expect(judge("liveness", "unknown").met).toBe(false);
  });
});
