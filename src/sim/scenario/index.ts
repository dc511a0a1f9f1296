// Declarative scenarios, the pure part: schema, parsing, run options. Files and names (I/O) are
// handled in src/api/scenarios.ts. See scenarios/README.md.
export { durationToUs, usToDuration } from "../../util/duration.js";
export { formatPath, parseScenarioText, ScenarioError, validateScenario } from "./load.js";
export { judge, scenarioBaseOptions, scenarioRunOptions, timeOverrideProblem, type Judgement, type ScenarioOverrides } from "./run-options.js";
export {
  act,
  EXPECTATIONS,
  scenarioSchema,
  type Expectation,
  type Scenario,
  type ScenarioAction,
  type ScenarioBlock,
  type ScenarioBlocks,
  type ScenarioFaults,
} from "./schema.js";
