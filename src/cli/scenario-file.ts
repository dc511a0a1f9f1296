// Load an explicit fault schedule from a JSON file: either an array of actions or
// {"name"?: string, "faults": [...]}. Times may be integer µs or duration strings ("1.5s").
// Errors name the file and field (InputError → exit 65).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { FAULT_KINDS, type FaultAction } from "../sim/nemesis.js";
import type { Scenario } from "../sim/run-placeholder.js";
import { parseDuration } from "./duration.js";
import { InputError } from "./errors.js";

const NUMERIC = ["node", "from", "to", "bridge", "us", "ppm", "durationUs", "latencyMedianUs", "latencySigma", "lossP", "dupP", "downUs", "times"];

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(file, `cannot read: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(file, `not valid JSON: ${(e as Error).message}`);
  }
  const obj = Array.isArray(data) ? { faults: data } : (data as { name?: unknown; faults?: unknown });
  if (obj === null || typeof obj !== "object" || !Array.isArray(obj.faults))
    throw new InputError(file, `expected an array of fault actions or {"faults": [...]}`);
  const name = typeof (obj as { name?: unknown }).name === "string" ? (obj as { name: string }).name : basename(file);
  const faults = obj.faults.map((raw: unknown, i: number) => validateAction(raw, `${file}: faults[${i}]`));
  return { name, faults };
}

export function validateAction(raw: unknown, where: string): FaultAction {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new InputError(where, "must be an object");
  const a = { ...(raw as Record<string, unknown>) };
  if (typeof a.kind !== "string" || !(FAULT_KINDS as readonly string[]).includes(a.kind))
    throw new InputError(`${where}.kind`, `must be one of ${FAULT_KINDS.join(", ")}`);
  if (typeof a.at === "string") {
    try {
      a.at = a.at === "0" ? 0 : parseDuration(a.at);
    } catch (e) {
      throw new InputError(`${where}.at`, (e as Error).message);
    }
  }
  if (typeof a.at !== "number" || !Number.isSafeInteger(a.at) || a.at < 0)
    throw new InputError(`${where}.at`, "must be a non-negative integer of µs or a duration like \"2s\"");
  for (const k of NUMERIC)
    if (k in a && (typeof a[k] !== "number" || !Number.isFinite(a[k] as number))) throw new InputError(`${where}.${k}`, "must be a number");
  const needs: Record<string, string[]> = {
    "partition-halves": ["side"], "partition-ring": ["order"], "partition-bridge": ["side", "bridge"],
    isolate: ["node"], "cut-one-way": ["from", "to"], crash: ["node"], restart: ["node"], pause: ["node"], resume: ["node"],
    "clock-offset": ["node", "us"], "clock-jump": ["node", "us"], "clock-drift": ["node", "ppm"],
    "disk-lose-unsynced": ["node", "mode"], clog: ["from", "to", "durationUs"], "crash-leader": ["downUs"], "isolate-leader-on": ["event", "durationUs", "times"], reconnect: ["node"],
  };
  for (const k of needs[a.kind] ?? []) if (!(k in a)) throw new InputError(`${where}.${k}`, `required for "${a.kind}"`);
  for (const k of ["side", "order"])
    if (k in a && (!Array.isArray(a[k]) || !(a[k] as unknown[]).every((x) => Number.isInteger(x))))
      throw new InputError(`${where}.${k}`, "must be an array of node ids");
  if (a.kind === "isolate-leader-on" && !["elected", "first-commit"].includes(a.event as string))
    throw new InputError(`${where}.event`, `must be "elected" or "first-commit"`);
  if (a.kind === "disk-lose-unsynced" && !["all", "prefix", "torn"].includes(a.mode as string))
    throw new InputError(`${where}.mode`, `must be "all", "prefix" or "torn"`);
  return a as unknown as FaultAction;
}
