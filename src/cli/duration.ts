// Durations on the command line: the parser and formatter live in src/util/duration.ts.
export { formatDuration, parseDuration } from "../util/duration.js";
