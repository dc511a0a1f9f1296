// pingpong — the kernel's determinism fixture and the template for your own system.
//
// Five nodes ping each other and persist a pong counter (src/impl/pingpong/node.ts); one client
// asks for counters. What a system provides, in the smallest form that is still real:
//   - pure node code behind the node contract (src/impl/node.ts), built by `factory`;
//   - a trace key per message (part of the trace hash: freeze it once published);
//   - clients (actors) — here one, with no history to check (no `history` field);
//   - an online observer (`afterEachEvent`): a node's counter never falls below what it had
//     acknowledged as durable — it throws CheckFailure, which makes the run a violation;
//   - the liveness condition after the final heal: every node hears a pong from every peer;
//   - its fault families: the generic ones (it has no fault kinds or targets of its own, so
//     "isolate-leader" and "crash-leader" are no-ops and backups are never restored).
// To add your system: copy this folder and src/impl/pingpong/, rename, then add one line to
// src/sim/systems/index.ts. `raftsim run|replay|sweep --system NAME` and the bench pick it up.
import { PingPongNode, PING_PERIOD_US, type PMsg, type PRep, type PReq } from "../../../impl/pingpong/node.js";
import { GENERIC_FAMILIES } from "../../faults/index.js";
import type { ScenarioBlock } from "../../scenario/index.js";
import { CheckFailure, type PlantedBug, type RunRequest, type System, type SystemRun } from "../../runner/system.js";
import { PingPongClient } from "./client.js";
import { S } from "../../../util/time.js";

const CLIENT_PERIOD_US = 500_000;

function setup(req: RunRequest): SystemRun {
  const N = req.servers;
  // Online check: a node's counter never falls below what it had acknowledged as durable.
  const ackedDurable = new Float64Array(N);
  return {
    world: {
      factory: (_id, env, rec) => new PingPongNode(env as never, N, rec as never, { ackBeforeDurable: req.bugs.includes("ack-before-durable") }, req.sutAsserts !== false),
      actorFactory: (_id, env) => new PingPongClient(env, N, CLIENT_PERIOD_US),
      budget: 1_000_000 + Math.ceil(req.timeUs / S) * 200_000,
      traceKey: (m) => {
        const msg = m as PMsg | PReq | PRep;
        return msg.type === "ping" ? 1 + msg.seq * 4 : msg.type === "pong" ? 2 + msg.seq * 4 : msg.type === "get" ? 3 : 4;
      },
      afterEachEvent: (w) => {
        for (let i = 0; i < N; i++) {
          const n = w.nodes[i] as PingPongNode | null;
          if (n === null) continue;
          if (n.counterValue < ackedDurable[i]) throw new CheckFailure(`node ${i}: counter ${n.counterValue} below acknowledged durable ${ackedDurable[i]} at t=${w.now}us`, w.now);
          if (n.durableCounter > ackedDurable[i]) ackedDurable[i] = n.durableCounter;
        }
      },
    },
    faults: {},
    // A node's state at an instant (`raftsim replay --system pingpong --at 2s`).
    inspectNode: (w, id) => {
      const n = w.nodes[id] as PingPongNode;
      return { counter: n.counterValue, durable: n.durableCounter, pongsFrom: Array.from(n.pongsFrom).join(",") };
    },
    // Two ping periods after the last heal are enough for every node to hear every peer.
    endAt: (lastHeal, timeUs) => Math.max(timeUs, lastHeal + 2 * PING_PERIOD_US),
    liveness(world, lastHeal, endUs) {
      const base = world.nodes.map((n) => (n as PingPongNode | null)?.pongsFrom.slice() ?? null);
      const nodesAtHeal = world.nodes.slice();
      world.runUntil(endUs);
      const stuck: string[] = [];
      for (let i = 0; i < N; i++) {
        const n = world.nodes[i] as PingPongNode | null;
        if (n === null || n !== nodesAtHeal[i] || base[i] === null) {
          stuck.push(`${i} (down)`);
          continue;
        }
        for (let p = 0; p < N; p++) if (p !== i && n.pongsFrom[p] <= base[i]![p]) stuck.push(`${i}<-${p}`);
      }
      return stuck.length > 0 ? `no pong after the final heal at t=${lastHeal}us: ${stuck.slice(0, 8).join(", ")}` : null;
    },
  };
}

// A template's planted bug: proof that the observer above can fail, and the pattern for yours
// (a flag the node reads, off by default, and a seed that finds it).
const BUGS: readonly PlantedBug[] = [
  {
    name: "ack-before-durable",
    description: "A node reports a pong count durable when it writes it, without an fsync; a crash takes it back.",
    breaks: "counter-not-below-acknowledged (the online observer)",
    detectingSeed: 1,
  },
];

/** pingpong in scenario files (`system: pingpong`): the generic keys only, no options. */
const scenarioBlock: ScenarioBlock = {
  system: "pingpong",
  families: GENERIC_FAMILIES.map((f) => f.name),
  bugs: BUGS.map((b) => b.name),
  actions: [],
  shape: {},
  options: () => undefined,
};

export const pingpong: System = {
  name: "pingpong",
  description: "5 nodes ping each other and persist a pong counter; the kernel's determinism fixture and the template for a new system",
  defaults: { servers: 5, clients: 1 },
  bugs: BUGS,
  families: GENERIC_FAMILIES,
  faultKinds: [],
  targets: [],
  scenario: scenarioBlock,
  // Its setup reads no options, so --system-options may name none (list yours when you add some:
  // a misspelt name is then refused rather than ignored).
  optionKeys: [],
  setup,
  // The flight recorder: the nodes note nothing; the client's answers (code 1: from, counter)
  // are drawn on its row.
  recorder: { lanes: [], clientMarkers: [{ code: 1, label: "node {c}: counter {d}" }] },
};
