// History formats: read a file's text as operations, with the model its header names (JSONL)
// or the format's default model.
import { HistoryInputError } from "../errors.js";
import type { Operation } from "../history.js";
import { defaultModelFor, type FormatName } from "../models/index.js";
import { readJepsenEdn } from "./jepsen-edn.js";
import { readJsonl } from "./jsonl.js";
import { readPorcupineEtcd } from "./porcupine-etcd.js";

/** What the readers throw for malformed input. */
export { HistoryInputError } from "../errors.js";

export const FORMATS: readonly FormatName[] = ["jsonl", "porcupine-etcd", "porcupine-kv", "edn"];

export function isFormat(s: string): s is FormatName {
  return (FORMATS as readonly string[]).includes(s);
}

/** Guesses the format from the first meaningful line. */
export function detectFormat(text: string, source: string): FormatName {
  const first = text.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith(";"));
  if (first === undefined) throw new HistoryInputError(source, undefined, "empty history: cannot tell its format (use --format)");
  const t = first.trim();
  if (t.startsWith("INFO")) return "porcupine-etcd";
  if (t.startsWith('{"') || t.startsWith("{ \"")) return "jsonl";
  if (t.startsWith("{") && /:key\b/.test(t)) return "porcupine-kv";
  if (t.startsWith("{") || t.startsWith("[") || t.startsWith("(")) return "edn";
  throw new HistoryInputError(source, 1, "cannot tell the format (use --format jsonl|porcupine-etcd|porcupine-kv|edn)");
}

export interface ReadHistory {
  readonly format: FormatName;
  readonly model: string;
  readonly ops: Operation[];
}

export function readHistory(text: string, source: string, format: FormatName = detectFormat(text, source)): ReadHistory {
  switch (format) {
    case "jsonl": {
      const h = readJsonl(text, source);
      return { format, model: h.model ?? defaultModelFor.jsonl, ops: h.ops };
    }
    case "porcupine-etcd":
      return { format, model: defaultModelFor[format], ops: readPorcupineEtcd(text, source) };
    case "porcupine-kv":
    case "edn":
      return { format, model: defaultModelFor[format], ops: readJepsenEdn(text, source) };
  }
}
