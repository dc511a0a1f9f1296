// @ts-check
// `npm run mutation`: StrykerJS over the Raft implementation and the metadata store, judged by
// the harness alone. The only test is the in-process seed sweep of test/mutation/ (vitest config
// vitest.mutation.config.ts; one vitest test per run, so per-test coverage runs a mutant only
// against the seeds that reach it), with the system's own assertions off. Mutant switching:
// the code is instrumented once, nothing is rebuilt per mutant.
//
// Knobs (environment):
//   MUTATION_FILES        comma-separated globs to mutate instead of the default set below
//   MUTATION_CONCURRENCY  test-runner processes (default 2: the machine's cores)
//   MUTATION_SEEDS, MUTATION_EVERY_FAULT, MUTATION_SCENARIO_SEEDS, MUTATION_TIME_S: the sweep
//                         (test/mutation/cases.ts)
//   MUTATION_INCREMENTAL  0: ignore reports/mutation/stryker-incremental.json and redo all
//   MUTATION_TIMEOUT_MS   Stryker's per-mutant timeout floor (default 10000): raise it on a loaded machine,
//                         where slow sweeps otherwise time out and count as kills
//   MUTATION_JSON         where the JSON report goes (default reports/mutation/mutation.json): two
//                         runs side by side must not share it
// Reports: reports/mutation/mutation.html, mutation.json, and the incremental file.

/** What is mutated: the Raft implementation, and the store with its session table. Not
 * metadata/server.ts (the node gluing the two; MUTATION_FILES=src/impl/metadata/server.ts runs
 * it), ops.ts/protocol.ts/commands.ts (types, and helpers the harness's clients and model also
 * import: a mutant there changes the judge too). */
const DEFAULT_FILES = ["src/impl/raft/**/*.ts", "src/impl/metadata/store.ts", "src/impl/metadata/sessions.ts"];

const files = process.env.MUTATION_FILES ? process.env.MUTATION_FILES.split(",").map((f) => f.trim()).filter((f) => f !== "") : DEFAULT_FILES;

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  plugins: ["@stryker-mutator/vitest-runner", "./stryker-ignorers.mjs"],
  // Error messages are not mutated, nor the code of assertions the sweep switches off
  // (stryker-ignorers.mjs, where each is argued): neither can change what a run does.
  ignorers: ["assertion-messages", "assertion-guards"],
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate: files,
  coverageAnalysis: "perTest",
  checkers: [],
  // TypeScript 7's JS API lacks parseConfigFileTextToJson, which Stryker's tsconfig rewriting
  // calls for the file named here when it is part of the project. Vitest compiles the sandbox
  // on its own and needs no rewritten tsconfig, so name a file that does not exist.
  tsconfigFile: "stryker-no-tsconfig.json",
  disableTypeChecks: "src/impl/**/*.ts",
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  // A mutant that loops without advancing virtual time hangs the test: a kill (Timeout).
  timeoutMS: Number(process.env.MUTATION_TIMEOUT_MS ?? 10_000),
  timeoutFactor: 1.5,
  incremental: process.env.MUTATION_INCREMENTAL !== "0",
  incrementalFile: "reports/mutation/stryker-incremental.json",
  ignorePatterns: ["dist", "reports", "coverage", "bench", "docs", "examples", ".pack-test", "*.log"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  reporters: ["html", "json", "clear-text", "progress"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: process.env.MUTATION_JSON ?? "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 85, low: 60, break: null },
};
