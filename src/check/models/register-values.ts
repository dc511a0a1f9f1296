// Jepsen-style register ops, shared by the register models: the input is the invocation's
// {f, value} (cas carries [from, to]); a read's output is the value it returned.
export type RegisterValue = number | string | boolean | null;

export type RegisterInput =
  | { readonly f: "read"; readonly value?: RegisterValue }
  | { readonly f: "write"; readonly value: RegisterValue }
  | { readonly f: "cas"; readonly value: readonly [RegisterValue, RegisterValue] };

/** A read's value; for cas, `false` (with status "ok") means it returned false. Other outputs are ignored. */
export type RegisterOutput = unknown;

export function showValue(v: unknown): string {
  if (v === null) return "nil";
  if (v === undefined) return "?";
  // What JSON.stringify gives for a finite number, without the call (counterexamples show many).
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return JSON.stringify(v);
}
