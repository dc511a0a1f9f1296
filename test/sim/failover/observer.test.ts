// The failover observer's vote and winner checks on hand-made inputs (the swarm rarely makes a
// correct cluster come near them): P-FO1 one vote per voter and epoch, P-FO2 one winner per
// shard and epoch, and P-FD4 justified FAIL from the reports the observer recorded.
import { describe, expect, it } from "vitest";
import { FailoverObserver } from "../../../src/sim/systems/failover/observer.js";
import { Disturbances } from "../../../src/sim/systems/failover/disturbance.js";
import { shapeFor } from "../../../src/sim/systems/failover/options.js";
import { CheckFailure, type AnyWorld } from "../../../src/sim/runner/system.js";
import { G_FAIL, G_PFAIL, VN, type ValkeyMsg } from "../../../src/impl/failover/valkey/types.js";
import { ClusterView } from "../../../src/impl/failover/valkey/view.js";

const shape = shapeFor(9, {});
const timing = { T: 3e6, P: 1e5, C: 1e5, electionFixedUs: 5e5, electionRandomUs: 5e5, electionRankUs: 1e6 };

function fakeWorld(): { w: AnyWorld; views: ClusterView[] } {
  const views: ClusterView[] = [];
  const nodes = [];
  for (let i = 0; i < 9; i++) {
    const view = new ClusterView(shape.topo);
    views.push(view);
    nodes.push({ view, opts: { failReportValidityMult: 2 }, T: 3e6, firstSlot: (n: number) => view.slotsOf(n)[0] ?? -1 });
  }
  // status and net: what the measurements read (a paused node, a cut link); all up, no cuts.
  const w = { now: 10e6, nodes, localNow: () => w.now, isUp: () => true, status: new Uint8Array(9), net: { isCut: () => false, anyCut: false, endpoints: 13 } } as unknown as AnyWorld & { now: number };
  return { w, views };
}

function observer(): { obs: FailoverObserver; w: AnyWorld & { now: number }; views: ClusterView[] } {
  const { w, views } = fakeWorld();
  const obs = new FailoverObserver(shape, timing, new Disturbances([{ at: 1, kind: "crash", node: 1 }], 1e9));
  obs.attach(w);
  return { obs, w: w as AnyWorld & { now: number }, views };
}

const hdr = { currentEpoch: 1, configEpoch: 0, primaryOf: -1, offset: 0, slots: [] };
const flagging = (q: number): ValkeyMsg => ({ type: "ping", hdr, gossip: [{ node: q, flags: G_PFAIL }] });
const ack = (epoch: number): ValkeyMsg => ({ type: "authAck", hdr: { currentEpoch: epoch, configEpoch: 0, primaryOf: -1, offset: 0, slots: [] } });

describe("FailoverObserver", () => {
  it("P-FO1: a second vote by one voter in one epoch fails the run; a repeat to the same requester does not", () => {
    const { obs } = observer();
    obs.onSend(3, 1, ack(5));
    obs.onSend(3, 1, ack(5));
    obs.onSend(3, 2, ack(6));
    expect(() => obs.onSend(3, 2, ack(5))).toThrow(CheckFailure);
    expect(() => obs.onSend(3, 2, ack(5))).toThrow(/^P-FO1: node 3 voted twice in epoch 5: for nodes 1 and 2/);
  });

  it("P-FO2: two winners of one shard in one epoch fail the run", () => {
    const { obs, views } = observer();
    // Nodes 1 and 2 (shard 0's replicas) each believe they took shard 0's slots in epoch 7.
    for (const s of views[1].slotsOf(0)) views[1].setOwner(s, 1);
    for (const s of views[2].slotsOf(0)) views[2].setOwner(s, 2);
    obs.onNote(1, VN.win, 7, 0);
    expect(() => obs.onNote(2, VN.win, 7, 1)).toThrow(/^P-FO2: two winners for shard 0 in epoch 7: nodes 1 and 2/);
  });

  it("P-FD4: a FAIL needs fresh reports from a majority of voting primaries", () => {
    const { obs, w } = observer();
    // Node 0 (a voting primary) marks node 4 FAIL holding node 3's report: 2 of 3, quorum 2
    // (node 3 did send node 0 a gossip entry flagging node 4).
    obs.onSend(3, 0, flagging(4));
    obs.onNote(0, VN.report, 4, 3);
    obs.onNote(0, VN.fail, 4, 1);
    // Node 1 (a replica) with one report from a replica (node 2: not counted) and one stale one.
    obs.onNote(1, VN.report, 4, 2);
    obs.onNote(1, VN.report, 4, 6);
    w.now += 7e6; // older than 2T
    expect(() => obs.onNote(1, VN.fail, 4, 1)).toThrow(/^P-FD4: node 1 marked node 4 FAIL with 0 fresh voting-primary report\(s\), quorum 2/);
  });

  it("P-FD4: a report counts only if its reporter sent a gossip entry flagging the node", () => {
    const { obs } = observer();
    // Node 3 only ever sent node 0 a clean entry about node 5: its report is no report.
    obs.onSend(3, 0, { type: "ping", hdr: hdr, gossip: [{ node: 5, flags: 0 }] });
    obs.onSend(6, 0, flagging(4)); // a flag about another node does not count either
    obs.onNote(0, VN.report, 5, 3);
    expect(() => obs.onNote(0, VN.fail, 5, 1)).toThrow(/^P-FD4: node 0 marked node 5 FAIL with 1 fresh voting-primary report\(s\), quorum 2/);
    const { obs: obs2 } = observer();
    obs2.onSend(3, 0, { type: "pong", hdr: hdr, gossip: [{ node: 5, flags: G_FAIL }] });
    obs2.onNote(0, VN.report, 5, 3);
    expect(() => obs2.onNote(0, VN.fail, 5, 1)).not.toThrow();
  });
});
