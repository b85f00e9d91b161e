// The deadlines of the executor's running intents, on one timer. A setTimeout and clearTimeout for
// every intent cost ~4 µs of an effect round trip (the timer list is reordered twice), while most
// intents settle long before their deadline; here an intent costs a Set entry, and the one timer
// is re-armed only for a deadline earlier than the one it waits for, or when it fires. It holds
// the process open only while some deadline is pending, as the timers it replaces did.
import { assert } from '../cbor/index.ts';

/** A pending deadline: `expire` runs when it passes, unless it is removed first. */
export interface Deadline {
  readonly at: number;
  readonly expire: () => void;
}

export class Deadlines {
  private readonly pending = new Set<Deadline>();
  private timer: NodeJS.Timeout | null = null;
  /** When the timer fires (performance.now() time); +Infinity when there is none. */
  private firesAt = Number.POSITIVE_INFINITY;

  /** Runs `expire` once `ms` have passed, unless the returned deadline is removed first. */
  add(ms: number, expire: () => void): Deadline {
    assert(ms >= 0, 'a deadline is not in the past');
    const deadline: Deadline = { at: performance.now() + ms, expire };
    this.pending.add(deadline);
    if (deadline.at < this.firesAt) this.arm(deadline.at);
    else this.timer?.ref();
    return deadline;
  }

  /** Forgets a deadline (its intent settled); the timer stays armed, unreferenced once none is pending. */
  remove(deadline: Deadline): void {
    this.pending.delete(deadline);
    if (this.pending.size === 0) this.timer?.unref();
  }

  /** Drops every deadline and the timer. */
  close(): void {
    this.pending.clear();
    this.disarm();
  }

  private arm(at: number): void {
    this.disarm();
    this.firesAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - performance.now()));
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.firesAt = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.timer = null;
    this.firesAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const deadline of this.pending) {
      if (deadline.at <= now) {
        this.pending.delete(deadline);
        deadline.expire();
      } else if (deadline.at < next) next = deadline.at;
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
  }
}
