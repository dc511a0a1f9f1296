import { describe, expect, it } from "vitest";
import { parseSeedRange, seedRangeOrNull } from "../../src/util/ranges.js";

describe("seed ranges", () => {
  it("parses A..B and N, with spaces", () => {
    expect(parseSeedRange("1..1000")).toEqual({ from: 1, to: 1000 });
    expect(parseSeedRange(" 7 ")).toEqual({ from: 7, to: 7 });
    expect(parseSeedRange("3 .. 3")).toEqual({ from: 3, to: 3 });
    expect(parseSeedRange("0..2")).toEqual({ from: 0, to: 2 });
  });
  it("rejects other text and reversed or unsafe ranges, quoting the text", () => {
    expect(() => parseSeedRange("x")).toThrow('expected A..B or N (e.g. 1..1000), got "x"');
    expect(() => parseSeedRange("-1")).toThrow(RangeError);
    expect(() => parseSeedRange("1..")).toThrow(/expected A\.\.B/);
    expect(() => parseSeedRange("9..1")).toThrow('bad seed range "9..1": need A <= B');
    expect(() => parseSeedRange("1..99999999999999999")).toThrow(/need A <= B/);
    expect(seedRangeOrNull("9..1")).toBeNull();
    expect(seedRangeOrNull("2..4")).toEqual({ from: 2, to: 4 });
  });
});
