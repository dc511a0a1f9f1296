// A run written as a scenario file (what `raftsim shrink --out` writes): the generic keys from
// the run's options, the system's own from its block's fileKeys, the schedule with durations
// spelled out. The file is parsed back here before it is returned, so what is written loads.
import { stringify } from "yaml";
import type { RunOptions } from "../sim/runner/run.js";
import type { System } from "../sim/runner/system.js";
import type { ScenarioBlock } from "../sim/scenario/index.js";
import type { Expectation } from "../sim/runner/verdict.js";
import { formatDuration } from "../util/duration.js";
import { parseScenarioText } from "./scenarios.js";

export class NoScenarioFormError extends Error {
  constructor(what: string) {
    super(`this run cannot be written as a scenario file: ${what}`);
    this.name = "NoScenarioFormError";
  }
}

/** Fields of fault actions that are durations (written "250ms"); `at` too. */
const DURATION_FIELDS = new Set(["downUs", "durationUs", "readdUs", "periodUs"]);

const dur = (us: number) => (us === 0 ? "0" : formatDuration(us));

export interface ScenarioMeta {
  readonly name: string;
  readonly description: string;
  readonly expect: Expectation;
}

/** The scenario file (as an object) that runs `o` on `system` at its seed. */
export function scenarioObject(system: System, o: RunOptions, meta: ScenarioMeta): Record<string, unknown> {
  if (o.faults === undefined) throw new NoScenarioFormError("its schedule is generated (materialise it first)");
  const block = system.scenario as ScenarioBlock | undefined;
  if (block === undefined) throw new NoScenarioFormError(`system ${system.name} has no scenario format`);
  let own: Record<string, unknown> = {};
  if (block.fileKeys !== undefined) {
    try {
      own = block.fileKeys(o.options);
    } catch (e) {
      throw new NoScenarioFormError((e as Error).message);
    }
  } else if (o.options !== undefined) throw new NoScenarioFormError(`system ${system.name} options have no scenario form`);
  const schedule = o.faults.map((f) => {
    const out: Record<string, unknown> = { at: dur(f.at), kind: f.kind };
    for (const [k, v] of Object.entries(f)) {
      if (k === "at" || k === "kind") continue;
      out[k] = DURATION_FIELDS.has(k) && typeof v === "number" ? dur(v) : v;
    }
    return out;
  });
  return {
    name: meta.name,
    description: meta.description,
    system: system.name,
    servers: o.servers ?? system.defaults.servers,
    clients: o.clients ?? system.defaults.clients,
    time: dur(o.timeUs),
    seeds: [o.seed],
    expect: meta.expect,
    ...(o.bugs !== undefined && o.bugs.length > 0 ? { bugs: [...o.bugs] } : {}),
    ...(o.net !== undefined ? { net: netKeys(o.net) } : {}),
    ...own,
    faults: { schedule },
  };
}

function netKeys(n: NonNullable<RunOptions["net"]>): Record<string, unknown> {
  return {
    ...(n.latencyMedianUs !== undefined ? { latency: dur(n.latencyMedianUs) } : {}),
    ...(n.latencySigma !== undefined ? { sigma: n.latencySigma } : {}),
    ...(n.lossP !== undefined ? { loss: n.lossP } : {}),
    ...(n.dupP !== undefined ? { dup: n.dupP } : {}),
  };
}

/** The scenario as YAML text, checked to parse (throws NoScenarioFormError if it does not). */
export function scenarioYaml(system: System, o: RunOptions, meta: ScenarioMeta, header: readonly string[] = []): string {
  const text = header.map((l) => `# ${l}\n`).join("") + stringify(scenarioObject(system, o, meta), { lineWidth: 0 });
  try {
    parseScenarioText(text, meta.name);
  } catch (e) {
    throw new NoScenarioFormError(`the written file does not load: ${(e as Error).message}`);
  }
  return text;
}
