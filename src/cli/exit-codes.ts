// Exit codes that classify a run's outcome, so CI can act on them (documented in README.md).
export const Exit = {
  ok: 0,
  violation: 1, // a correctness violation: invariant broken or history not linearizable
  liveness: 2, // the system did not recover after faults healed
  undecided: 3, // a checker ran out of budget: verdict unknown
  usage: 64, // bad command line (EX_USAGE)
  dataErr: 65, // bad input data: history file, scenario file (EX_DATAERR)
  software: 70, // internal error in raftsim itself (EX_SOFTWARE)
} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];
