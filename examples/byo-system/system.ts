// The chain-replicated register as a raftsim System: how the simulator builds a run of it —
// its nodes, its clients (which record a history), the checks, the liveness condition after
// the final heal, and its planted bug. Register it (registerSystem) or hand the object to
// simulate / replay / simProperty.
import { CheckFailure, models, type Actor, type ActorEnv, type Operation, type RegisterInput, type System, type SystemRun } from "raftsim";
import { ChainNode, type Rep, type Req } from "./node.js";

const TIMEOUT_US = 300_000; // a client gives up on an op after this long: its outcome is unknown
const THINK_US = 20_000;

/** A client: one operation at a time — a write of a fresh value to the head, or a read at the
 * tail — recorded as a history the linearizability checker judges against a register. */
class Client implements Actor {
  private seq = 0;
  private open: { id: number; input: RegisterInput; call: number } | null = null;
  completed = 0;
  constructor(private readonly env: ActorEnv, private readonly servers: number, private readonly ops: Operation<RegisterInput, unknown>[]) {
    env.setTimer(env.now() + env.rng.int(0, THINK_US));
  }
  onTimer(now: number): void {
    if (this.open !== null) {
      // Timed out: the write may or may not have happened ("info"); a read changed nothing.
      this.ops.push({ client: this.env.id, input: this.open.input, call: this.open.call, ret: Infinity, status: "info", output: undefined });
      this.open = null;
      this.env.setTimer(now + this.env.rng.int(0, THINK_US));
      return;
    }
    const id = ++this.seq;
    const write = this.env.rng.chance(0.5);
    const input: RegisterInput = write ? { f: "write", value: this.env.id * 1_000_000 + id } : { f: "read" };
    this.open = { id, input, call: now };
    this.env.send(write ? 0 : this.servers - 1, write ? ({ type: "write", id, value: input.value as number } satisfies Req) : ({ type: "read", id } satisfies Req));
    this.env.setTimer(now + TIMEOUT_US);
  }
  onMessage(_from: number, msg: unknown, now: number): void {
    const rep = msg as Rep;
    if (this.open === null || rep.id !== this.open.id) return; // an answer to an op we gave up on
    this.ops.push({ client: this.env.id, input: this.open.input, call: this.open.call, ret: now, status: "ok", output: rep.value });
    this.open = null;
    this.completed++;
    this.env.setTimer(now + this.env.rng.int(0, THINK_US));
  }
  /** At the end of the run: an op still open has an unknown outcome. */
  finish(): void {
    if (this.open !== null) this.ops.push({ client: this.env.id, input: this.open.input, call: this.open.call, ret: Infinity, status: "info", output: undefined });
    this.open = null;
  }
}

export const chainRegister: System = {
  name: "chain-register",
  description: "3 servers in a fixed chain replicate one register; writes enter at the head, the tail acks them and serves reads",
  defaults: { servers: 3, clients: 2 },
  bugs: [{ name: "tail-acks-before-durable", description: "the tail answers a write before its fsync completes", breaks: "acknowledged writes are durable on every replica (the online check); linearizability" }],
  families: [], // simProperty draws its own schedules (faults.schedule); no swarm families
  faultKinds: [],
  targets: [],
  setup(req): SystemRun {
    const N = req.servers;
    const ops: Operation<RegisterInput, unknown>[] = [];
    const clients: Client[] = [];
    let acknowledged = 0; // the highest version the tail acknowledged to a client
    const bugs = { tailAcksBeforeDurable: req.bugs.includes("tail-acks-before-durable") };
    return {
      world: {
        factory: (_id, env, recovered) => new ChainNode(env as never, N, recovered as never, bugs),
        actorFactory: (_id, env) => {
          const c = new Client(env, N, ops);
          clients.push(c);
          return c;
        },
        budget: 5_000_000,
        // Online checks, after every event: (1) the system's promise — a write acknowledged to a
        // client is durable on every replica, so any of them could take over; (2) versions
        // only shrink down the chain (head ≥ middle ≥ tail).
        afterEachEvent: (w) => {
          const tail = w.nodes[N - 1] as ChainNode | null;
          if (tail !== null && tail.acknowledged > acknowledged) acknowledged = tail.acknowledged;
          for (let i = 0; i < N; i++) {
            const n = w.nodes[i] as ChainNode | null;
            if (n === null) continue;
            if (n.version < acknowledged) throw new CheckFailure(`node ${i} holds version ${n.version}, below the acknowledged write ${acknowledged}`, w.now);
            const next = i + 1 < N ? (w.nodes[i + 1] as ChainNode | null) : null;
            if (next !== null && next.version > n.version) throw new CheckFailure(`node ${i + 1} has version ${next.version}, ahead of its predecessor's ${n.version}`, w.now);
          }
        },
      },
      faults: {},
      endAt: (lastHeal, timeUs) => Math.max(timeUs, lastHeal + 2 * TIMEOUT_US),
      // After the final heal, every client completes operations again.
      liveness(w, lastHeal, endUs) {
        const before = clients.map((c) => c.completed);
        w.runUntil(endUs);
        const stuck = clients.filter((c, i) => c.completed <= before[i] + 1).length;
        return stuck > 0 ? `${stuck} client(s) completed no operation after the final heal at t=${lastHeal}us` : null;
      },
      finish: () => clients.forEach((c) => c.finish()),
      history: { operations: () => ops, model: models.register },
    };
  },
};
