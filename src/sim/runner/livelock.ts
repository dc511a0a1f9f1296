// Livelock guards: end a run whose system under test spins — a node that sends without bound
// inside one event (a flood), or events that keep firing without the virtual clock advancing (a
// stall) — with a `liveness` verdict within milliseconds, instead of letting it run until the
// event budget (hundreds of times a normal run's events) or the scheduler's capacity gives out.
// A livelock in a user's code is a bug found; it also turns a hanging mutant of the mutation
// sweep into a quick kill instead of a Stryker timeout (issue 12 part 3: a flooding progress.ts
// mutant took ~10 s per seed to hit the scheduler's 2^24 pending events).
//
// Read-only: the guard counts sends and events and never draws or schedules, so a run that stays
// within its limits has the same trace hash with and without it.

/** Thrown by LivelockGuard; the runner turns it into a `liveness` verdict. */
export class LivelockError extends Error {
  constructor(readonly kind: "flood" | "stall", message: string, readonly atUs: number) {
    super(message);
    this.name = "LivelockError";
  }
}

export interface LivelockLimits {
  /** Server-to-server messages one event may cause (a handler's sends, all nodes together). */
  readonly maxSendsPerEvent: number;
  /** Consecutive events at one virtual instant. */
  readonly maxEventsPerInstant: number;
}

export class LivelockGuard {
  private sends = 0;
  private sameInstant = 0;
  private lastUs = -1;
  /** The largest figures seen so far (how close correct runs come to the limits). */
  maxSendsSeen = 0;
  maxInstantSeen = 0;

  constructor(readonly limits: LivelockLimits) {}

  /** A message sent while handling the current event (the world's onSend). */
  onSend(from: number, nowUs: number): void {
    if (++this.sends > this.limits.maxSendsPerEvent) {
      throw new LivelockError("flood", `livelock (flood): more than ${this.limits.maxSendsPerEvent} messages sent while handling one event at t=${(nowUs / 1000).toFixed(3)}ms (node ${from} sent the last)`, nowUs);
    }
  }

  /** After every event (the world's afterEachEvent). */
  afterEvent(nowUs: number): void {
    if (this.sends > this.maxSendsSeen) this.maxSendsSeen = this.sends;
    this.sends = 0;
    if (nowUs !== this.lastUs) {
      this.lastUs = nowUs;
      this.sameInstant = 1;
      return;
    }
    if (++this.sameInstant > this.maxInstantSeen) this.maxInstantSeen = this.sameInstant;
    if (this.sameInstant > this.limits.maxEventsPerInstant) {
      throw new LivelockError("stall", `livelock (stall): more than ${this.limits.maxEventsPerInstant} events at t=${(nowUs / 1000).toFixed(3)}ms without the virtual clock advancing`, nowUs);
    }
  }
}
