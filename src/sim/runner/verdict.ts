// The one verdict of a run, for every system, and what a scenario may expect of it.
//   ok        — every check passed;
//   violation — a safety check failed (an invariant, an assertion in the system, an end check,
//               or the history is not linearizable);
//   liveness  — after the faults healed, the system did not recover in the window;
//   unknown   — the history checker gave up within its budget (never a guess).
export const VERDICTS = ["ok", "violation", "liveness", "unknown"] as const;
export type Verdict = (typeof VERDICTS)[number];

export const EXPECTATIONS = ["ok", "violation", "liveness"] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

export interface Judgement {
  readonly met: boolean;
  /** "verdict violation, as the scenario expects" / "expected a violation, got ok". */
  readonly message: string;
}

const ARTICLE: Record<Verdict, string> = { ok: "ok", violation: "a violation", liveness: "a liveness failure", unknown: "unknown" };

export function judge(expect: Expectation, verdict: Verdict): Judgement {
  if (verdict === expect) return { met: true, message: `verdict ${verdict}, as the scenario expects` };
  return { met: false, message: `expected ${expect === "ok" ? "verdict ok" : ARTICLE[expect]}, got ${verdict}` };
}
