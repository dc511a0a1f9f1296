// Issue 18's ten kinds of contract break, each pinned to its documented outcome. In-process
// where the CLI's own function can be called (runCheck), the built CLI otherwise.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/cli/commands/check.js";
import { ScenarioError } from "../../src/sim/scenario/load.js";
import { parseScenarioText } from "../../src/api/scenarios.js";
import { historiesDir } from "../support/histories.js";
import { violations } from "./contract.js";
import { BIN, ROOT } from "./surfaces.js";

const dir = mkdtempSync(path.join(tmpdir(), "raftsim-issue18-"));
const H = historiesDir();

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function check(f: string, opts: Record<string, unknown> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCheck(f, { timeout: "10s", ...opts }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  const o = { code, stdout: out.join("\n"), stderr: err.join("\n"), ms: 0 };
  expect(violations(o, { names: f, maxMs: 10_000 })).toEqual([]);
  return o;
}

function cli(...args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  const o = { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
  expect(violations(o, { maxMs: 60_000 })).toEqual([]);
  return o;
}

beforeAll(() => {
  try {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "pipe" });
  } catch {
    /* type errors elsewhere: emitted anyway */
  }
});

describe("issue 18: input the tool cannot read is an error, never a verdict", () => {
  it("porcupine-etcd on text that is not an etcd log: exit 65 naming the line", () => {
    const text = file("text.log", "hello world\n");
    expect(check(text, { format: "porcupine-etcd" })).toMatchObject({ code: 65, stderr: `raftsim check: ${text}:1: expected an etcd log line "INFO  jepsen.util - <process> :<type> :<f> <value>", found "hello world"` });
    const edn = path.join(H, "knossos/cas-register/bad/cas-failure.edn");
    expect(check(edn, { format: "porcupine-etcd" }).code).toBe(65);
    const bytes = file("bytes.log", Buffer.from([0, 1, 2, 255, 10, 200, 13]).toString("latin1"));
    expect(check(bytes, { format: "porcupine-etcd" }).stderr).toMatch(/bytes\.log:1: expected an etcd log line .*found "\\u0000\\u0001\\u0002/);
  });

  it("empty, whitespace-only or comment-only files are exit 65 with or without --format", () => {
    for (const [name, text] of [["empty.edn", ""], ["blank.edn", "  \n\n\t\n"], ["comment.edn", "; nothing here\n"]]) {
      const f = file(name, text);
      for (const format of [undefined, "jsonl", "edn", "porcupine-kv", "porcupine-etcd"]) {
        const r = check(f, { format });
        expect(r.code, `${name} --format ${format}`).toBe(65);
        expect(r.stdout).toBe("");
      }
    }
    expect(check(file("nemesis.edn", "[{:process :nemesis, :type :info, :f :start}]"), {}).stderr).toMatch(/no client operation/);
  });

  it("JSONL ops the model cannot place: verdict unknown (exit 3) unless --lenient, which --json records", () => {
    const put = `{"client":0,"input":{"f":"put","key":"k","value":"v"},"call":0,"ret":1,"status":"ok","output":{"f":"put","revision":2}}`;
    const list = `{"client":1,"input":{"f":"list","prefix":""},"call":2,"ret":3,"status":"ok","output":{"f":"list","items":[]}}`;
    const f = file("list.jsonl", `${put}\n${list}\n`);
    const strict = check(f, { json: true });
    expect(strict.code).toBe(3);
    expect(JSON.parse(strict.stdout)).toMatchObject({ verdict: "unknown", reason: "unchecked", unchecked: 1, lenient: false });
    expect(check(f, {}).stdout).toMatch(/^unknown: 1 op the model cannot place by key \(e\.g\. list\) not checked/);
    const lenient = check(f, { json: true, lenient: true });
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ verdict: "ok", unchecked: 1, lenient: true });
  });

  it("deep nesting: EDN, JSONL and YAML are depth-limited errors (65), not stack overflows", () => {
    const edn = file("deep.edn", "[".repeat(5000));
    expect(check(edn).stderr).toBe(`raftsim check: ${edn}:1:202: nested deeper than 200 levels (expected a history: a vector of op maps)`);
    expect(check(file("tags.edn", "#a ".repeat(5000) + "1")).code).toBe(65);
    const jsonl = file("deep.jsonl", `{"client":1,"input":${"[".repeat(5000)}${"]".repeat(5000)},"call":1,"ret":2,"status":"ok"}\n`);
    expect(check(jsonl).stderr).toMatch(/deep\.jsonl:1: values nested deeper than 64 levels/);
    for (const text of [`name: a\nfaults: ${"[".repeat(5000)}`, "name: a\n" + Array.from({ length: 3000 }, (_, i) => `${"  ".repeat(i)}b:`).join("\n"), `name: a\nx:\n  ${"- ".repeat(3000)}1`]) {
      expect(() => parseScenarioText(text, "deep.yaml")).toThrow(ScenarioError);
      expect(() => parseScenarioText(text, "deep.yaml")).toThrow(/^deep\.yaml(:\d+:\d+)?: nested (deeper than 32 levels|too deeply)/);
    }
    const yaml = file("deep.yaml", `name: a\nfaults: ${"[".repeat(5000)}\n`);
    const r = cli("run", "--scenario", yaml);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/deep\.yaml:2:\d+: nested deeper than 32 levels/);
  });

  it("messages name the line and the field, never JavaScript's words", () => {
    const cases: [string, string, RegExp][] = [
      ["null.jsonl", `{"client":1,"input":null,"call":1,"ret":2,"status":"ok"}`, /null\.jsonl:1: op 1: input must be an operation \{f: get \| exists/],
      ["iter.jsonl", `{"client":1,"input":{"f":"get","key":"a"},"call":1,"ret":2,"status":"ok","output":[1]}`, /iter\.jsonl:1: op 1: output must be the reply to get/],
      ["nostatus.jsonl", `{"client":1,"input":{"f":"get","key":"a"},"call":1,"ret":2}`, /nostatus\.jsonl:1: "status" must be ok, fail or info, found nothing/],
      ["obj.edn", `[{:process 0 :type :invoke :f :write :value {:a 1}} {:process 0 :type :ok :f :write :value 1}]`, /obj\.edn:1: op 1: input\.value must be nil, a number, a string or a boolean, found an object \{"a":1\}/],
      ["unknownop.edn", `[{:process 0 :type :invoke :f :frob :value 1}]`, /unknownop\.edn:1: op 1: input\.f must be one of read, write, cas, found the string "frob"/],
      ["sym.edn", `[{:process 0 :type undefined :f :read}]`, /sym\.edn:1: op 1: :type must be :invoke, :ok, :fail or :info, found the symbol "undefined"/],
      ["char.edn", `[{:process \\a :type :invoke :f :read}]`, /char\.edn:1: op 1: :process must be an integer or a keyword, found the character "a"/],
      ["key.edn", `[{:process 0 :type :invoke :f :get :key {:a 1} :value nil}]`, /key\.edn:1: op 1: input\.key must be a string, found an object/],
    ];
    for (const [name, text, re] of cases) {
      const r = check(file(name, text + "\n"), name.endsWith(".edn") && name.startsWith("key") ? { format: "porcupine-kv" } : {});
      expect(r.code, name).toBe(65);
      expect(r.stderr, name).toMatch(re);
    }
    const long = check(file("long.jsonl", `{"client":1,"input":{"f":"get","key":"${"x".repeat(5000)}"},"call":1,"ret":2,"status":"ok","output":"${"y".repeat(5000)}"}\n`));
    expect(long.code).toBe(65);
    expect(long.stderr.length).toBeLessThan(300);
  });

  it("figure16 values that cannot settle are a result row, not a crash", () => {
    // Whether a given extreme settles depends on Raft's timing (since a rejected RequestVote no
    // longer restarts a follower's timer, --jitter 7 settles); what must hold for all of them is
    // a complete table and exit 0, and --latency 100 (hops longer than the election timeouts)
    // cannot settle at all.
    for (const args of [["--latency", "100"], ["--fsync", "7"], ["--jitter", "7"]]) {
      const r = cli("figure16", "--trials", "2", "--no-progress", "--json", ...args);
      expect(r.code, args.join(" ")).toBe(0);
      const rows = JSON.parse(r.stdout).rows as { range: string; unsettled: number; capped: number }[];
      expect(rows.length, args.join(" ")).toBeGreaterThanOrEqual(10);
      if (args[1] === "100") expect(rows.some((row) => row.unsettled > 0), args.join(" ")).toBe(true);
      for (const row of rows) expect(row.capped).toBeGreaterThanOrEqual(row.unsettled);
    }
    expect(cli("figure16", "--trials", "2", "--no-progress", "--latency", "100").stdout).toMatch(/did not settle: \d+ of \d+ trials never had a stable leader/);
  });

  it("an unwritable --trace is exit 74 before the run", () => {
    for (const bad of ["/nonexistent/dir/t.jsonl", dir]) {
      const r = cli("run", "--seed", "1", "--time", "30s", "--trace", bad);
      expect(r.code).toBe(74);
      expect(r.stdout).toBe(""); // nothing ran
      expect(r.stderr).toMatch(/--trace: cannot write: (no directory \/nonexistent\/dir|is a directory, expected a file)/);
      expect(r.ms).toBeLessThan(5_000);
    }
    const good = path.join(dir, "t.jsonl");
    expect(cli("run", "--seed", "1", "--time", "1s", "--trace", good).code).toBe(0);
    expect(readFileSync(good, "utf8").length).toBeGreaterThan(0);
  });

  it("missing or unreadable history files are exit 74", () => {
    expect(check(path.join(dir, "missing.edn"))).toMatchObject({ code: 74, stderr: `raftsim check: ${path.join(dir, "missing.edn")}: cannot read: no such file or directory` });
    expect(check(dir).stderr).toMatch(/cannot read: is a directory, expected a file/);
  });

  it("replay --expect-hash not-a-hash is a usage error (64) before running", () => {
    const r = cli("replay", "--seed", "1", "--time", "30s", "--expect-hash", "not-a-hash");
    expect(r.code).toBe(64);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/expected a trace hash of 16 hex characters .*found not-a-hash \(10 characters\)/);
    expect(r.ms).toBeLessThan(5_000);
  });

  it("sweep streams a huge seed range (and stops at the first failure); --jobs is capped", () => {
    const r = spawnSync(process.execPath, [BIN, "sweep", "--seeds", "1..1000000000000", "--time", "10s", "--stop-on-first", "--bug", "commit-previous-term", "--jobs", "10000", "--json", "--no-progress"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--jobs 10000 capped to \d+/);
    const j = JSON.parse(r.stdout);
    expect(j.seeds).toBe(1_000_000_000_000);
    expect(j.failures).toHaveLength(1);
    expect(j.ran).toBeLessThan(2000);
  });

  it("no command at all is a usage error with a message", () => {
    const r = cli();
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/raftsim: no command given/);
  });
});
