// A timer clock that moves only when a test advances it: timers fire in logical time, with no
// real waiting and nothing asserted about wall time.
import type { TimerClock } from '../../src/node/index.ts';

/** Time stands still until `advanceTo`; waiters whose time has come are released in time order. */
export class VirtualClock implements TimerClock {
  private waiters: Array<{ atNs: bigint; resolve: () => void }> = [];

  constructor(private currentNs = 0n) {}

  nowNs(): bigint {
    return this.currentNs;
  }

  waitUntil(atNs: bigint, signal: AbortSignal): Promise<void> {
    if (atNs <= this.currentNs) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { atNs, resolve };
      this.waiters.push(waiter);
      signal.addEventListener('abort', () => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** Timers waiting now. */
  get pending(): number {
    return this.waiters.length;
  }

  /** Moves time forward (never back) and releases every waiter whose time has come. */
  advanceTo(ns: bigint): void {
    if (ns < this.currentNs) throw new Error(`a virtual clock never goes back (${ns} < ${this.currentNs})`);
    this.currentNs = ns;
    const due = this.waiters.filter((waiter) => waiter.atNs <= ns).sort((a, b) => (a.atNs < b.atNs ? -1 : a.atNs > b.atNs ? 1 : 0));
    this.waiters = this.waiters.filter((waiter) => waiter.atNs > ns);
    for (const waiter of due) waiter.resolve();
  }
}
