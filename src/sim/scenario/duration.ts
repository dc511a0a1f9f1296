// Durations in scenario files: "1.5s", "250ms", "40us", "2m", "0" — or an integer of µs (the
// schema handles bare numbers). One parser for the whole tool: src/util/duration.ts.
export { durationToUs, usToDuration } from "../../util/duration.js";
