// The architecture test: the allowed import directions of docs §4.4 (ARCHITECTURE-REVIEW.md),
// checked on every .ts file under src/, bench/ and test/.
//
// The rules below describe the TARGET layout (src/util, src/sim/{kernel,faults,runner,scenario,
// systems}, src/api, ...). They apply by path prefix to whatever files exist today. Files still
// in today's flat src/sim (src/sim/*.ts, src/sim/{cluster,workload,experiments}/) are "legacy
// sim": they may import impl, check and the rest of sim, like a system folder (rule 7).
//
// test/arch/known-violations.json lists the violations the code has today. The test fails on any
// violation that is not listed, and on any listed one that no longer occurs: the list may only
// shrink. `npm run arch:update` (ARCH_UPDATE=1 vitest run test/arch) deletes the stale entries;
// it never adds one, and fails when there is a new violation (fix the import instead).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  buildEdges,
  checkEdge,
  cycleKey,
  edgeKey,
  findCycles,
  formatKnown,
  lineCount,
  readRepo,
  reconcile,
  resolveSpecifier,
  ruleFor,
  scanImports,
  type Deny,
  type Edge,
  type KnownViolations,
  type Rule,
  type Violation,
} from "./graph.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KNOWN_FILE = path.join(ROOT, "test/arch/known-violations.json");
const SCANNED = ["src", "bench", "test"];
const UPDATE = process.env.ARCH_UPDATE === "1";

const CHECK_GENERIC = "src/check/{history,model,linearizability,counterexample,partition-search,config-cache,hash}.ts";
const NODE_CONTRACT = "src/impl/node.ts";

/** Rules 1-12, first match wins: put the more specific `from` first. */
const RULES: readonly Rule[] = [
  { id: "1", from: "src/util/**", says: "src/util imports nothing else", allow: [{ to: "src/util/**" }] },

  { id: "2", from: NODE_CONTRACT, says: "src/impl/node.ts imports nothing", allow: [] },
  {
    id: "2",
    from: "src/impl/raft/**",
    says: "src/impl/raft imports only itself, src/impl/node.ts and src/util",
    allow: [{ to: "src/impl/raft/**" }, { to: NODE_CONTRACT }, { to: "src/util/**" }],
  },
  {
    id: "2",
    from: "src/impl/<x>/**",
    says: "src/impl/<x> imports only itself, src/impl/node.ts, the shared components (src/impl/raft; the metadata store on it, src/impl/metadata; a Raft group inside a node, src/impl/embed; the pure detectors and the sharded data plane of src/impl/failover) and src/util",
    allow: [
      { to: "src/impl/<x>/**" },
      { to: NODE_CONTRACT },
      { to: "src/impl/raft/**" },
      { to: "src/impl/metadata/**" },
      { to: "src/impl/embed/**" },
      { to: "src/impl/failover/detectors/**" },
      { to: "src/impl/failover/valkey/{kv,replication,types,env}.ts" },
      { to: "src/util/**" },
    ],
  },
  {
    id: "2",
    from: "src/impl/*.ts",
    says: "a file at the top of src/impl imports only src/impl/node.ts, src/impl/raft and src/util",
    allow: [{ to: NODE_CONTRACT }, { to: "src/impl/raft/**" }, { to: "src/util/**" }],
  },

  {
    id: "3",
    from: "src/sim/kernel/**",
    says: "the kernel imports only itself, src/util and the node contract (types only)",
    allow: [{ to: "src/sim/kernel/**" }, { to: "src/util/**" }, { to: NODE_CONTRACT, typesOnly: true }],
  },
  {
    id: "4",
    from: "src/sim/faults/**",
    says: "faults import only faults, kernel, src/util and the node contract (types only)",
    allow: [{ to: "src/sim/faults/**" }, { to: "src/sim/kernel/**" }, { to: "src/util/**" }, { to: NODE_CONTRACT, typesOnly: true }],
  },
  {
    id: "5",
    from: "src/sim/runner/**",
    says: "the runner imports only runner, faults, kernel, src/util, the generic checker and the node contract (types only)",
    allow: [
      { to: "src/sim/runner/**" },
      { to: "src/sim/faults/**" },
      { to: "src/sim/kernel/**" },
      { to: "src/util/**" },
      { to: CHECK_GENERIC },
      { to: NODE_CONTRACT, typesOnly: true },
    ],
  },
  {
    id: "6",
    from: "src/sim/scenario/**",
    // The runner's two pure leaf modules (the verdict vocabulary and the liveness window) may be
    // imported with their values: a scenario file judges verdicts and checks its schedule
    // against the window. The kernel's types (NetConfig) describe the net block.
    says: "the scenario format imports only scenario, faults, runner (types only, but verdict and liveness-window), kernel types and src/util",
    allow: [
      { to: "src/sim/scenario/**" },
      { to: "src/sim/faults/**" },
      { to: "src/sim/runner/verdict.ts" },
      { to: "src/sim/runner/liveness-window.ts" },
      { to: "src/sim/runner/**", typesOnly: true },
      { to: "src/sim/kernel/**", typesOnly: true },
      { to: "src/util/**" },
    ],
  },
  {
    id: "8",
    from: "src/sim/systems/index.ts",
    says: "the systems registry imports only each system's system.ts and the runner's types",
    allow: [{ to: "src/sim/systems/*/system.ts" }, { to: "src/sim/runner/**", typesOnly: true }],
  },
  {
    id: "7",
    from: "src/sim/models/**",
    says: "the history models systems share (their operations are src/impl's) import only themselves, src/impl types, src/check and src/util",
    allow: [{ to: "src/sim/models/**" }, { to: "src/impl/**", typesOnly: true }, { to: "src/check/**" }, { to: "src/util/**" }],
  },
  {
    id: "7",
    from: "src/sim/systems/<name>/**",
    says: "a system imports only its own folder, src/impl, sim kernel/faults/runner/scenario/models, src/check and src/util",
    allow: [
      { to: "src/sim/systems/<name>/**" },
      { to: "src/impl/**" },
      { to: "src/sim/{kernel,faults,runner,scenario,models}/**" },
      { to: "src/check/**" },
      { to: "src/util/**" },
    ],
  },
  {
    id: "7",
    from: "src/sim/{*.ts,cluster/**,workload/**,experiments/**}",
    says: "legacy sim (today's flat src/sim) imports only src/impl, src/check, the rest of src/sim (no system) and src/util",
    allow: [{ to: "src/impl/**" }, { to: "src/check/**" }, { to: "src/sim/**", except: ["src/sim/systems/**"] }, { to: "src/util/**" }],
  },

  {
    id: "9",
    from: "src/check/raft/**",
    says: "src/check/raft imports only src/check, src/util and src/impl/raft/api.ts (types only)",
    allow: [{ to: "src/check/**" }, { to: "src/util/**" }, { to: "src/impl/raft/api.ts", typesOnly: true }],
  },
  { id: "9", from: "src/check/**", says: "src/check imports only src/check and src/util", allow: [{ to: "src/check/**" }, { to: "src/util/**" }] },

  { id: "10", from: "src/api/**", says: "src/api imports anything in src/ but src/cli", allow: [{ to: "src/**", except: ["src/cli/**"] }] },
  {
    id: "11",
    from: "src/cli/**",
    says: "src/cli imports only src/cli, src/api and src/util",
    allow: [{ to: "src/cli/**" }, { to: "src/api/**" }, { to: "src/util/**" }],
  },

  {
    id: "12",
    from: "bench/**",
    // The kernel micro-benchmark drives a trivial node through the node contract (types only).
    // The fast mutation runner (bench/mutation-fast.ts) takes the mutation sweep's runs and
    // Stryker's mutants from their one definition in test/mutation/, which Stryker's own run
    // uses too: a copy could drift from it, and the two runs must judge the same mutants alike.
    says: "bench imports only src/api, the kernel, the node contract's types and src/check (micro-benchmarks), the mutation sweep's definitions in test/mutation, and bench",
    allow: [{ to: "bench/**" }, { to: "src/api/**" }, { to: "src/sim/kernel/**" }, { to: "src/impl/node.ts", typesOnly: true }, { to: "src/check/**" }, { to: "test/mutation/cases.ts" }, { to: "test/mutation/dry-count.ts" }],
  },
  { id: "12", from: "test/**", says: "test imports only src and test", allow: [{ to: "src/**" }, { to: "test/**" }] },
];

/** Checked before the allow-lists (rule 8, and rule 7's "never another system"). */
const DENIES: readonly Deny[] = [
  {
    id: "8",
    from: "src/sim/**",
    to: "src/sim/systems/<name>/**",
    unless: ["src/sim/systems/index.ts", "src/sim/systems/<name>/**"],
    says: "nothing under src/sim but src/sim/systems/index.ts (and the system itself) imports a system",
  },
  { id: "8", from: "src/sim/**", to: "src/sim/systems/*.ts", unless: ["src/sim/systems/*.ts"], says: "nothing under src/sim imports the systems registry" },
];

const MAX_IMPL_LINES = 600;
// Built in pieces so this file does not trip rule 14 itself.
const OUTSIDE_MARKERS = [".." + "/shared", "RAFTSIM_" + "SHARED"];

// ---------------------------------------------------------------------------------------------
// Unit tests of the scanner and the rule engine, on synthetic inputs

describe("scanner", () => {
  it("finds imports, re-exports and dynamic imports, and marks type-only ones", () => {
    const src = [
      `import { a, b } from "./values.js";`,
      `import type { T } from "./types.js";`,
      `import { type U, type V } from "./inline-types.js";`,
      `import { type W, x } from "./mixed.js";`,
      `import D, * as ns from '../default.js';`,
      `import {`,
      `  y,`,
      `  type Z,`,
      `} from "./multi.js";`,
      `import "./side-effect.js";`,
      `export * from "./star.js";`,
      `export type { Q } from "./re-types.js";`,
      `export { r } from "./re-values.js";`,
      `export const notAnImport = 1;`,
      `const m = await import("./lazy.js");`,
      `type L = typeof import("./typeof.js");`,
      `const meta = import.meta.url;`,
    ].join("\n");
    expect(scanImports(src).map((r) => [r.specifier, r.typeOnly, r.line])).toEqual([
      ["./values.js", false, 1],
      ["./types.js", true, 2],
      ["./inline-types.js", true, 3],
      ["./mixed.js", false, 4],
      ["../default.js", false, 5],
      ["./multi.js", false, 6],
      ["./side-effect.js", false, 10],
      ["./star.js", false, 11],
      ["./re-types.js", true, 12],
      ["./re-values.js", false, 13],
      ["./lazy.js", false, 15],
      ["./typeof.js", true, 16],
    ]);
  });

  it("ignores imports inside comments, strings, templates and regexes", () => {
    const src = [
      `// import { a } from "./comment.js";`,
      `/* import { b } from "./block.js"; */`,
      `const s = 'import { c } from "./string.js"';`,
      "const t = `\nimport { d } from \"./template.js\";\n${x}`;",
      `const re = /import { e } from "\\.\\/regex.js"/;`,
      `const half = 10 / 2; import { f } from "./after-division.js";`,
    ].join("\n");
    expect(scanImports(src).map((r) => r.specifier)).toEqual(["./after-division.js"]);
  });

  it("resolves .js to .ts, bare paths and directory indexes; ignores packages; throws on a dangling path", () => {
    const files = new Set(["src/a/b.ts", "src/a/c/index.ts", "src/d.ts"]);
    const exists = (p: string) => files.has(p);
    expect(resolveSpecifier("src/a/x.ts", "./b.js", exists)).toBe("src/a/b.ts");
    expect(resolveSpecifier("src/a/x.ts", "./c", exists)).toBe("src/a/c/index.ts");
    expect(resolveSpecifier("src/a/x.ts", "./c/index.js", exists)).toBe("src/a/c/index.ts");
    expect(resolveSpecifier("src/a/x.ts", "../d", exists)).toBe("src/d.ts");
    expect(resolveSpecifier("src/a/x.ts", "node:fs", exists)).toBeUndefined();
    expect(resolveSpecifier("src/a/x.ts", "vitest", exists)).toBeUndefined();
    expect(() => resolveSpecifier("src/a/x.ts", "./gone.js", exists)).toThrow(/cannot resolve/);
  });

  it("an edge is type-only only when every reference between the two files is", () => {
    const sources = new Map([
      ["src/a.ts", `import type { T } from "./b.js";\nimport { v } from "./b.js";\nimport type { U } from "./c.js";`],
      ["src/b.ts", ``],
      ["src/c.ts", ``],
    ]);
    const edges = buildEdges(sources, (p) => sources.has(p));
    expect(edges.map((e) => [e.from, e.to, e.typeOnly])).toEqual([
      ["src/a.ts", "src/b.ts", false],
      ["src/a.ts", "src/c.ts", true],
    ]);
  });
});

describe("cycle finder", () => {
  it("finds a cycle, type-only edges included, and reports its files", () => {
    const sources = new Map([
      ["src/sim/world.ts", `import { applyFault } from "./nemesis.js";`],
      ["src/sim/nemesis.ts", `import type { World } from "./world.js";\nimport { x } from "./rng.js";`],
      ["src/sim/rng.ts", ``],
    ]);
    const edges = buildEdges(sources, (p) => sources.has(p));
    expect(edges.find((e) => e.from === "src/sim/nemesis.ts" && e.to === "src/sim/world.ts")?.typeOnly).toBe(true);
    expect(findCycles(edges)).toEqual([["src/sim/nemesis.ts", "src/sim/world.ts"]]);
  });

  it("finds longer cycles and self-imports; a DAG has none", () => {
    const e = (from: string, to: string) => ({ from, to });
    expect(findCycles([e("a", "b"), e("b", "c"), e("c", "a"), e("c", "d"), e("d", "d"), e("x", "y")])).toEqual([["a", "b", "c"], ["d"]]);
    expect(findCycles([e("a", "b"), e("b", "c"), e("a", "c")])).toEqual([]);
  });
});

describe("rule engine", () => {
  const edge = (from: string, to: string, typeOnly = false): Edge => ({ from, to, typeOnly, line: 1 });
  const rule = (from: string, to: string, typeOnly = false) => checkEdge(RULES, DENIES, edge(from, to, typeOnly))?.rule;

  it("reports a forbidden edge with its rule", () => {
    expect(rule("src/check/formats/edn.ts", "src/cli/errors.ts")).toBe("9");
    expect(rule("src/util/hash.ts", "src/sim/kernel/rng.ts")).toBe("1");
    expect(rule("src/cli/main.ts", "src/sim/runner/run.ts")).toBe("11");
    expect(rule("src/impl/raft/raft.ts", "src/impl/metadata/store.ts")).toBe("2");
    expect(rule("src/impl/pingpong/node.ts", "src/impl/failover/valkey/node.ts")).toBe("2");
    expect(rule("src/impl/node.ts", "src/util/hash.ts")).toBe("2");
    expect(rule("bench/cluster.ts", "src/sim/cluster/run.ts")).toBe("12");
    expect(rule("src/api/simulate.ts", "src/cli/errors.ts")).toBe("10");
  });

  it("does not report an allowed edge", () => {
    expect(rule("src/cli/commands/run.ts", "src/api/simulate.ts")).toBeUndefined();
    expect(rule("src/impl/metadata/server.ts", "src/impl/raft/raft.ts")).toBeUndefined();
    expect(rule("src/impl/embed/group.ts", "src/impl/metadata/server.ts")).toBeUndefined();
    expect(rule("src/impl/kvrocks/data-node.ts", "src/impl/failover/valkey/kv.ts")).toBeUndefined();
    expect(rule("src/sim/runner/run.ts", "src/check/linearizability.ts")).toBeUndefined();
    expect(rule("src/sim/world.ts", "src/sim/nemesis.ts")).toBeUndefined(); // legacy sim
    expect(rule("test/sim/world.test.ts", "src/sim/world.ts")).toBeUndefined();
    expect(rule("src/api/sweep.ts", "src/sim/systems/index.ts")).toBeUndefined();
  });

  it("types-only targets refuse value imports", () => {
    expect(rule("src/sim/kernel/world.ts", "src/impl/node.ts", true)).toBeUndefined();
    expect(rule("src/sim/kernel/world.ts", "src/impl/node.ts", false)).toBe("3");
    expect(rule("src/check/raft/invariants.ts", "src/impl/raft/api.ts", true)).toBeUndefined();
    expect(rule("src/check/invariants.ts", "src/impl/raft/api.ts", true)).toBe("9");
    expect(rule("src/sim/scenario/schema.ts", "src/sim/runner/options.ts", false)).toBe("6");
  });

  it("a system imports its own folder, never another system; only the registry imports systems", () => {
    expect(rule("src/sim/systems/raft-metadata/system.ts", "src/sim/systems/raft-metadata/faults.ts")).toBeUndefined();
    expect(rule("src/sim/systems/pingpong/system.ts", "src/sim/systems/raft-metadata/faults.ts")).toBe("8");
    expect(rule("src/sim/systems/index.ts", "src/sim/systems/pingpong/system.ts")).toBeUndefined();
    expect(rule("src/sim/systems/index.ts", "src/sim/systems/pingpong/client.ts")).toBe("8");
    expect(rule("src/sim/runner/run.ts", "src/sim/systems/pingpong/system.ts")).toBe("8");
    expect(rule("src/sim/world.ts", "src/sim/systems/index.ts")).toBe("8");
  });

  it("a file no rule governs is reported", () => {
    expect(rule("src/newthing.ts", "src/util/hash.ts")).toBe("layer");
    expect(rule("src/sim/newfolder/x.ts", "src/util/hash.ts")).toBe("layer");
  });
});

describe("known-violations list", () => {
  const known: KnownViolations = {
    edges: [
      { from: "a", to: "b", rule: "9" },
      { from: "c", to: "d", rule: "11" },
    ],
    cycles: [["x", "y"]],
    oversize: ["big.ts"],
  };

  it("an update deletes stale entries and never adds a new one", () => {
    const r = reconcile(known, { edges: [{ from: "a", to: "b", rule: "9" }, { from: "e", to: "f", rule: "3" }], cycles: [["y", "x"]], oversize: [] });
    expect(r.stale.edges).toEqual([{ from: "c", to: "d", rule: "11" }]);
    expect(r.stale.oversize).toEqual(["big.ts"]);
    expect(r.fresh.edges).toEqual([{ from: "e", to: "f", rule: "3" }]);
    expect(r.fresh.cycles).toEqual([]);
    expect(r.shrunk).toEqual({ edges: [{ from: "a", to: "b", rule: "9" }], cycles: [["x", "y"]], oversize: [] });
  });

  it("round-trips through its JSON form", () => {
    expect(JSON.parse(formatKnown(known))).toEqual(known);
  });
});

// ---------------------------------------------------------------------------------------------
// The repository

describe("architecture of this repository (ARCHITECTURE-REVIEW.md §4.4)", () => {
  const repo = readRepo(ROOT, SCANNED);
  const known = JSON.parse(readFileSync(KNOWN_FILE, "utf8")) as KnownViolations;

  const violations: Violation[] = repo.edges.map((e) => checkEdge(RULES, DENIES, e)).filter((v): v is Violation => v !== undefined);
  const cycles = findCycles(repo.edges);
  const oversize = repo.files.filter((f) => f.startsWith("src/impl/") && lineCount(repo.sources.get(f)!) > MAX_IMPL_LINES);
  const found = { edges: violations.map(({ from, to, rule }) => ({ from, to, rule })), cycles, oversize };
  const r = reconcile(known, found);

  const describeViolation = (k: { from: string; to: string; rule: string }) => {
    const v = violations.find((x) => x.from === k.from && x.to === k.to);
    return v ? `${v.from}:${v.line} → ${v.to}${v.typeOnly ? " (types only)" : ""}: rule ${v.rule}: ${v.why}` : edgeKey(k);
  };

  if (UPDATE) {
    it("ARCH_UPDATE=1: deletes stale entries from known-violations.json, never adds one", () => {
      writeFileSync(KNOWN_FILE, formatKnown(r.shrunk));
      const fresh = [...r.fresh.edges.map(describeViolation), ...r.fresh.cycles.map(cycleKey), ...r.fresh.oversize];
      expect(
        fresh,
        "ARCH_UPDATE never pins a new violation: fix these (removed stale entries were written)",
      ).toEqual([]);
    });
  }

  it("scans the repository", () => {
    expect(repo.files.length).toBeGreaterThan(100);
    expect(repo.edges.length).toBeGreaterThan(200);
  });

  it("every file under src/ belongs to a layer", () => {
    const orphans = repo.files.filter((f) => f.startsWith("src/") && ruleFor(RULES, f) === undefined);
    expect(orphans, "add a rule for these files in test/arch/imports.test.ts").toEqual([]);
  });

  it("rules 1-12: no import edge breaks a rule unless known-violations.json lists it", () => {
    expect(r.fresh.edges.map(describeViolation), "new wrong-direction imports: fix them (the list only shrinks)").toEqual([]);
  });

  it("rules 1-12: every listed edge still occurs", () => {
    if (UPDATE) return;
    expect(
      r.stale.edges.map(edgeKey),
      "fixed: delete these entries from test/arch/known-violations.json (or run npm run arch:update)",
    ).toEqual([]);
  });

  it("rule 13: no file cycle (type-only edges included) unless listed", () => {
    expect(r.fresh.cycles.map(cycleKey), "new import cycles").toEqual([]);
    if (!UPDATE) expect(r.stale.cycles.map(cycleKey), "gone: delete these cycles from test/arch/known-violations.json (or run npm run arch:update)").toEqual([]);
  });

  it(`rule 13: no file in src/impl over ${MAX_IMPL_LINES} lines unless listed`, () => {
    expect(
      r.fresh.oversize.map((f) => `${f}: ${lineCount(repo.sources.get(f)!)} lines`),
      "split these files",
    ).toEqual([]);
    if (!UPDATE) expect(r.stale.oversize, "now small enough: delete these from \"oversize\" in test/arch/known-violations.json (or run npm run arch:update)").toEqual([]);
  });

  it("rule 14: no source reads outside the repository", () => {
    const bad: string[] = [];
    for (const [file, text] of repo.sources) {
      text.split("\n").forEach((line, i) => {
        for (const m of OUTSIDE_MARKERS) if (line.includes(m)) bad.push(`${file}:${i + 1}: ${m}`);
      });
    }
    expect(bad, "the history corpus lives in test/data/histories").toEqual([]);
  });
});
