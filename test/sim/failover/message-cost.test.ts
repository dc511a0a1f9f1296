// messageCost (src/sim/systems/failover/message-cost.ts, run by bench/main.ts): the message counter sees what the run sends and changes nothing (same
// trace hash as an uncounted run), its rates are per node and per second of the window, and
// the markdown table has a row per detector and a column per N.
import { describe, expect, it } from "vitest";
import { CLUSTER_MSG_HEADER_BYTES, GOSSIP_ENTRY_BYTES, MESSAGE_DETECTORS, messageCost, messagesTable } from "../../../src/sim/systems/failover/message-cost.js";
import { runSystem } from "../../../src/sim/runner/run.js";
import { getSystem } from "../../../src/sim/systems/index.js";

const S = 1_000_000;

describe("failover message benchmark", () => {
  it("counts a window of a calm run without changing the run, per node and second", () => {
    const m = messageCost({ detectors: ["gossip", "timeout"], sizes: [9], warmupS: 20, windowS: 10 });
    expect(m.rows).toHaveLength(2);
    const [g, t] = m.rows;
    const plain = runSystem(getSystem("failover"), { seed: 1, servers: 9, clients: 4, timeUs: 40 * S, faults: [], options: { detector: "gossip", valkey: { nodeTimeoutMs: 15_000, pingIntervalMs: 0 } } });
    expect(g.traceHash).toBe(plain.traceHash);
    expect(g.verdict).toBe("ok");
    // 9 nodes, each pinging 8 others about every P = 7.5 s (plus one random ping a second at
    // most): between 1 and 3 PINGs per node per second, as many PONGs.
    const pings = g.byType.ping / 9 / 10;
    expect(pings).toBeGreaterThan(1);
    expect(pings).toBeLessThan(3);
    expect(g.detectorMsgsPerNodeS).toBeCloseTo((g.byType.ping + g.byType.pong) / 90, 1);
    // Every PING/PONG at N = 9 carries max(3, N/10) = 3 gossip entries.
    expect(g.busKBPerNodeS).toBeCloseTo(((g.byType.ping + g.byType.pong) * (CLUSTER_MSG_HEADER_BYTES + 3 * GOSSIP_ENTRY_BYTES)) / 1000 / 90, 0);
    expect(g.fdMsgsPerNodeS).toBe(0);
    expect(t.fdMsgsPerNodeS).toBeGreaterThan(0);
    expect(t.detectorMsgsPerNodeS).toBe(t.fdMsgsPerNodeS);
    expect(t.allMsgsPerNodeS).toBeGreaterThan(t.busMsgsPerNodeS + t.fdMsgsPerNodeS);
    const table = messagesTable(m).split("\n");
    expect(table[0]).toBe("| detector | N = 9 |");
    expect(table.filter((l) => l.startsWith("| timeout"))).toHaveLength(2);
  });

  it("measures every detector family the failover system hosts, gossip first", () => {
    expect(MESSAGE_DETECTORS[0]).toBe("gossip");
    for (const d of MESSAGE_DETECTORS) expect(getSystem("failover").detectors).toContain(d);
  });
});
