// Declarative scenarios, the pure part: schema, parsing, run options, expectations. Files and
// names (I/O) are handled in src/cli/scenario-file.ts. See scenarios/README.md.
export { durationToUs, usToDuration } from "./duration.js";
export { formatPath, parseScenarioText, ScenarioError, validateScenario } from "./load.js";
export { judge, scenarioBaseOptions, scenarioRunOptions, timeOverrideProblem, type Judgement, type ScenarioOverrides } from "./run-options.js";
export {
  DEFAULT_MIX,
  EXPECTATIONS,
  READ_MODES,
  scenarioSchema,
  type Expectation,
  type ReadMode,
  type Scenario,
  type ScenarioFaults,
  type ScenarioRaft,
  type ScenarioWorkload,
} from "./schema.js";
