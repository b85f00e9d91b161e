// A timer clock that moves only when told to: timers fire in logical time with no real waiting.
// Tests and the ladder use it so runs are fast, deterministic and assert nothing about wall time.
import type { TimerClock } from './timer-adapter.ts';

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

  /** The times timers wait for, earliest first. */
  get pending(): bigint[] {
    return this.waiters.map((waiter) => waiter.atNs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Moves time forward (never back) and releases every waiter whose time has come, in time order. */
  advanceTo(ns: bigint): void {
    if (ns < this.currentNs) throw new Error(`a virtual clock never goes back (${ns} < ${this.currentNs})`);
    this.currentNs = ns;
    const due = this.waiters.filter((waiter) => waiter.atNs <= ns).sort((a, b) => (a.atNs < b.atNs ? -1 : a.atNs > b.atNs ? 1 : 0));
    this.waiters = this.waiters.filter((waiter) => waiter.atNs > ns);
    for (const waiter of due) waiter.resolve();
  }
}
