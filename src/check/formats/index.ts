// History formats: read a file's text as operations, with the model its header names (JSONL)
// or the format's default model. What is read must be understood in full: a file with no
// operation, or an op the model cannot read, is a HistoryInputError naming the line.
import { HistoryInputError, quote } from "../errors.js";
import type { Operation } from "../history.js";
import { defaultModelFor, getModel, type FormatName } from "../models/index.js";
import { readJepsenEdn } from "./jepsen-edn.js";
import { readJsonl } from "./jsonl.js";
import { readPorcupineEtcd } from "./porcupine-etcd.js";
import { checkShapes } from "./shapes.js";

/** What the readers throw for malformed input. */
export { HistoryInputError } from "../errors.js";
export { checkShapes, modelComplaint } from "./shapes.js";

export const FORMATS: readonly FormatName[] = ["jsonl", "porcupine-etcd", "porcupine-kv", "edn"];

export function isFormat(s: string): s is FormatName {
  return (FORMATS as readonly string[]).includes(s);
}

/** Guesses the format from the first meaningful line. */
export function detectFormat(text: string, source: string): FormatName {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith(";"));
  if (i < 0) throw new HistoryInputError(source, undefined, `${emptiness(text)}: expected a history (cannot tell its format either; use --format)`);
  const t = lines[i].trim();
  if (t.startsWith("INFO")) return "porcupine-etcd";
  if (t.startsWith('{"') || t.startsWith('{ "')) return "jsonl";
  if (t.startsWith("{") && /:key\b/.test(t)) return "porcupine-kv";
  if (t.startsWith("{") || t.startsWith("[") || t.startsWith("(")) return "edn";
  throw new HistoryInputError(source, i + 1, `cannot tell the format: expected a JSON object, an EDN vector or map, or an etcd log line, found ${quote(t, 40)} (use --format jsonl|porcupine-etcd|porcupine-kv|edn)`);
}

function emptiness(text: string): string {
  if (text.length === 0) return "empty file";
  if (text.trim() === "") return "blank file (whitespace only)";
  return "no operation in the file";
}

const WHAT: Readonly<Record<FormatName, string>> = {
  jsonl: `an operation line {"client": …, "input": …, …} or event lines`,
  "porcupine-etcd": `an etcd log line "INFO  jepsen.util - <process> :<type> :<f> <value>"`,
  "porcupine-kv": "an op map {:process …, :type …, :f …, :key …}",
  edn: "an op map {:process …, :type …, :f …} of a client process",
};

export interface ReadHistory {
  readonly format: FormatName;
  readonly model: string;
  readonly ops: Operation[];
  /** The line of each op (its invocation's), for messages. */
  readonly lines: number[];
}

/**
 * Reads `text` in `format` (guessed when not given). The model is `model` when given, else the
 * JSONL header's or the format's default; when it is a registered model, every op is checked
 * against the shape it reads (checkShapes). A history with no operation is an error.
 */
export function readHistory(text: string, source: string, format: FormatName = detectFormat(text, source), model?: string): ReadHistory {
  const lines: number[] = [];
  let h: { model: string; ops: Operation[] };
  switch (format) {
    case "jsonl": {
      const r = readJsonl(text, source, lines);
      h = { model: r.model ?? defaultModelFor.jsonl, ops: r.ops };
      break;
    }
    case "porcupine-etcd":
      h = { model: defaultModelFor[format], ops: readPorcupineEtcd(text, source, lines) };
      break;
    case "porcupine-kv":
    case "edn":
      h = { model: defaultModelFor[format], ops: readJepsenEdn(text, source, lines) };
      break;
  }
  if (h.ops.length === 0) {
    const none = text.trim() === "" ? emptiness(text) : format === "edn" || format === "porcupine-kv" ? "no client operation (only comments, nemesis ops or an empty collection)" : "no operation (only comments or headers)";
    throw new HistoryInputError(source, undefined, `${none}: expected at least one operation, ${WHAT[format]} (format ${format})`);
  }
  const modelName = model ?? h.model;
  const m = getModel(modelName);
  if (m !== undefined) checkShapes(m, h.ops, source, lines);
  return { format, model: modelName, ops: h.ops, lines };
}
