// Fault trace codes: the number each fault kind is recorded under in the trace (T.fault, a =
// code). The trace hash depends on them, so this table is frozen: a new kind takes a new
// number, an old number is never reused or changed (test/sim/faults/codes.test.ts checks the
// table against the order the codes were first assigned in). Codes of kinds that belong to one
// system are reserved here too, so two systems can never record different kinds under one code.
export const FAULT_CODE: Readonly<Record<string, number>> = Object.freeze({
  "partition-halves": 1,
  "partition-ring": 2,
  "partition-bridge": 3,
  isolate: 4,
  "cut-one-way": 5,
  heal: 6,
  crash: 7,
  restart: 8,
  pause: 9,
  resume: 10,
  "clock-offset": 11,
  "clock-jump": 12,
  "clock-drift": 13,
  "clock-strobe": 14,
  "disk-lose-unsynced": 15,
  clog: 16,
  net: 17,
  "heal-all": 18,
  "isolate-leader": 19,
  "crash-leader": 20,
  // 21, 24-31: raft-metadata's own kinds (src/sim/systems/raft-metadata/faults.ts).
  "isolate-leader-on": 21,
  reconnect: 22,
  "snapshot-restore": 23,
  "member-add": 24,
  "member-remove": 25,
  "member-remove-leader": 26,
  "member-churn-on": 27,
  "member-churn": 28,
  "depose-leader": 29,
  "leader-churn-on": 30,
  "transfer-leader": 31,
  // 32-33: the failover system's own kinds (src/sim/systems/failover/faults.ts).
  "slow-node": 32,
  "primary-fault": 33,
  // 34: the valkey system's own kind (src/sim/systems/valkey/faults.ts).
  "vk-primary-fault": 34,
  // 40-41: kvrocks-controller's own kinds (src/sim/systems/kvrocks-controller/faults.ts); 32-39
  // left to the systems being written beside it, so their codes do not collide.
  "kc-depose-leader": 40,
  "kc-pause-on-update": 41,
  // 42-45: raft-metadata's window faults (src/sim/systems/raft-metadata/window-faults.ts) and
  // its membership race (faults.ts).
  "member-change-transfer": 42,
  "crash-on": 43,
  "restore-race": 44,
  "snapshot-cut-on": 45,
  "disk-stall": 46,
});

/** Every kind with a code, in code order. */
export const ALL_FAULT_KINDS: readonly string[] = Object.keys(FAULT_CODE).sort((a, b) => FAULT_CODE[a] - FAULT_CODE[b]);

export function faultCode(kind: string): number {
  const c = FAULT_CODE[kind];
  if (c === undefined) throw new Error(`fault kind "${kind}" has no trace code (add it to src/sim/faults/codes.ts)`);
  return c;
}
