import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCheck } from "../../src/cli/commands/check.js";
import { historiesDir } from "../support/histories.js";

const dir = historiesDir();

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe("raftsim check", () => {
  it("exits 0 on a linearizable history", () => {
    const c = capture();
    expect(runCheck(path.join(dir, "porcupine/etcd/etcd_018.log"), {}, c.io)).toBe(0);
    expect(c.out[0]).toMatch(/^ok: linearizable/);
  });

  it("exits 1 on an illegal history and prints the counterexample as JSON", () => {
    const c = capture();
    expect(runCheck(path.join(dir, "knossos/cas-register/bad/rethink-fail-minimal.edn"), { json: true }, c.io)).toBe(1);
    const j = JSON.parse(c.out[0]);
    expect(j).toMatchObject({ verdict: "illegal", model: "knossos-cas-register", partitions: 1 });
    expect(j.counterexample.parts[0].cannotFollow.some((b: { description: string }) => b.description.includes("read() → 3"))).toBe(true);
  });

  it("exits 65 on a malformed file, naming the line, without a stack trace", () => {
    const tmp = mkdtempSync(path.join(tmpdir(), "raftsim-check-"));
    const f = path.join(tmp, "bad.edn");
    writeFileSync(f, '[{:process 1, :type :invoke, :f :read, :value nil}\n {:process 1, :type :ok, :f :read :value}\n]');
    const c = capture();
    expect(runCheck(f, {}, c.io)).toBe(65);
    expect(c.err.join("\n")).toBe(`raftsim check: ${f}:2: map starting here has an odd number of forms (7)`);
  });

  it("exits 64 on an unknown model or format, and 3 when out of time", () => {
    const c = capture();
    expect(runCheck(path.join(dir, "porcupine/etcd/etcd_018.log"), { model: "nope" }, c.io)).toBe(64);
    expect(runCheck(path.join(dir, "porcupine/etcd/etcd_018.log"), { format: "xml" }, c.io)).toBe(64);
    expect(runCheck(path.join(dir, "porcupine/kv/c50-ok.txt"), { timeout: "0ms" }, c.io)).toBe(3);
  });
});
