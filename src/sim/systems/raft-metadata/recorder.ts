// How the flight recorder (`raftsim run --report`) draws Raft's notes: per server a role band
// (with its term), the term, the leader it knows and its commit index as step series, and the
// custom notes (configuration changes, snapshots, unfencing) as markers.
import { RaftNote, RoleCode } from "../../../impl/raft/api.js";
import { NOTE_CONFIG, NOTE_SNAPSHOT_INSTALLED, NOTE_SNAPSHOT_TAKEN, NOTE_STEP_DOWN_REMOVED, NOTE_UNFENCED } from "../../../impl/raft/state.js";
import type { RecorderSpec } from "../../runner/system.js";

const ROLE_NAMES: Record<number, string> = {};
for (const [name, code] of Object.entries(RoleCode)) ROLE_NAMES[code] = name;

export const raftRecorder: RecorderSpec = {
  lanes: [
    { name: "role", note: RaftNote.role, value: "c", kind: "enum", names: ROLE_NAMES, aux: { arg: "d", name: "term" } },
    { name: "term", note: RaftNote.role, value: "d", kind: "step" },
    { name: "leader", note: RaftNote.leader, value: "c", kind: "step", none: -1, aux: { arg: "d", name: "term" } },
    { name: "commit", note: RaftNote.commit, value: "c", kind: "step", aux: { arg: "d", name: "term" } },
  ],
  markers: [
    { code: RaftNote.custom, sub: NOTE_CONFIG, label: "config @{d}" },
    { code: RaftNote.custom, sub: NOTE_SNAPSHOT_TAKEN, label: "snapshot @{d}" },
    { code: RaftNote.custom, sub: NOTE_SNAPSHOT_INSTALLED, label: "snapshot installed @{d}" },
    { code: RaftNote.custom, sub: NOTE_UNFENCED, label: "unfenced (term {d})" },
    { code: RaftNote.custom, sub: NOTE_STEP_DOWN_REMOVED, label: "removed: steps down (term {d})" },
  ],
};
