// One node, several timers: NodeEnv.wakeAt keeps only the latest request, so a node that hosts
// more than one component (its own logic plus embedded Raft groups) gives each a slot here and
// lets the mux ask the host for the earliest of them. On a tick, fire() runs the slots that are
// due (each slot is cleared before its callback, which may re-arm it).
export class WakeMux {
  private readonly at: number[] = [];
  private asked = Number.NaN;

  constructor(private readonly wakeAt: (localUs: number) => void) {}

  /** A new slot, unarmed. */
  slot(): number {
    this.at.push(Number.NaN);
    return this.at.length - 1;
  }

  /** Arm (or re-arm) a slot; NaN disarms it. Latest call wins, as NodeEnv.wakeAt. */
  set(slot: number, localUs: number): void {
    this.at[slot] = localUs;
    this.rearm();
  }

  /** When the slot is armed for (NaN: not armed). */
  get(slot: number): number {
    return this.at[slot]!;
  }

  /** Run every slot due at `now` (ascending slot order), then ask the host again. */
  fire(now: number, run: (slot: number) => void): void {
    // The host's wake-up was used by this tick: whatever is re-armed must be asked again.
    this.asked = Number.NaN;
    for (let s = 0; s < this.at.length; s++) {
      const t = this.at[s]!;
      if (t === t && t <= now) {
        this.at[s] = Number.NaN;
        run(s);
      }
    }
    this.rearm();
  }

  private rearm(): void {
    let min = Number.NaN;
    for (const t of this.at) if (t === t && !(min <= t)) min = t;
    if (min === min && min !== this.asked) {
      this.asked = min;
      this.wakeAt(min);
    }
  }
}
