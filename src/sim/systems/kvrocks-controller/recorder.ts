// How the flight recorder (`raftsim run --report`) draws kvrocks-controller's notes: per
// controller whether the engine made it leader and whether it is acting (allowed to probe and
// fail over), per data node its role in the topology it adopted and its replication offset as
// writes are accepted; failover tasks, promotions, topology updates and commits as markers.
import { KN } from "../../../impl/kvrocks/types.js";
import type { RecorderSpec } from "../../runner/system.js";

export const kvrocksRecorder: RecorderSpec = {
  lanes: [
    { name: "leader", note: KN.leading, value: "d", kind: "enum", names: { 0: "-", 1: "engine leader" }, none: 0, aux: { arg: "c", name: "epoch" } },
    { name: "acting", note: KN.acting, value: "d", kind: "enum", names: { 0: "-", 1: "acting" }, none: 0, aux: { arg: "c", name: "epoch" } },
    { name: "role", note: KN.adopted, value: "d", kind: "enum", names: { 0: "replica", 1: "master" }, aux: { arg: "c", name: "version" } },
    { name: "offset", note: KN.write, value: "d", kind: "step" },
  ],
  markers: [
    { code: KN.queued, label: "failover queued for {c} ({d} misses)" },
    { code: KN.promoted, label: "promote {d} (shard {c})" },
    { code: KN.updating, label: "update to version {c}" },
    { code: KN.committed, label: "version {c} committed (revision {d})" },
  ],
};
