// The universe model (src/check/models/engula-universe.ts) with the linearizability checker:
// histories that must pass and histories that must fail.
import { describe, expect, it } from "vitest";
import { checkOperations } from "../../src/check/linearizability.js";
import { universeModel, type UniverseInput, type UniverseOutput } from "../../src/check/models/engula-universe.js";
import type { Operation } from "../../src/check/history.js";

type Op = Operation<UniverseInput, UniverseOutput>;
const m = universeModel(3);
const op = (client: number, input: UniverseInput, call: number, ret: number, output: UniverseOutput | undefined, status: "ok" | "fail" | "info" = "ok"): Op => ({ client, input, call, ret: status === "info" ? Infinity : ret, output, status });

describe("engula-universe model", () => {
  it("a create then a read that sees it, and joins filling the members, are linearizable", () => {
    const h = [
      op(1, { f: "create-unit", unit: "a" }, 0, 10, "created"),
      op(2, { f: "list-units" }, 11, 20, ["a"]),
      op(3, { f: "join", node: 4 }, 0, 5, "done"),
      op(3, { f: "join", node: 2 }, 6, 8, "done"),
      op(1, { f: "list-members" }, 21, 30, [0, 2, 4]),
      op(2, { f: "list-nodes" }, 21, 30, [0, 2, 4]),
    ];
    expect(checkOperations(m, h).verdict).toBe("ok");
  });

  it("a read that misses a create completed before it began is not (a stale follower's answer)", () => {
    const h = [op(1, { f: "create-unit", unit: "a" }, 0, 10, "created"), op(2, { f: "list-units" }, 11, 20, [])];
    expect(checkOperations(m, h).verdict).toBe("illegal");
  });

  it("two creates of one unit cannot both say created without a delete between", () => {
    const h = [op(1, { f: "create-unit", unit: "a" }, 0, 10, "created"), op(2, { f: "create-unit", unit: "a" }, 11, 20, "created")];
    expect(checkOperations(m, h).verdict).toBe("illegal");
  });

  it("an indeterminate delete may explain a later read; a fifth member never appears", () => {
    const ok = [op(1, { f: "create-unit", unit: "a" }, 0, 10, "created"), op(2, { f: "delete-unit", unit: "a" }, 11, 0, undefined, "info"), op(3, { f: "list-units" }, 30, 40, [])];
    expect(checkOperations(m, ok).verdict).toBe("ok");
    const bad = [1, 2, 3].map((n, i) => op(9, { f: "join", node: n }, i * 10, i * 10 + 5, "done"));
    expect(checkOperations(m, [...bad, op(1, { f: "list-members" }, 40, 50, [0, 1, 2, 3])]).verdict).toBe("illegal");
  });
});
