// The node contract's environment as a Valkey node sees it.
import type { NodeEnv } from "../../node.js";
import type { KvRep, ValkeyMsg, ValkeyRecord } from "./types.js";

export type ValkeyEnv = NodeEnv<ValkeyMsg, ValkeyRecord, KvRep>;
