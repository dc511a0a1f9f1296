// The shape of each operation a model will be asked to judge, checked when the history is read:
// a value the model cannot read (a map where a number belongs, a missing key, an unknown op) is
// an input error naming the line and the field, never a verdict. The built-in models' shapes
// are written out here; for any other model each op is tried once on the model's initial state
// and a model that throws on it rejects the op.
import { clip, HistoryInputError, showFound } from "../errors.js";
import type { Operation } from "../history.js";
import type { AnyModel } from "../model.js";

/** What is wrong with one op, or null when it is fine: field and problem ("input.value", "must be …, found …"). */
type Problem = { field: string; problem: string } | null;

type Shape = (op: Operation) => Problem;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean";
const isRevision = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

function bad(field: string, expected: string, found: unknown): Problem {
  return { field, problem: `must be ${expected}, found ${showFound(found, 40)}` };
}

function opName(input: unknown, allowed: readonly string[]): Problem {
  if (!isObj(input)) return bad("input", `an operation {f: ${allowed.join(" | ")}, …}`, input);
  if (typeof input.f !== "string" || !allowed.includes(input.f)) return bad("input.f", `one of ${allowed.join(", ")}`, input.f);
  return null;
}

function registerShape(allowCas: boolean): Shape {
  const fs = allowCas ? ["read", "write", "cas"] : ["read", "write"];
  return (op) => {
    const p = opName(op.input, fs);
    if (p !== null) return p;
    const input = op.input as Record<string, unknown>;
    if (input.f === "write" && !isScalar(input.value)) return bad("input.value", "nil, a number, a string or a boolean", input.value);
    if (input.f === "cas") {
      const v = input.value;
      if (!Array.isArray(v) || v.length !== 2 || !isScalar(v[0]) || !isScalar(v[1])) return bad("input.value", "[from to], two values", v);
    }
    if (input.f === "read" && op.status === "ok" && op.output !== undefined && !isScalar(op.output)) return bad("output", "the value read (nil, a number, a string or a boolean)", op.output);
    return null;
  };
}

const kvShape: Shape = (op) => {
  const p = opName(op.input, ["get", "put", "append"]);
  if (p !== null) return p;
  const input = op.input as Record<string, unknown>;
  if (typeof input.key !== "string" && !(typeof input.key === "number" && Number.isFinite(input.key))) return bad("input.key", "a string", input.key);
  if (input.f !== "get" && input.value !== undefined && input.value !== null && typeof input.value !== "string") return bad("input.value", "a string", input.value);
  if (input.f === "get" && op.status === "ok" && op.output !== undefined && op.output !== null && typeof op.output !== "string") return bad("output", "the string read", op.output);
  return null;
};

// raftsim's metadata store (src/impl/metadata/ops.ts: MetaOp and MetaResult), the JSONL default.
const META_FS = ["get", "exists", "list", "put", "delete", "cas"];
const metaShape: Shape = (op) => {
  const p = opName(op.input, META_FS);
  if (p !== null) return p;
  const input = op.input as Record<string, unknown>;
  const f = input.f as string;
  if (f === "list") {
    if (typeof input.prefix !== "string") return bad("input.prefix", "a string", input.prefix);
  } else if (typeof input.key !== "string") return bad("input.key", "a string", input.key);
  if ((f === "put" || f === "cas") && typeof input.value !== "string") return bad("input.value", "a string", input.value);
  if (f === "cas" && input.expected !== "absent" && !isRevision(input.expected)) return bad("input.expected", `a revision (an integer >= 0) or "absent"`, input.expected);
  if (op.status !== "ok") return null; // fail: not executed; info: no output
  const o = op.output;
  if (!isObj(o)) return bad("output", `the reply to ${f} {f: "${f}", …}`, o);
  if (o.f !== f) return bad("output.f", `"${f}" (the op's own f)`, o.f);
  const need = (field: string, ok: (v: unknown) => boolean, expected: string): Problem => (ok(o[field]) ? null : bad(`output.${field}`, expected, o[field]));
  const bool = (v: unknown) => typeof v === "boolean";
  switch (f) {
    case "get":
      if (typeof o.found !== "boolean") return bad("output.found", "true or false", o.found);
      if (!o.found) return null;
      return need("value", (v) => typeof v === "string", "a string") ?? need("revision", isRevision, "a revision (an integer >= 0)") ?? need("version", isRevision, "an integer >= 0");
    case "exists":
      return need("exists", bool, "true or false");
    case "list":
      return need("items", Array.isArray, "an array");
    case "put":
      return need("revision", isRevision, "a revision (an integer >= 0)");
    case "delete":
      return need("deleted", bool, "true or false") ?? need("revision", isRevision, "a revision (an integer >= 0)");
    default:
      if (typeof o.ok !== "boolean") return bad("output.ok", "true or false", o.ok);
      return o.ok ? need("revision", isRevision, "a revision (an integer >= 0)") : need("currentRevision", isRevision, "a revision (an integer >= 0)");
  }
};

const SHAPES: Readonly<Record<string, Shape>> = {
  register: registerShape(false),
  "cas-register": registerShape(true),
  "etcd-cas-register": registerShape(true),
  "knossos-cas-register": registerShape(true),
  "porcupine-kv": kvShape,
  "metadata-kv": metaShape,
};

/** JavaScript's own wording in an error message: not something to show a user. */
const INTERNAL = /Cannot read propert|is not iterable|is not a function|is not defined|undefined|\[object |Maximum call stack|Unexpected token|is not an object|Cannot convert|Invalid array length/;

/** A model's complaint about an op, fit for a message: its own words when they are words, cut short. */
export function modelComplaint(e: unknown): string {
  const msg = e instanceof Error ? e.message : "";
  if (msg === "" || INTERNAL.test(msg)) return "its input or output is not what the model reads";
  return clip(msg, 100);
}

/**
 * Throws a HistoryInputError at the first op `model` cannot read. `lines[i]` is op i's line
 * (when known). A model with no shape written out here is tried on each op from its initial
 * state: if that throws, the op is rejected.
 */
export function checkShapes(model: AnyModel, ops: readonly Operation[], source: string, lines: readonly number[]): void {
  const shape = SHAPES[model.name];
  ops.forEach((op, i) => {
    const line = lines[i];
    let p: Problem;
    if (shape !== undefined) p = shape(op);
    else {
      p = isObj(op.input) ? null : bad("input", "an object", op.input);
      if (p === null) {
        try {
          model.partition?.(op.input);
          model.step(model.init(), op.input, op.output, op.status);
        } catch (e) {
          p = { field: "input", problem: `model ${model.name} cannot apply it: ${modelComplaint(e)}` };
        }
      }
    }
    if (p !== null) throw new HistoryInputError(source, line, `op ${i + 1}: ${p.field} ${p.problem} (model ${model.name})`);
  });
}
