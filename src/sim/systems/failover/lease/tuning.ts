// The lease design's settings as the failover system's options carry them (`lease`,
// `checkLease`): any of the node's options over its defaults, Raft's timing included.
import type { LeaseOptions } from "../../../../impl/failover/lease/types.js";

export type LeaseTuning = Partial<Omit<LeaseOptions, "bugs" | "asserts" | "raft">> & { readonly raft?: Partial<LeaseOptions["raft"]> };
