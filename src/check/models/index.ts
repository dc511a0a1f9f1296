// The model registry: the generic built-in models by name, plus any a user or a system adds
// (a system's own model, such as raft-metadata's metadata-kv, is registered by src/api when it
// loads the systems), and the default model for each history format.
import type { AnyModel } from "../model.js";
import { casRegister, etcdCasRegister, knossosCasRegister, register } from "./cas-register.js";
import { porcupineKv } from "./porcupine-kv.js";

export { casRegister, etcdCasRegister, knossosCasRegister, register, registerModel } from "./cas-register.js";
export { porcupineKv, type KvInput, type KvOutput, type KvState } from "./porcupine-kv.js";
export type { RegisterInput, RegisterOutput, RegisterValue } from "./register-values.js";

const registry = new Map<string, AnyModel>();
for (const m of [register, casRegister, etcdCasRegister, knossosCasRegister, porcupineKv]) registry.set(m.name, m);

/** Makes a user model available by name (e.g. to the CLI's --model). Names are unique. */
export function addModel(model: AnyModel): void {
  if (registry.get(model.name) === model) return; // registering the same model twice is harmless
  if (registry.has(model.name)) throw new Error(`a model named ${JSON.stringify(model.name)} is already registered`);
  registry.set(model.name, model);
}

export function getModel(name: string): AnyModel | undefined {
  return registry.get(name);
}

export function modelNames(): string[] {
  return [...registry.keys()];
}

export type FormatName = "jsonl" | "porcupine-etcd" | "porcupine-kv" | "edn";

/** The model a format's histories are judged with unless --model says otherwise. */
export const defaultModelFor: Readonly<Record<FormatName, string>> = {
  jsonl: "metadata-kv",
  "porcupine-etcd": "etcd-cas-register",
  "porcupine-kv": "porcupine-kv",
  edn: "knossos-cas-register",
};
