// The Clustering modules the valkey system can run its Cores on (`module` option), by name. Each
// entry builds a ModuleFactory from the raft-module-style options the system derives from its
// own (lease, revision kind, blind writes); a module ignores what it has no use for. The Core
// only ever sees the contract (src/impl/valkey-contract/contract.ts), so any module plugs in.
import type { ModuleFactory } from "../../../impl/valkey-contract/contract.js";
import { raftModule, type RaftModuleOptions } from "../../../impl/valkey-contract/raft-module/module.js";
import { gossipModule } from "../../../impl/valkey-contract/gossip-module/module.js";

export type ModuleOptions = Partial<RaftModuleOptions>;

export const MODULES: Readonly<Record<string, (opts: ModuleOptions) => ModuleFactory>> = {
  raft: (opts) => raftModule(opts) as ModuleFactory,
  // The legacy bus has no revision kinds or blind writes of its own (its revision is
  // {shard, epoch, node}); it takes the heartbeat TTL L, which the Core's 2L wait is counted in.
  gossip: (opts) => gossipModule(opts.leaseUs !== undefined ? { leaseUs: opts.leaseUs } : {}) as ModuleFactory,
};
