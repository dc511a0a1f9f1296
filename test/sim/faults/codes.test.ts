// The fault trace codes are frozen: every trace hash depends on them. This is the order in
// which the codes were first assigned (index + 1, when they were computed from nemesis.ts's
// FAULT_KINDS array); a new kind appends, nothing here may change.
import { describe, expect, it } from "vitest";
import { ALL_FAULT_KINDS, FAULT_CODE, GENERIC_FAULT_KINDS } from "../../../src/sim/faults/index.js";
import { SYSTEMS } from "../../../src/sim/systems/index.js";

const FIRST_ASSIGNED = [
  "partition-halves", "partition-ring", "partition-bridge", "isolate", "cut-one-way", "heal",
  "crash", "restart", "pause", "resume", "clock-offset", "clock-jump", "clock-drift", "clock-strobe",
  "disk-lose-unsynced", "clog", "net", "heal-all", "isolate-leader", "crash-leader",
  "isolate-leader-on", "reconnect", "snapshot-restore",
  "member-add", "member-remove", "member-remove-leader", "member-churn-on", "member-churn",
  "depose-leader", "leader-churn-on", "transfer-leader",
  "slow-node", "primary-fault",
];

describe("fault trace codes", () => {
  it("keep the numbers they were first assigned", () => {
    FIRST_ASSIGNED.forEach((k, i) => expect(FAULT_CODE[k], k).toBe(i + 1));
  });
  it("are unique, and only appended to", () => {
    const codes = Object.values(FAULT_CODE);
    expect(new Set(codes).size).toBe(codes.length);
    expect(ALL_FAULT_KINDS.slice(0, FIRST_ASSIGNED.length)).toEqual(FIRST_ASSIGNED);
  });
  it("cover every generic kind and every system's own kinds; no system claims a generic kind", () => {
    for (const k of GENERIC_FAULT_KINDS) expect(FAULT_CODE[k], k).toBeDefined();
    const claimed = new Map<string, string>();
    for (const s of SYSTEMS) {
      for (const k of s.faultKinds) {
        expect(FAULT_CODE[k], `${s.name}: ${k}`).toBeDefined();
        expect(GENERIC_FAULT_KINDS as readonly string[]).not.toContain(k);
        expect(claimed.get(k), `${k} claimed by two systems`).toBeUndefined();
        claimed.set(k, s.name);
      }
    }
  });
});
