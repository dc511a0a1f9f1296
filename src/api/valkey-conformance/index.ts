// The Valkey modular-clustering conformance suite (docs/valkey-contract.md): checks any Clustering
// module must pass, the small world they run in, and the contract's types for writing a module.
export { moduleConformance, runConformance, CONFORMANCE_CHECKS, type ConformanceCheck, type ConformanceOptions, type ConformanceResult } from "./checks.js";
export { ConformanceWorld, CoreRecord, type WorldOptions } from "./world.js";
