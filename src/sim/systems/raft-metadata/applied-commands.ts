// The run's own account of which client commands can have taken effect, for the history
// check's hint (CheckOptions.neverApplied). A client that timed out records its op as info:
// it may have taken effect or not, and the checker has to choose, for every such write, whether
// it did — a subset choice, exponential in the info writes a part holds (a 30 s run with disk
// stalls left 42 of 181 ops info in one part joined by txns, and the search gave up). The
// simulation knows the answer: a command takes effect only once some server commits it.
//
// Raft commits an index once for all servers, and the first server whose commit passes an index
// has that entry in its log at that moment (a leader commits what it holds; a follower learns a
// commit only for entries it holds, or from a snapshot, whose entries were committed before).
// So reading each newly committed index once, at the commit note that first passes it, names
// every command any server can ever apply. An info op whose command is not among them never
// took effect.
//
// Only a hint: with a buggy Raft two servers may commit different entries at one index, and
// this reads only the first. The checker never trusts it (it keeps only an "ok" found with the
// hint, which is a real linearization, and otherwise checks the history in full), so a wrong
// account costs time, not a verdict. Read-only: no draw, no trace record, no hash moves.
import type { MetaServer } from "../../../impl/metadata/server.js";
import type { HistoryRecorder } from "./clients/recorder.js";
import { commandKey } from "./command-key.js";
import type { Operation } from "../../../check/history.js";

export class AppliedCommands {
  /** Highest index read. */
  private read = 0;
  private readonly keys = new Set<number>();

  /** Server `s` noted its commit index `commit`: read the indexes no server passed before. */
  committed(s: MetaServer, commit: number): void {
    if (commit <= this.read) return;
    for (let i = this.read + 1; i <= commit; i++) {
      // Undefined below a snapshot the server installed: committed (and read) earlier.
      const d = s.raft.entry(i)?.data;
      if (d !== null && d !== undefined) this.keys.add(commandKey(d.client, d.seq));
    }
    this.read = commit;
  }

  /** Positions of the info ops in `ops` whose command no server committed. */
  neverApplied(ops: readonly Operation<unknown, unknown>[], recorder: HistoryRecorder): Set<number> {
    const out = new Set<number>();
    for (let i = 0; i < ops.length; i++) {
      if (ops[i]!.status !== "info") continue;
      const c = recorder.commandOf(i);
      if (c >= 0 && !this.keys.has(c)) out.add(i);
    }
    return out;
  }
}
