// The kvrocks-controller system's own swarm families (each drawn from a stream of its own, so
// none moves another family's draws). Node ids are drawn at generation time from the layout
// (options.ts): controllers 0..C-1, data nodes after them, the store node last.
import type { FaultAction, SwarmFamily } from "../../faults/index.js";
import { S } from "../../../util/time.js";
import { layoutFor } from "./options.js";

function cutBoth(at: number, a: number, b: number): FaultAction[] {
  return [{ at, kind: "cut-one-way", from: a, to: b }, { at, kind: "cut-one-way", from: b, to: a }];
}

/** Ids for a run of `servers` servers in the default shape (3 controllers, 1 + 2 per shard). */
function ids(servers: number) {
  const l = layoutFor(servers, {});
  const per = l.replicas + 1;
  const masters = Array.from({ length: l.shards }, (_, s) => l.controllers + s * per);
  const dataN = l.shards * per;
  const store = l.controllers + dataN;
  return { l, masters, dataN, store };
}

const emitAll = (emit: (a: FaultAction) => void, xs: FaultAction[]) => xs.forEach(emit);

export function kvrocksFamilies(): SwarmFamily[] {
  return [
    {
      // #10: the controller leader cut from its peers but not from the data nodes, and a master
      // killed soon after, so the others fail it over while the deposed leader still probes.
      name: "depose-controller",
      draw: { p: 0.4 },
      generate(r, { servers, start, end, emit }) {
        const { masters } = ids(servers);
        const at = start + r.int(5 * S, Math.max(5 * S, Math.min(25 * S, end - start - 50 * S)));
        const d = r.int(25 * S, 40 * S);
        emit({ at, kind: "kc-depose-leader", durationUs: d });
        emit({ at: at + r.int(1 * S, 4 * S), kind: "crash", node: r.pick(masters) });
        emit({ at: at + d, kind: "heal" });
      },
    },
    {
      // #9: a master killed; the controller that begins the UpdateCluster for it is paused
      // while another takes over and fails it over too.
      name: "stale-update",
      draw: { p: 0.3 },
      generate(r, { servers, start, end, emit }) {
        const { masters } = ids(servers);
        const at = start + r.int(2 * S, Math.max(2 * S, Math.min(15 * S, end - start - 70 * S)));
        emit({ at, kind: "crash", node: r.pick(masters) });
        emit({ at: at + 1 * S, kind: "kc-pause-on-update", durationUs: r.int(35 * S, 50 * S) });
      },
    },
    {
      // #8 (kvrocks-controller#329): one controller cut from one master only.
      name: "cut-controller-master",
      draw: { p: 0.4 },
      generate(r, { servers, emit, episodes }) {
        const { l, dataN } = ids(servers);
        episodes((at) => {
          emitAll(emit, cutBoth(at, r.int(0, l.controllers - 1), l.controllers + r.int(0, dataN - 1)));
          emit({ at: at + r.int(18 * S, 40 * S), kind: "heal" });
        });
      },
    },
    {
      // A master cut from every controller, still reached by the clients: a real failover of a
      // live master (the lease is what keeps the old one from writing on).
      name: "cut-master-controllers",
      draw: { p: 0.3 },
      generate(r, { servers, emit, episodes }) {
        const { l, dataN } = ids(servers);
        episodes((at) => {
          const m = l.controllers + r.int(0, dataN - 1);
          for (let c = 0; c < l.controllers; c++) emitAll(emit, cutBoth(at, c, m));
          emit({ at: at + r.int(18 * S, 40 * S), kind: "heal" });
        });
      },
    },
    {
      // The external store cut off from some controllers; its answers to one of them delayed
      // first (a keepalive answer held past the session's end at the store).
      name: "store-partition",
      draw: { p: 0.4 },
      generate(r, { servers, emit, episodes }) {
        const { l, store } = ids(servers);
        episodes((at) => {
          const c = r.int(0, l.controllers - 1);
          if (r.chance(0.5)) {
            emit({ at, kind: "clog", from: store, to: c, durationUs: r.int(3 * S, 6 * S) });
            emit({ at: at + r.int(2 * S, 2.6 * S), kind: "cut-one-way", from: c, to: store });
          } else {
            for (let o = 0; o < l.controllers; o++) if (o === c || r.chance(0.3)) emitAll(emit, cutBoth(at, o, store));
          }
          emit({ at: at + r.int(10 * S, 25 * S), kind: "heal" });
        });
      },
    },
    {
      // #17: two masters of different shards killed within one probe tick, once, early, and
      // down long enough for both failovers.
      name: "kill-two-masters",
      draw: { p: 0.4 },
      generate(r, { servers, start, end, emit }) {
        const { masters } = ids(servers);
        if (masters.length < 2) return;
        const at = start + r.int(32 * S, Math.max(32 * S, Math.min(40 * S, end - start - 25 * S)));
        const [a, b] = r.shuffle([...masters]);
        const down = r.int(40 * S, 50 * S);
        const dt = r.int(0, 2_900_000);
        emit({ at, kind: "crash", node: a! });
        emit({ at: at + dt, kind: "crash", node: b! });
        emit({ at: at + down, kind: "restart", node: a! });
        emit({ at: at + dt + down, kind: "restart", node: b! });
      },
    },
    {
      // Clock rates only (controllers and masters time leases on monotonic clocks: steps of the
      // wall clock, the generic clock family, are not what they read).
      name: "drift",
      draw: { p: 0.3 },
      generate(r, { servers, emit, episodes }) {
        const { store } = ids(servers);
        episodes((at) => emit({ at, kind: "clock-drift", node: r.int(0, store), ppm: r.int(-1000, 1000) }));
      },
    },
  ];
}
