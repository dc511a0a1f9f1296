// One Valkey node: a Core (core.ts) and a Clustering module (any ModuleFactory) in one SimNode.
// The host splits the node's env between them: the module's messages travel wrapped
// ({type: "mod"}), the Core's data-plane messages as they are; both write the one WAL, the
// module's records wrapped ({mod: r}) so that each side recovers only its own (a module owns the
// shape of its records: gossip-module's carry a `t` field too, which the Core would misread);
// fsync completions go to both.
// Time: both run on the node's monotonic clock (a clock step must not stretch a TTL), read
// through the `mono` reader the host is given; wake-ups are translated back to the local wall
// clock the world schedules by (wall - mono changes only when the clock is stepped).
import type { NodeEnv, NodeId, Recovered, SimNode } from "../../node.js";
import type { ClusterPlan, ClusteringModule, ModuleFactory } from "../contract.js";
import { Core, type CoreEnv } from "./core.js";
import type { CoreOptions, CoreRep, CoreReq, DataMsg } from "./types.js";

export type HostMsg = { readonly type: "mod"; readonly m: unknown } | DataMsg;

export interface HostConfig {
  readonly plan: ClusterPlan;
  readonly slots: number;
  readonly module: ModuleFactory;
  readonly core: CoreOptions;
}

export class ValkeyHost implements SimNode<HostMsg, CoreReq> {
  readonly core: Core;
  readonly module: ClusteringModule;
  private moduleWake = Number.POSITIVE_INFINITY;
  private coreWake = Number.POSITIVE_INFINITY;

  constructor(
    private readonly env: NodeEnv<HostMsg, unknown, CoreRep>,
    cfg: HostConfig,
    recovered: Recovered<unknown> | null,
    now: number,
    private readonly mono: () => number,
  ) {
    const id: NodeId = env.id;
    const m0 = mono();
    const coreEnv: CoreEnv = {
      rng: env.rng,
      sendData: (to, msg) => env.send(to, msg),
      persist: (records, sync) => env.persist(records, sync),
      reply: (client, rep) => env.reply(client, rep),
      note: (code, a, b) => env.note(code, a, b),
    };
    this.core = new Core(coreEnv, { id, plan: cfg.plan, slots: cfg.slots, opts: cfg.core }, recovered, m0);
    this.core.wall = now;
    const moduleEnv: NodeEnv<unknown, unknown, never> = {
      id,
      rng: env.rng,
      send: (to, m) => env.send(to, { type: "mod", m }),
      persist: (records, sync) => env.persist(records.map((r) => ({ mod: r })), sync),
      writeFile: (n, d) => env.writeFile(n, d),
      renameFile: (a, b) => env.renameFile(a, b),
      deleteFile: (n) => env.deleteFile(n),
      syncFile: () => env.syncFile(),
      rotateWal: () => env.rotateWal(),
      dropWalBefore: (b) => env.dropWalBefore(b),
      reply: () => {
        throw new Error("valkey host: a module has no clients");
      },
      wakeAt: (t) => {
        this.moduleWake = t === t ? t : Number.POSITIVE_INFINITY;
      },
      // The module's own notes (Raft roles...) are not the system's: dropped.
      note: () => {},
    };
    this.module = cfg.module({ id, env: moduleEnv, core: this.core, recovered: moduleRecords(recovered), plan: cfg.plan, now: m0 });
    this.core.module = this.module;
    this.after(now);
  }

  onMessage(from: NodeId, msg: HostMsg, now: number): void {
    const m = this.enter(now);
    if (msg.type === "mod") this.module.onMessage(from, msg.m, m);
    else this.core.onData(from, msg, m);
    this.after(now);
  }

  onTick(now: number): void {
    const m = this.enter(now);
    if (m >= this.moduleWake) {
      this.moduleWake = Number.POSITIVE_INFINITY;
      this.module.onTick(m);
    }
    this.after(now);
  }

  onClient(client: number, req: CoreReq, now: number): void {
    this.core.onClient(client, req, this.enter(now));
    this.after(now);
  }

  onPersisted(token: number, now: number): void {
    const m = this.enter(now);
    this.module.onPersisted(token, m);
    this.core.onPersisted(token);
    this.after(now);
  }

  private enter(now: number): number {
    this.core.wall = now;
    return this.mono();
  }

  /** The Core's duties, then one wake-up for both (in wall-clock terms). */
  private after(now: number): void {
    const m = this.mono();
    this.coreWake = this.core.step(m);
    const at = Math.min(this.moduleWake, this.coreWake);
    if (at < Number.POSITIVE_INFINITY) this.env.wakeAt(Math.max(now, at + (now - m)));
  }
}

/** The module's own records of the node's WAL, unwrapped, up to the first corrupt one (the
 * Core skips the wrapped ones: they carry no `t`). */
function moduleRecords(recovered: Recovered<unknown> | null): Recovered<unknown> | null {
  if (recovered === null) return null;
  const records: unknown[] = [];
  const n = Math.min(recovered.corruptFrom, recovered.records.length);
  for (let i = 0; i < n; i++) {
    const r = recovered.records[i];
    if (r !== null && typeof r === "object" && "mod" in r) records.push((r as { readonly mod: unknown }).mod);
  }
  return { records, corruptFrom: records.length, ...(recovered.files !== undefined ? { files: recovered.files } : {}) };
}
