// How the flight recorder (`raftsim run --report`) draws the Valkey-like nodes' notes: per node
// its shard, its role (primary, or replica of whom) with its configEpoch, currentEpoch (with
// lastVoteEpoch), the cluster state (with the minority flag), writability, and its view of every
// other node as split lanes (one row per target: PFAIL, FAIL); elections, wins, votes and epoch
// collisions as markers.
import { VN } from "../../../impl/failover/valkey/types.js";
import type { RecorderSpec } from "../../runner/system.js";

const ROLE_NAMES: Record<number, string> = { [-1]: "primary" };
for (let j = 0; j < 256; j++) ROLE_NAMES[j] = `replica of ${j}`;

export const failoverRecorder: RecorderSpec = {
  lanes: [
    { name: "shard", note: VN.shard, value: "c", kind: "step" },
    { name: "role", note: VN.role, value: "c", kind: "enum", names: ROLE_NAMES, aux: { arg: "d", name: "configEpoch" } },
    { name: "configEpoch", note: VN.role, value: "d", kind: "step" },
    { name: "currentEpoch", note: VN.epoch, value: "c", kind: "step", aux: { arg: "d", name: "lastVoteEpoch" } },
    { name: "state", note: VN.state, value: "c", kind: "enum", names: { 0: "fail", 1: "ok" }, aux: { arg: "d", name: "minority" } },
    { name: "writable", note: VN.writable, value: "d", kind: "enum", names: { 0: "read-only", 1: "writable" }, none: 0 },
    { name: "pfail", note: VN.pfail, value: "d", kind: "enum", names: { 0: "-", 1: "PFAIL" }, none: 0, splitBy: "c" },
    { name: "fail", note: VN.fail, value: "d", kind: "enum", names: { 0: "-", 1: "FAIL (own)", 2: "FAIL (learnt)" }, none: 0, splitBy: "c" },
  ],
  markers: [
    { code: VN.election, label: "election @{c} rank {d}" },
    { code: VN.win, label: "won election @{c} (rank {d})" },
    { code: VN.vote, label: "vote for {d} @{c}" },
    { code: VN.collision, label: "configEpoch {c} (collision with {d})" },
  ],
};
