// Our histories as Jepsen EDN, so users can run Knossos or Elle on them: one vector of op
// maps in event order. Input fields become keys of the invocation (f as a keyword);
// the completion repeats :f (and :key) with the output as :value, or the input's :value when
// there is no output (writes, as Jepsen records them).
import { operationsToEvents, type Operation } from "../history.js";
import { jsToEdn } from "./edn.js";

function fields(input: unknown): Record<string, unknown> {
  if (typeof input === "object" && input !== null && !Array.isArray(input)) return input as Record<string, unknown>;
  return { f: "op", value: input };
}

export function writeEdn(ops: readonly Operation[]): string {
  const inputs = new Map<number, Record<string, unknown>>(); // client → open invocation's fields
  const lines = operationsToEvents(ops).map((ev) => {
    if (ev.type === "invoke") {
      const { f, ...rest } = fields(ev.input);
      inputs.set(ev.client, fields(ev.input));
      return `{:process ${ev.client}, :type :invoke, :f :${String(f)}${Object.entries(rest)
        .map(([k, v]) => `, :${k} ${jsToEdn(v)}`)
        .join("")}}`;
    }
    const inv = inputs.get(ev.client) ?? {};
    const value = ev.output !== undefined ? ev.output : ev.type === "info" ? inv.value : inv.value;
    const key = inv.key !== undefined ? `, :key ${jsToEdn(inv.key)}` : "";
    return `{:process ${ev.client}, :type :${ev.type}, :f :${String(inv.f)}${key}, :value ${jsToEdn(value)}}`;
  });
  return `[${lines.join("\n ")}]\n`;
}
