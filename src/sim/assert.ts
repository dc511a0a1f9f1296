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
