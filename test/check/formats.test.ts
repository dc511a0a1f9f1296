import { describe, expect, it } from "vitest";
import { HistoryInputError } from "../../src/check/errors.js";
import { EdnColl, EdnMap, Keyword, parseEdn } from "../../src/check/formats/edn.js";
import { writeEdn } from "../../src/check/formats/edn-writer.js";
import { detectFormat, readHistory } from "../../src/check/formats/index.js";
import { readJepsenEdn } from "../../src/check/formats/jepsen-edn.js";
import { readJsonl, writeJsonl } from "../../src/check/formats/jsonl.js";
import { readPorcupineEtcd } from "../../src/check/formats/porcupine-etcd.js";
import { eventsToOperations, operationsToEvents, type Operation } from "../../src/check/history.js";

function inputError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HistoryInputError);
    return (e as Error).message;
  }
  throw new Error("expected a HistoryInputError");
}

describe("EDN reader", () => {
  it("reads comments, commas, multi-line maps, sets, tags, discards, strings and chars", () => {
    const forms = parseEdn('; c\n[{:a 1, :b "x\\ny"} ; tail\n {:c\n  #{1 2}, :d #inst "2020" :e #_ 5 6 :g \\a :h -1.5e3 :i 7N}]', "t");
    expect(forms).toHaveLength(1);
    const v = forms[0] as EdnColl;
    expect(v.kind).toBe("vector");
    const [m1, m2] = v.items as EdnMap[];
    expect(m1.get("b")).toBe("x\ny");
    expect(m2.line).toBe(3);
    expect((m2.get("c") as EdnColl).kind).toBe("set");
    expect(m2.get("d")).toBe("2020");
    expect(m2.get("e")).toBe(6);
    expect(m2.get("g")).toEqual({ char: "a" });
    expect(m2.get("h")).toBe(-1500);
    expect(m2.get("i")).toBe(7);
    expect(parseEdn(":ns/kw", "t")[0]).toEqual(new Keyword("ns/kw"));
  });

  it("names the line of each problem", () => {
    expect(inputError(() => parseEdn('[1\n 2\n "abc', "f.edn"))).toBe("f.edn:3: unterminated string");
    expect(inputError(() => parseEdn("[1 2\n}", "f.edn"))).toBe('f.edn:2:1: unexpected "}", expected "]"');
    expect(inputError(() => parseEdn("{:a 1\n :b}", "f.edn"))).toBe("f.edn:1: map starting here has an odd number of forms (3)");
    expect(inputError(() => parseEdn("[1 2", "f.edn"))).toBe('f.edn:1:5: unexpected end of input: missing "]"');
  });
});

describe("Jepsen EDN histories", () => {
  it("skips nemesis ops (even multi-line ones), ignores extra keys, leaves uncompleted ops open", () => {
    const ops = readJepsenEdn(
      `[{:process 0, :type :invoke, :f :write, :value 1, :time 5}
 {:process :nemesis,
  :type :info, :f :start, :value nil}
 {:process 1, :type :invoke, :f :read, :value nil}
 {:process 0, :type :ok, :f :write, :value 1, :index 3}
 {:process 2, :type :invoke, :f :cas, :value [1 2]}
 {:process 2, :type :info, :f :cas, :value [1 2], :error :timeout}]`,
      "h.edn",
    );
    expect(ops).toHaveLength(3);
    expect(ops[0]).toMatchObject({ client: 0, input: { f: "write", value: 1 }, status: "ok", output: 1 });
    expect(ops[1]).toMatchObject({ client: 1, status: "info", ret: Infinity });
    expect(ops[2]).toMatchObject({ client: 2, input: { f: "cas", value: [1, 2] }, status: "info", ret: Infinity });
  });

  it("reports a completion with no open op, or a bad :type, at its line", () => {
    expect(inputError(() => readJepsenEdn("{:process 1, :type :ok, :f :read, :value 1}", "h.edn"))).toBe("h.edn:1: client 1 completes (ok) with no open operation");
    expect(inputError(() => readJepsenEdn("\n\n{:process 1, :type :done, :f :read}", "h.edn"))).toMatch(/^h\.edn:3: op 1: :type must be :invoke, :ok, :fail or :info, found :done$/);
  });

  it("round-trips through the EDN writer", () => {
    const ops: Operation[] = [
      { client: 0, input: { f: "write", value: 3 }, call: 0, ret: 5, status: "ok", output: undefined },
      { client: 1, input: { f: "read", value: null }, call: 1, ret: 6, status: "ok", output: 3 },
      { client: 2, input: { f: "cas", value: [3, 4] }, call: 2, ret: Infinity, status: "info", output: undefined },
      { client: 3, input: { f: "put", key: "k", value: "v" }, call: 7, ret: 8, status: "fail", output: undefined },
    ];
    const back = readJepsenEdn(writeEdn(ops), "w.edn");
    expect(back.map((o) => [o.client, o.input, o.status])).toEqual(ops.map((o) => [o.client, o.input, o.status]));
    expect(back[1].output).toBe(3);
  });
});

describe("Porcupine etcd logs", () => {
  it("reads ok/fail/info lines, with tabs or spaces", () => {
    const ops = readPorcupineEtcd(
      ["INFO  jepsen.util - 0\t:invoke\t:read\tnil", "WARN  jepsen.core - another logger's line", "INFO  jepsen.util - 1   :invoke :cas    [1 2]", "INFO  jepsen.util - 0\t:fail\t:read\t:timed-out", "INFO  jepsen.util - 1   :fail   :cas    [1 2]"].join("\n"),
      "e.log",
    );
    expect(ops).toEqual([
      { client: 0, input: { f: "read", value: null }, call: 1, ret: 4, status: "fail", output: undefined },
      { client: 1, input: { f: "cas", value: [1, 2] }, call: 3, ret: 5, status: "fail", output: [1, 2] },
    ]);
  });
  it("names the line of a malformed event", () => {
    expect(inputError(() => readPorcupineEtcd("INFO  jepsen.util - 0\t:invoke\t:write\t[1", "e.log"))).toBe('e.log:1: value must be nil, an integer, [from to] or :timed-out, found "[1"');
    expect(inputError(() => readPorcupineEtcd("\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:write\t1", "e.log"))).toBe(
      "e.log:3: process 0 completes :write but invoked :read",
    );
  });
});

describe("JSONL", () => {
  it("round-trips operations with a model header", () => {
    const ops: Operation[] = [
      { client: 0, input: { f: "put", key: "a", value: "x" }, call: 1, ret: 3, status: "ok", output: { f: "put", revision: 2 } },
      { client: 1, input: { f: "get", key: "a" }, call: 2, ret: Infinity, status: "info", output: undefined },
    ];
    const h = readJsonl(writeJsonl(ops, "metadata-kv"), "h.jsonl");
    expect(h).toEqual({ model: "metadata-kv", ops });
    expect(detectFormat(writeJsonl(ops), "h.jsonl")).toBe("jsonl");
  });
  it("reads the event form too", () => {
    const text = ['{"type":"invoke","client":1,"input":{"f":"get","key":"a"},"time":1}', '{"type":"ok","client":1,"output":{"f":"get","found":false},"time":2}'].join("\n");
    expect(readHistory(text, "h.jsonl").ops).toEqual([{ client: 1, input: { f: "get", key: "a" }, call: 1, ret: 2, status: "ok", output: { f: "get", found: false } }]);
  });
  it("names the line of a problem", () => {
    expect(inputError(() => readJsonl('{"client":1,"input":1,"call":1,"ret":2,"status":"ok"}\n{oops', "h.jsonl"))).toMatch(/^h\.jsonl:2:2: not JSON: expected one JSON object per line, found "o"/);
    expect(inputError(() => readJsonl('\n{"client":1,"input":1,"call":3,"ret":2,"status":"ok"}', "h.jsonl"))).toBe("h.jsonl:2: returns (2) before its call (3)");
  });
});

describe("events and operations", () => {
  it("convert both ways", () => {
    const ops: Operation[] = [
      { client: 0, input: "a", call: 0, ret: 10, status: "ok", output: 1 },
      { client: 1, input: "b", call: 2, ret: Infinity, status: "info", output: undefined },
      { client: 1, input: "c", call: 4, ret: 6, status: "fail", output: undefined },
    ];
    expect(eventsToOperations(operationsToEvents(ops))).toEqual(ops);
  });
});
