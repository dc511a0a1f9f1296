import { describe, expect, it } from "vitest";
import { argsError as benchArgsError } from "../../src/api/script-args.js";

describe("bench scripts' argument check", () => {
  const opts = { seeds: { type: "string" }, "no-hour": { type: "boolean" } } as const;
  it("accepts the options a script knows, and its positionals", () => {
    expect(benchArgsError(opts, 0, [])).toBeNull();
    expect(benchArgsError(opts, 0, ["--seeds", "1..10", "--no-hour"])).toBeNull();
    expect(benchArgsError(opts, 1, ["dir", "--seeds=5"])).toBeNull();
  });
  it("names an unknown option, a missing value and an extra argument", () => {
    expect(benchArgsError(opts, 0, ["--bogus"])).toMatch(/Unknown option '--bogus'/);
    expect(benchArgsError(opts, 0, ["--seeds"])).toMatch(/--seeds/);
    expect(benchArgsError(opts, 0, ["extra"])).toMatch(/extra/);
    expect(benchArgsError(opts, 1, ["a", "b"])).toBe("unexpected argument 'b'");
  });
});
