// wake-by-deadline: a server never sleeps past a deadline it holds (ours: the wake-up contract of
// src/impl/node.ts — a node runs only on an input, so every timer it runs is a wake-up it must
// have asked the host for; etcd's tick-driven raft gets this for free from its ticker).
//
// After every event that ran a server, the wake-up the host holds for it (World.wakeRequested,
// on the server's local clock) is no later than the earliest deadline of a timer the server is
// running, read from its state and put on its local clock by its own clock reading
// (MonotonicTime.toLocal): a leader's next heartbeat (Figure 2, §5.2: "send periodic
// heartbeats"), its next CheckQuorum round (§6.2) and the abort of a leadership transfer in
// progress (§3.10: "if the transfer does not complete within an election timeout, the prior
// leader aborts"), a follower's or candidate's election timeout when it may campaign (§5.2),
// and in every role the reads due to be answered and the snapshot due to be taken. A wake-up
// later than one of them leaves that timer to fire late: a heartbeat late enough starts an
// election, a CheckQuorum round or a transfer abort late leaves a deposed leader serving.
// Earlier wake-ups are harmless (the node re-asks) and not judged, nor is one asked for the
// present when a deadline is already past (both wake the server at once).
//
// Why (issue 12): the wake-up arithmetic in raft.ts (arm(): which deadline the wake-up is for,
// and the re-arm after a backward clock step in readClock) survived every check — a timer that
// fires up to a heartbeat interval late changes only when things happen, which liveness sees
// only when a deadline is missed for good.
//
// Read-only (views and the host's pending wake-up), never draws or schedules: hash-neutral.
// Per event: a handful of field reads of the one server it ran.
import type { MetaServer } from "../../../impl/metadata/server.js";
import { canCampaign } from "../../../impl/raft/confchange.js";
import type { AnyWorld } from "../../runner/system.js";
import { judgeTouched } from "./touched.js";

export class WakeCheck {
  constructor(private readonly n: number) {}

  /** After every event (`only`: the server it touched, TOUCHED_NONE or TOUCHED_ALL); null: fine. */
  afterEvent(w: AnyWorld, only: number): string | null {
    return judgeTouched(w, only, this.n, this);
  }

  /** Server `id`'s pending wake-up against its earliest running deadline; null: fine. */
  check(w: AnyWorld, id: number): string | null {
    const s = w.nodes[id] as MetaServer | null;
    if (s === null) return null;
    const r = s.raft;
    let d = Number.POSITIVE_INFINITY;
    let timer = 0;
    if (r.curRole === "leader") {
      d = r.heartbeatDeadline;
      timer = HEARTBEAT;
      if (r.opts.checkQuorum && r.checkQuorumDeadline < d) {
        d = r.checkQuorumDeadline;
        timer = CHECK_QUORUM;
      }
      if (r.transferee !== -1 && r.transferDeadline < d) {
        d = r.transferDeadline;
        timer = TRANSFER;
      }
    } else if (canCampaign(r)) {
      d = r.electionDeadline;
      timer = ELECTION;
    }
    if (r.readsDueAt < d) {
      d = r.readsDueAt;
      timer = READS;
    }
    if (r.snapDueAt < d) {
      d = r.snapDueAt;
      timer = SNAPSHOT;
    }
    if (d === Number.POSITIVE_INFINITY) return null;
    const due = r.clock.toLocal(d);
    const asked = w.wakeRequested(id);
    // A wake-up asked for the present or the past is at once (the host's clock.toVirtual), as
    // early as any: the same wake-up as one asked for a deadline already past.
    if (asked <= due || asked <= w.clocks[id].local(w.now)) return null;
    return `wake-by-deadline at node ${id}, t=${(w.now / 1000).toFixed(3)}ms, term ${r.curTerm} (${r.curRole}): its ${TIMERS[timer]} is due at local ${due}µs, but it asked to be woken ${asked === asked ? `at local ${asked}µs, ${asked - due}µs later` : "never"}`;
  }
}

const HEARTBEAT = 0;
const CHECK_QUORUM = 1;
const TRANSFER = 2;
const ELECTION = 3;
const READS = 4;
const SNAPSHOT = 5;
const TIMERS = ["heartbeat", "CheckQuorum round", "leadership-transfer abort", "election timeout", "reads due", "snapshot due"];
