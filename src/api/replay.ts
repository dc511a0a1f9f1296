// The one builder of replay lines: the command that reruns a seed exactly as it ran. `raftsim
// run` and `raftsim replay` print the `replay` form (with the trace hash to insist on); a sweep
// report carries the `run` form for each failing seed (a sweep keeps no trace hashes).
import { formatDuration } from "../util/duration.js";

export interface ReplaySpec {
  /** The system; omitted from the line when it is the default (raft-metadata). */
  readonly system?: string;
  readonly seed: number;
  readonly timeUs: number;
  /** --scenario as the user gave it (a name or a path); repeated, shell-quoted when needed. */
  readonly scenarioRef?: string;
  /** Bugs from the command line (a scenario's own come from its file). */
  readonly bugs: readonly string[];
  readonly everyFault: boolean;
  /** false: the run had the system's own assertions off (`--sut-asserts off`). */
  readonly sutAsserts?: boolean;
  /** An explicit fault schedule (virtual µs), repeated as --faults '<json>'. */
  readonly faults?: readonly unknown[];
  /** --detector NAME (systems with detectors). */
  readonly detector?: string;
  /** --families a,b: the swarm may draw only these fault families (compare's family rows). */
  readonly families?: readonly string[];
  /** --system-options '<json>': system options laid over the run's (compare's variants). */
  readonly systemOptions?: Readonly<Record<string, unknown>>;
}

/** `raftsim replay --seed S --time T [--scenario X] [--bug B]… [--every-fault] --expect-hash H` */
export function replayLine(s: ReplaySpec, traceHash: string): string {
  const parts = ["raftsim replay", ...systemFlag(s), `--seed ${s.seed}`, `--time ${formatDuration(s.timeUs)}`];
  if (s.scenarioRef !== undefined) parts.push(`--scenario ${shellQuote(s.scenarioRef)}`);
  parts.push(...tail(s), `--expect-hash ${traceHash}`);
  return parts.join(" ");
}

/** `raftsim run [--scenario X] --seed S --time T [--bug B]… [--every-fault]` */
export function rerunLine(s: ReplaySpec): string {
  const parts = ["raftsim run", ...systemFlag(s)];
  if (s.scenarioRef !== undefined) parts.push(`--scenario ${shellQuote(s.scenarioRef)}`);
  parts.push(`--seed ${s.seed}`, `--time ${formatDuration(s.timeUs)}`, ...tail(s));
  return parts.join(" ");
}

/** `raftsim shrink [--system S] --seed S --time T [--scenario X] [--bug B]… [--every-fault]`:
 * the command that shrinks a failing run (printed next to its replay command). */
export function shrinkLine(s: ReplaySpec): string {
  // (shrink takes no --detector yet: the failover system's detector options are not shrunk)
  const parts = ["raftsim shrink", ...systemFlag({ ...s, detector: undefined }), `--seed ${s.seed}`, `--time ${formatDuration(s.timeUs)}`];
  if (s.scenarioRef !== undefined) parts.push(`--scenario ${shellQuote(s.scenarioRef)}`);
  // Shrinking runs with the system's assertions on (a scenario file cannot switch them off).
  // Of the system options shrink takes only raft-metadata's fast: false, as --no-fast.
  parts.push(...tail({ ...s, sutAsserts: undefined, systemOptions: undefined }));
  if (s.systemOptions?.fast === false) parts.push("--no-fast");
  return parts.join(" ");
}

function systemFlag(s: ReplaySpec): string[] {
  const sys = s.system === undefined || s.system === "raft-metadata" ? [] : [`--system ${s.system}`];
  return s.detector === undefined ? sys : [...sys, `--detector ${shellQuote(s.detector)}`];
}

function tail(s: ReplaySpec): string[] {
  return [...s.bugs.map((b) => `--bug ${b}`), ...(s.sutAsserts === false ? ["--sut-asserts off"] : []), ...(s.everyFault ? ["--every-fault"] : []), ...(s.families !== undefined ? [`--families ${shellQuote(s.families.join(","))}`] : []), ...(s.systemOptions !== undefined ? [`--system-options ${shellQuote(JSON.stringify(s.systemOptions))}`] : []), ...(s.faults !== undefined ? [`--faults ${shellQuote(JSON.stringify(s.faults))}`] : [])];
}

/** A word the shell leaves alone stays bare; anything else goes in single quotes. */
export function shellQuote(s: string): string {
  return /^[\w./:@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
