// engula — Engula's control unit (issue 16 part 2; seed: engula issue #58 "Roadmap v0.2 -
// Microunit"; source @9901b7c src/server/src/root). Nodes start, node 0 bootstraps a universe,
// the others join through any node (redirected to the control plane). The control unit lives on
// the first node (rootVoters 1, the seed's v0.2) or on the leader of a root Raft group (default
// 3 voters). It heartbeats every node with piggybacked group status, marks nodes dead after the
// liveness threshold, and cures data groups (3 Raft voters each) by membership changes. Clients
// send universe-wide requests to any node; the answers must be linearizable.
//
// Checked online (observer.ts): P-C1 bounded detection across control-plane leader changes, and
// no quorum lost through a cure. After the final heal (liveness phase): every node joined, one
// control unit that sees every node alive, every group with a leader and exactly `replicas`
// voters, no learner, no pending change. The client history (with the joins) is checked against
// the universe model (src/check/models/engula-universe.ts).
import * as z from "zod";
import { universeModel } from "../../../check/models/engula-universe.js";
import { EngulaNode } from "../../../impl/engula/node.js";
import { ENGULA_NOTE_NAMES, EngulaNote, ROOT_GROUP, type EngulaMessage } from "../../../impl/engula/types.js";
import { GENERIC_FAMILIES } from "../../faults/index.js";
import { NodeStatus } from "../../kernel/world.js";
import type { ScenarioBlock } from "../../scenario/index.js";
import { livenessWindowUs } from "../../runner/liveness-window.js";
import type { AnyWorld, RunRequest, System, SystemRun } from "../../runner/system.js";
import { S } from "../../../util/time.js";
import { BUGS, engulaBugs } from "./bugs.js";
import { UniverseClient, UniverseRecorder } from "./client.js";
import { ENGULA_FAMILIES } from "./families.js";
import { EngulaObserver } from "./observer.js";
import { ENGULA_OPTION_KEYS, resolveOptions, type EngulaSystemOptions } from "./options.js";
import { settled } from "./settled.js";
import { RUN_CHECK_STEPS } from "../../runner/run.js";

const TRACE_KEYS: Readonly<Record<string, number>> = { raft: 1, join: 2, joinResp: 3, hb: 4, hbResp: 5, report: 6, cure: 7, req: 8, rep: 9 };

function traceKey(m: unknown): number {
  const x = m as { type: string; g?: number };
  const k = TRACE_KEYS[x.type] ?? 0;
  return x.type === "raft" ? k + 16 * (x.g ?? 0) : k;
}

function setup(req: RunRequest): SystemRun {
  const r = resolveOptions(req.options, req.servers, engulaBugs(req.bugs), req.sutAsserts !== false);
  const o = r.node;
  const N = req.servers;
  const boundUs = o.livenessThresholdUs + o.heartbeatIntervalUs + o.heartbeatTimeoutUs + r.leaderChangeUs;
  const obs = new EngulaObserver({ servers: N, groups: o.groups, boundUs, graceUs: o.heartbeatTimeoutUs + 10_000 });
  const rec = new UniverseRecorder();
  // Joins are operations of the history too (POST /nodes), one process per node incarnation.
  const joinOpen = new Array<number>(N).fill(-1);
  const incarnation = new Array<number>(N).fill(0);
  const settleUs = Math.max(livenessWindowUs(req.timeUs), 3 * (o.livenessThresholdUs + o.heartbeatIntervalUs) + 5 * S);
  let world!: AnyWorld;
  let settledAt = Number.NaN;
  let settledAfterHealUs: number | null = null;

  return {
    world: {
      factory: (id, env, recovered) => new EngulaNode(env as never, o, recovered as never, world.localNow(id)),
      actorFactory: (_id, env) => new UniverseClient(env, N, r.workload, rec),
      traceKey,
      budget: 3_000_000 + Math.ceil((req.timeUs + settleUs) / S) * 200_000,
      onNote: (id, code, a, b) => {
        obs.onNote(id, code, a, b);
        if (code === EngulaNote.joinDone && joinOpen[id] >= 0) {
          rec.close(joinOpen[id], "ok", "done", world.now);
          joinOpen[id] = -1;
        }
      },
      onSend: (from, _to, msg) => {
        const m = msg as EngulaMessage;
        if (m.type === "join" && m.node === from && joinOpen[from] < 0) joinOpen[from] = rec.invoke(1_000_000_000 + from * 10_000 + incarnation[from], { f: "join", node: from }, world.now);
      },
      onCrash: (id) => {
        obs.onCrash(id);
        if (joinOpen[id] >= 0) rec.close(joinOpen[id], "info", undefined, world.now);
        joinOpen[id] = -1;
        incarnation[id]++;
      },
      afterEachEvent: (w) => obs.afterEvent(w),
    },
    faults: {
      // "leader": the control unit (the root group's leader that took office; highest term).
      target: (name) => {
        if (name !== "leader") return -1;
        let best = -1;
        let term = -1;
        for (let i = 0; i < N; i++) {
          const n = world.nodes[i] as EngulaNode | null;
          if (n !== null && n.cu !== null && n.cu.term > term) {
            best = i;
            term = n.cu.term;
          }
        }
        return best;
      },
    },
    attach(w) {
      world = w;
      obs.attach(w);
    },
    inspectNode: (w, id) => {
      const n = w.nodes[id] as EngulaNode | null;
      if (n === null) return null;
      const root = n.host.get(ROOT_GROUP);
      const local = w.localNow(id);
      return {
        joined: n.joined,
        controlUnit: n.cu !== null,
        rootRole: root === undefined ? "-" : root.role(),
        rootTerm: root === undefined ? null : root.term(),
        groups: n.host.ids().filter((g) => g !== ROOT_GROUP).map((g) => `${g}:${n.host.get(g)!.role()[0]}`).join(" "),
        dead: n.cu === null ? "" : n.universe.nodes.filter((x) => n.liveness.isDead(x, local)).join(","),
        units: n.universe.units.join(","),
      };
    },
    endAt: (lastHeal, timeUs) => Math.max(timeUs, lastHeal + settleUs),
    liveness(w, lastHeal, endUs) {
      let why: string | null = "not run";
      w.runUntil(endUs, () => {
        why = settled(w, o);
        if (why !== null) {
          settledAt = Number.NaN;
          return false;
        }
        if (settledAt !== settledAt) settledAt = w.now;
        return w.now - settledAt >= S;
      });
      if (why !== null) return `not settled ${((endUs - lastHeal) / S).toFixed(0)}s after the final heal: ${why}`;
      settledAfterHealUs = settledAt - lastHeal;
      return null;
    },
    finish(w) {
      obs.finish(w.now);
      rec.abandonAll();
      for (let i = 0; i < N; i++) joinOpen[i] = -1;
    },
    history: {
      operations: () => rec.ops,
      model: universeModel(o.rootVoters),
      // One state for the whole history (no partitioning by key), with indeterminate writes:
      // three times the runner's default step budget (it had three times the wall budget).
      maxSteps: 3 * RUN_CHECK_STEPS,
    },
    details: () => {
      const td = [...obs.tdUs].sort((a, b) => a - b);
      return {
        engula: {
          rootVoters: o.rootVoters,
          groups: o.groups,
          replicas: o.replicas,
          livenessThresholdMs: o.livenessThresholdUs / 1000,
          heartbeatTimeoutMs: o.heartbeatTimeoutUs / 1000,
          heartbeatIntervalMs: o.heartbeatIntervalUs / 1000,
          detectionBoundMs: boundUs / 1000,
        },
        detection: {
          detections: td.length,
          p50Ms: td.length === 0 ? null : ms(td[Math.floor((td.length - 1) / 2)]!),
          maxMs: td.length === 0 ? null : ms(td[td.length - 1]!),
          checked: obs.checkedDetections,
        },
        // Printed by `raftsim run` (src/cli/metrics-table.ts): crash-to-dead per detection.
        metrics: {
          detectionMs: {
            n: td.length,
            p50: td.length === 0 ? null : ms(td[Math.floor((td.length - 1) / 2)]!),
            p99: td.length === 0 ? null : ms(td[Math.min(td.length - 1, Math.floor(0.99 * td.length))]!),
            max: td.length === 0 ? null : ms(td[td.length - 1]!),
          },
        },
        cures: obs.cures,
        quorumLosses: obs.quorumLosses,
        unavailableMs: ms(obs.unavailableUs),
        controlUnitChanges: obs.controlUnitChanges,
        settledAfterHealMs: settledAfterHealUs === null ? null : ms(settledAfterHealUs),
        upNodes: Array.from({ length: N }, (_, i) => world.status[i] === NodeStatus.up).filter(Boolean).length,
      };
    },
  };
}

function ms(us: number): number {
  return Math.round(us / 100) / 10;
}

// Clock faults are left out: a control unit whose clock steps back detects late by the step
// (bug #5's territory, FAILURE-DETECTION.md §d), which P-C1 would flag against correct code.
const FAMILIES = [...GENERIC_FAMILIES.filter((f) => f.name !== "clock"), ...ENGULA_FAMILIES];

/** The options with a scenario-file form (all but workload). */
const FILE_KEYS = ["rootVoters", "groups", "replicas", "livenessThresholdMs", "heartbeatTimeoutMs", "heartbeatIntervalMs", "leaderChangeMs"] as const satisfies readonly (typeof ENGULA_OPTION_KEYS)[number][];

/** engula in scenario files (`system: engula`): the generic keys and its numeric options. */
const scenarioBlock: ScenarioBlock = {
  system: "engula",
  families: FAMILIES.map((f) => f.name),
  bugs: BUGS.map((b) => b.name),
  actions: [],
  shape: Object.fromEntries(FILE_KEYS.map((k) => [k, z.number().int().positive().optional()])),
  options(sc) {
    const out: Record<string, number> = {};
    for (const k of FILE_KEYS) if (typeof sc[k] === "number") out[k] = sc[k] as number;
    return Object.keys(out).length === 0 ? undefined : out;
  },
  fileKeys(options): Record<string, unknown> {
    const o = (options ?? {}) as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !(FILE_KEYS as readonly string[]).includes(k));
    if (extra.length > 0) throw new Error(`engula: options without a scenario-file form: ${extra.join(", ")}`);
    return { ...o };
  },
};

export const engula: System = {
  name: "engula",
  description:
    "Engula's control unit: a universe bootstrapped on node 0, nodes joining through any node, a control unit on the first node or the root Raft group's leader that heartbeats every node, marks nodes dead after the liveness threshold and cures 3-voter data groups by Raft membership changes; P-C1 bounded detection, no quorum lost through a cure, linearizable universe requests",
  defaults: { servers: 5, clients: 3 },
  bugs: BUGS,
  families: FAMILIES,
  faultKinds: [],
  targets: ["leader"],
  noteNames: ENGULA_NOTE_NAMES,
  model: universeModel(3),
  scenario: scenarioBlock,
  optionKeys: ENGULA_OPTION_KEYS,
  setup,
  variants: [
    { name: "root-group", description: "the control unit on the leader of a 3-voter root Raft group (default)", options: { rootVoters: 3 } },
    { name: "first-node", description: "the control unit on the first node only (the seed's v0.2: one control unit controls everything)", options: { rootVoters: 1 } },
    { name: "engula-timing", description: "Engula's own numbers: liveness threshold 30 s, heartbeat timeout 4 s, interval 26 s (use runs of minutes)", options: { livenessThresholdMs: 30_000, heartbeatTimeoutMs: 4_000 } },
  ],
  compareMetrics(d) {
    const det = d.detection as { p50Ms: number | null; maxMs: number | null } | undefined;
    return {
      detectionP50Ms: det?.p50Ms ?? null,
      detectionMaxMs: det?.maxMs ?? null,
      cures: typeof d.cures === "number" ? d.cures : null,
      quorumLosses: typeof d.quorumLosses === "number" ? d.quorumLosses : null,
      unavailableMs: typeof d.unavailableMs === "number" ? d.unavailableMs : null,
    };
  },
};
