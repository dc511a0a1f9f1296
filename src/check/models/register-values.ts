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
  return v === null ? "nil" : v === undefined ? "?" : JSON.stringify(v);
}
