export { WorkloadClient, type ClientEnv, type ClientCounters, type ClientPhase } from "./client.js";
export { HistoryRecorder, type Operation, type Status, type MetaOperation, type OpHandle } from "./recorder.js";
export { defaultOpMix, defaultWorkloadConfig, validateWorkloadConfig, type OpMix, type WorkloadConfig } from "./config.js";
export { WorkloadActor, workloadActorFactory } from "./actor.js";
export { ClientNote } from "./client.js";
