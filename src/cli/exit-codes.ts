// Exit codes that classify a run's outcome, so CI can act on them (documented in README.md).
export const Exit = {
  ok: 0,
  violation: 1, // a correctness violation: invariant broken or history not linearizable
  liveness: 2, // the system did not recover after faults healed
  undecided: 3, // verdict unknown: a checker ran out of budget, or could not check every operation
  usage: 64, // bad command line (EX_USAGE)
  dataErr: 65, // bad input data: history file, scenario file (EX_DATAERR)
  software: 70, // internal error in raftsim itself (EX_SOFTWARE)
  ioErr: 74, // a file cannot be read or written: missing, unreadable, a directory, disk full (EX_IOERR)
} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];
