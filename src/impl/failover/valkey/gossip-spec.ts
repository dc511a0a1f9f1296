// Self-description of the Valkey cluster bus as a detector family (`gossip`), in the shape of
// the point-to-point detectors' DetectorDescription (for `raftsim detectors`). Its parameters
// are the ValkeyOptions that shape failure detection, with Valkey's own defaults.
import type { ParamDoc } from "../detectors/types.js";
import { DEFAULT_VALKEY_OPTIONS } from "./types.js";

const SRC = "valkey-io/valkey @55bbbe09 src/cluster_legacy.c";
const d = DEFAULT_VALKEY_OPTIONS;

export const GOSSIP_DESCRIPTION: { readonly name: "gossip"; readonly description: string; readonly params: readonly ParamDoc[] } = {
  name: "gossip",
  description:
    "Valkey's cluster bus: PING/PONG with gossip every P, PFAIL after the node timeout T without a PONG, FAIL once a majority of voting primaries report PFAIL/FAIL (reports valid 2T), FAIL broadcast and cleared on a PONG.",
  params: [
    { name: "nodeTimeoutMs", default: d.nodeTimeoutMs, doc: "cluster-node-timeout T, ms (the failover system runs Valkey's test setting, 3000)", source: `${SRC} server.cluster_node_timeout; valkey.conf` },
    { name: "pingIntervalMs", default: d.pingIntervalMs, doc: "ping interval P, ms; 0 = T/2 (the failover system runs 100)", source: `${SRC} clusterCron (node_timeout/2)` },
    { name: "cronMs", default: d.cronMs, doc: "clusterCron period C, ms", source: `${SRC} clusterCron, 10 times a second` },
    { name: "failReportValidityMult", default: d.failReportValidityMult, unit: "count", doc: "failure reports expire after this many T", source: `${SRC} CLUSTER_FAIL_REPORT_VALIDITY_MULT` },
    { name: "failUndoTimeMult", default: d.failUndoTimeMult, unit: "count", doc: "a slot-owning primary's FAIL is cleared after this many T", source: `${SRC} CLUSTER_FAIL_UNDO_TIME_MULT` },
  ],
};
