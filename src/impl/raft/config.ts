// Configurations: what importers outside src/impl/raft know by this module's name. The
// configuration type travels in log entries (api.ts); voter sets and quorums are quorum.ts;
// single-server changes and Raft's membership are confchange.ts.
export type { ConfState } from "./api.js";
export { VoterSet } from "./quorum.js";
export { applyConfChange, checkConf, EMPTY_CONF, singleServerApart, type ConfChange } from "./confchange.js";
