// The dispatch of the checks that judge one server at a time after every event: the server the
// event ran (World.touched), none after a client's event, every server after a fault event.
import { TOUCHED_ALL, TOUCHED_NONE } from "../../kernel/world.js";
import type { AnyWorld } from "../../runner/system.js";

/** A check of one server after an event; null: fine. */
export interface PerServerCheck {
  check(w: AnyWorld, id: number): string | null;
}

/** `c.check` on the servers event `only` touched (of `n`), the first violation or null. */
export function judgeTouched(w: AnyWorld, only: number, n: number, c: PerServerCheck): string | null {
  if (only === TOUCHED_NONE) return null;
  if (only !== TOUCHED_ALL) return c.check(w, only);
  for (let i = 0; i < n; i++) {
    const why = c.check(w, i);
    if (why !== null) return why;
  }
  return null;
}
