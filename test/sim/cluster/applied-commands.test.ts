// The run's account of info ops that never took effect (applied-commands.ts), which the history
// check tries first (CheckOptions.neverApplied). The checker never trusts it, so a wrong account
// would only cost time; but it is meant to be true, and this holds it to what the servers did:
// no op it leaves out had its command applied by any server, over swarm seeds with crashes,
// partitions, disk stalls and snapshot installs. And it decides seed 2058's 30 s history, whose
// full search gives up.
import { describe, expect, it } from "vitest";
import type { Operation } from "../../../src/check/history.js";
import { MetaServer } from "../../../src/impl/metadata/server.js";
import { runOptionsFor } from "../../../src/api/simulate.js";
import { runSystem } from "../../../src/sim/runner/run.js";
import type { System } from "../../../src/sim/runner/system.js";
import { raftMetadata } from "../../../src/sim/systems/raft-metadata/system.js";
import { prototypePatcher } from "./patch-prototype.js";

const patch = prototypePatcher(MetaServer.prototype);

interface Seen {
  ops: readonly Operation<unknown, unknown>[];
  left: ReadonlySet<number>;
}

/** raft-metadata, keeping the history and the account the run hands the checker. */
function watched(seen: Seen): System {
  return {
    ...raftMetadata,
    setup(req) {
      const run = raftMetadata.setup(req);
      const h = run.history!;
      return {
        ...run,
        history: {
          ...h,
          operations: () => (seen.ops = h.operations()),
          neverApplied: (ops) => (seen.left = h.neverApplied!(ops)),
        },
      };
    },
  };
}

describe("the run's account of commands no server applied", () => {
  it("leaves out no info op whose command some server applied (swarm seeds 1-60, assertions off)", () => {
    const applied = new Set<string>();
    patch("applyEntry", (orig) =>
      function (this: unknown, ...args: unknown[]) {
        const d = (args[0] as { data: { client: number; seq: number } | null }).data;
        if (d !== null) applied.add(`${d.client}:${d.seq}`);
        return orig.apply(this, args);
      },
    );
    let info = 0;
    let left = 0;
    let infoApplied = 0;
    for (let seed = 1; seed <= 60; seed++) {
      applied.clear();
      const seen: Seen = { ops: [], left: new Set() };
      const { options } = runOptionsFor({ system: "raft-metadata", seed, timeUs: 10_000_000, sutAsserts: false });
      const r = runSystem(watched(seen), options);
      expect(r.verdict, `seed ${seed}`).toBe("ok");
      seen.ops.forEach((op, i) => {
        if (op.status !== "info") return;
        info++;
        // The client's value names its command: c<client>-<seq> (clients/client.ts).
        const m = /^c(\d+)-(\d+)$/.exec(valueOf(op.input) ?? "");
        const wasApplied = m !== null && applied.has(`${m[1]}:${m[2]}`);
        if (wasApplied) infoApplied++;
        if (seen.left.has(i)) {
          left++;
          expect(wasApplied, `seed ${seed}: op ${i} (${JSON.stringify(op.input)}) was applied but left out`).toBe(false);
        }
      });
      for (const i of seen.left) expect(seen.ops[i]!.status).toBe("info");
    }
    // Not vacuous: info ops of both kinds occur, and most unapplied ones are named.
    expect(infoApplied).toBeGreaterThan(20);
    expect(left).toBeGreaterThan(20);
    expect(left).toBeLessThan(info);
  });

  it("decides seed 2058's 30 s history (42 info ops in one part), which the full search gave up on", () => {
    const seen: Seen = { ops: [], left: new Set() };
    const { options } = runOptionsFor({ system: "raft-metadata", seed: 2058, timeUs: 30_000_000, sutAsserts: false });
    const r = runSystem(watched(seen), options);
    expect(r.verdict).toBe("ok");
    expect(r.history?.info).toBe(42);
    expect(r.lin?.verdict).toBe("ok");
    expect(r.lin?.leftOut).toBe(26);
    expect(seen.left.size).toBe(26);
  });
});

/** The value a write carries (a txn: its first), or undefined. */
function valueOf(input: unknown): string | undefined {
  const i = input as { value?: string | null; ops?: readonly { value: string | null }[] };
  if (typeof i.value === "string") return i.value;
  return i.ops?.find((o) => typeof o.value === "string")?.value ?? undefined;
}
