// The ignorer plugins of stryker-ignorers.mjs, run through Stryker's own instrumenter: on
// snippets, what they must ignore and what they must leave (a guard's own mutants, code an
// ordinary `&&` guards, the else branch), and a dry count over the default scope, printed per
// file (reports/mutation/summary.md quotes it).
import { describe, expect, it } from "vitest";
import { ignoredBy, instrument, instrumentFiles, type DryMutant } from "./dry-count.js";

async function mutantsOf(code: string): Promise<DryMutant[]> {
  return instrument(new Map([["snippet.ts", code]]));
}
const at = (ms: DryMutant[], col: number) => ms.filter((m) => m.location.start.column === col);

describe("assertion-guards ignorer", () => {
  it("ignores the right operand of `x.asserts && …` and the body it guards, keeps the guard's own mutants", async () => {
    //           0         1         2         3         4
    //           0123456789012345678901234567890123456789012345
    const code = "function f(r: any) {\n  if (r.asserts && r.x > 1) fail(`bad ${r.x}`);\n  return r.x;\n}\n";
    const ms = (await mutantsOf(code)).filter((m) => m.location.start.line === 1);
    const guard = at(ms, 6); // `r.asserts && r.x > 1`: → true, → false, && → ||
    expect(guard.map((m) => m.mutatorName).sort()).toEqual(["ConditionalExpression", "ConditionalExpression", "LogicalOperator"]);
    for (const m of guard) expect(m.status, `${m.mutatorName} ${m.replacement}`).toBeUndefined();
    const inner = ms.filter((m) => m.location.start.column > 6);
    expect(inner.length).toBeGreaterThanOrEqual(4); // r.x > 1: →true, →false, >=, <=; the message
    for (const m of inner) expect(m.status, `${m.mutatorName} ${m.replacement}`).toBe("Ignored");
    expect(inner.some((m) => ignoredBy(m) === "assertion-guards")).toBe(true);
  });

  it("`this.strict && …` likewise (strict = bugs.strict && asserts)", async () => {
    const ms = await mutantsOf("class A { strict = false; g(i: number) { if (this.strict && i < 0) throw new Error('x'); return i; } }\n");
    const inner = ms.filter((m) => m.replacement.includes("i >= 0") || m.replacement.includes("i <= 0"));
    expect(inner.length).toBe(2);
    for (const m of inner) expect(m.status).toBe("Ignored");
  });

  it("leaves an ordinary guard, the switch on the right, the else branch, and an || beside the guard", async () => {
    const code = [
      "function f(r: any, s: any) {",
      "  if (r.ready && r.x > 1) go(r.x + 1);", // line 2: not an assertion
      "  if (r.x > 1 && r.asserts) go(r.x - 1);", // line 3: the switch on the right: left is evaluated
      "  if (r.asserts && r.x > 1) go(1); else go(r.x * 2);", // line 4: else runs
      "  if (s === null || (r.asserts && s.i !== 2)) fail('m');", // line 5: the consequent is reachable
      "}",
      "",
    ].join("\n");
    const ms = await mutantsOf(code);
    const line = (n: number) => ms.filter((m) => m.location.start.line === n - 1); // the api's lines are 0-based
    for (const m of line(2)) expect(m.status, `2: ${m.replacement}`).toBeUndefined();
    for (const m of line(3)) expect(m.status, `3: ${m.replacement}`).toBeUndefined();
    const elseMut = line(4).filter((m) => m.replacement.includes("r.x / 2"));
    expect(elseMut.length).toBe(1);
    expect(elseMut[0].status).toBeUndefined();
    const l5 = line(5);
    const nullTest = l5.filter((m) => m.replacement.includes("s !== null"));
    expect(nullTest.length).toBe(1);
    expect(nullTest[0].status).toBeUndefined();
    const guarded = l5.filter((m) => m.replacement === "s.i === 2");
    expect(guarded.length).toBe(1);
    expect(guarded[0].status).toBe("Ignored");
  });

  it("ignores the message of fail(...) but not the call", async () => {
    const ms = await mutantsOf("function f(a: number) {\n  if (a > 1) {\n    fail(`a is ${a}`);\n  }\n}\n");
    const msg = ms.filter((m) => m.mutatorName === "StringLiteral");
    expect(msg.length).toBe(1);
    expect(ignoredBy(msg[0])).toBe("assertion-messages");
    const body = ms.filter((m) => m.mutatorName === "BlockStatement" && m.location.start.line === 1);
    expect(body.length).toBe(1);
    expect(body[0].status).toBeUndefined();
  });
});

describe("dry count over the default scope", () => {
  it("counts, per file, the mutants each ignorer and the disable comments take out", async () => {
    const { readdirSync } = await import("node:fs");
    const { fileURLToPath } = await import("node:url");
    const dir = fileURLToPath(new URL("../../src/impl/raft/", import.meta.url));
    const files = [...readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => `src/impl/raft/${f}`), "src/impl/metadata/store.ts", "src/impl/metadata/sessions.ts"].sort();
    const ms = await instrumentFiles(files);
    const rows: string[] = [];
    const total = { all: 0, guards: 0, messages: 0, comments: 0 };
    for (const f of files) {
      const mine = ms.filter((m) => m.fileName.endsWith(f));
      const c = { all: mine.length, guards: 0, messages: 0, comments: 0 };
      for (const m of mine) {
        const by = ignoredBy(m);
        if (by === "assertion-guards") c.guards++;
        else if (by === "assertion-messages") c.messages++;
        else if (by === "disable comment") c.comments++;
      }
      total.all += c.all;
      total.guards += c.guards;
      total.messages += c.messages;
      total.comments += c.comments;
      rows.push(`| ${f.replace(/^src\/impl\//, "")} | ${c.all} | ${c.guards} | ${c.messages} | ${c.comments} | ${c.all - c.guards - c.messages - c.comments} |`);
    }
    rows.push(`| **all** | ${total.all} | ${total.guards} | ${total.messages} | ${total.comments} | ${total.all - total.guards - total.messages - total.comments} |`);
    if (process.env.MUTATION_DRY_COUNT === "1") console.log(["| file | mutants | assertion-guards | assertion-messages | disable comments | left |", "|---|---:|---:|---:|---:|---:|", ...rows].join("\n"));
    // The guards of replication.ts and step-leader.ts (r.asserts && …) are where run 18 found 38.
    const guardsIn = (f: string) => ms.filter((m) => m.fileName.endsWith(f) && ignoredBy(m) === "assertion-guards").length;
    expect(guardsIn("src/impl/raft/replication.ts")).toBeGreaterThan(10);
    expect(guardsIn("src/impl/raft/step-leader.ts")).toBeGreaterThan(5);
    expect(guardsIn("src/impl/raft/election.ts") + guardsIn("src/impl/raft/log.ts")).toBeGreaterThan(0);
  }, 60_000);
});
