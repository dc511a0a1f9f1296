// Break one method of a class for the length of one test (in this process only), the way the
// check tests break a node on purpose; every patch is undone after each test.
import { afterEach } from "vitest";

export type Patchable = Record<string, unknown>;
type Method = (...a: unknown[]) => unknown;

/** A patch function for `prototype`'s methods: patch(name, orig => replacement). */
export function prototypePatcher(prototype: object): (name: string, f: (orig: Method) => Method) => void {
  const proto = prototype as Patchable;
  const saved = new Map<string, unknown>();
  afterEach(() => {
    for (const [k, v] of saved) proto[k] = v;
    saved.clear();
  });
  return (name, f) => {
    if (!saved.has(name)) saved.set(name, proto[name]);
    proto[name] = f(proto[name] as Method);
  };
}

type Msg = { readonly type: string } & Record<string, unknown>;

/**
 * Runs `orig` on `self` with its `env.send` rewritten for the call (a server broken on purpose in
 * what it sends): `rewrite` returns the message to send instead, or undefined to drop it.
 */
export function callRewritingSends(self: Patchable, orig: Method, args: readonly unknown[], rewrite: (msg: Msg) => Msg | undefined): unknown {
  const env = self.env as { send: (to: unknown, msg: Msg) => void };
  const send = env.send;
  env.send = (to, msg) => {
    const out = rewrite(msg);
    if (out !== undefined) send.call(env, to, out);
  };
  try {
    return orig.apply(self, args as unknown[]);
  } finally {
    env.send = send;
  }
}
