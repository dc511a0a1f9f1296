// Linearizability checking of history files, for the CLI and library users: the generic
// checker and models, plus every registered system's own model (registered here, so
// `raftsim check --model metadata-kv` works without src/check knowing any system).
import { addModel, defaultModelFor, getModel, modelNames, type FormatName } from "../check/models/index.js";
import { SYSTEMS } from "../sim/systems/index.js";

for (const s of SYSTEMS) if (s.model !== undefined) addModel(s.model);

export { addModel, defaultModelFor, getModel, modelNames, type FormatName };
export { checkOperations, type CheckOptions, type CheckResult, type LinVerdict } from "../check/linearizability.js";
export { formatCounterexample } from "../check/counterexample.js";
export { detectFormat, FORMATS, HistoryInputError, isFormat, readHistory } from "../check/formats/index.js";
export { HistoryError, type Event, type Operation, type Status } from "../check/history.js";
