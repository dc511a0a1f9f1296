// Invariant assertions for the simulator and the system under test. A failed assertion is a
// bug (in raftsim or in the system), never an input error, so it carries only a message.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

export function assert(cond: boolean, msg: string): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

/** For hot paths: `if (!cond) fail(\`...\`)` builds the message only when the check fails,
 * where `assert(cond, \`...\`)` would build it on every call. */
export function fail(msg: string): never {
  throw new AssertionError(msg);
}
