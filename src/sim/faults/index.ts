// Faults: generic kinds, their frozen trace codes, the swarm generator and the executor.
export { ALL_FAULT_KINDS, FAULT_CODE, faultCode } from "./codes.js";
export { GENERIC_FAULT_KINDS, isGenericFault, type FaultAction, type GenericFault, type GenericFaultKind, type SystemFault } from "./kinds.js";
export { faultExecutor, healAll, type FaultArgs, type FaultExecutor, type FaultHooks } from "./apply.js";
export { GENERIC_FAMILIES, diskStallFamily, generateSchedule, type FamilyContext, type GeneratedSchedule, type SwarmFamily, type SwarmOptions } from "./swarm.js";
