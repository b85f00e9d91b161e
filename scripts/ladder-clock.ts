// The ladder's one clock: it stamps every input and fires timers, and moves only when a driver
// advances it, so ladder runs are fast and deterministic (no wall time, no real randomness).
import { createHash } from 'node:crypto';
import { ENTROPY_BYTES } from '../src/kernel/index.ts';
import type { Stamp } from '../src/kernel/index.ts';
import type { TimerClock } from '../src/node/index.ts';

/** Wall time the ladder's stamps start from (2027-01-15), so now_ns looks like a real date. */
const LADDER_EPOCH_NS = 1_800_000_000_000_000_000n;

/** Logical time stands still until `advanceTo`; each stamp is at least 1 ns after the last. */
export class LadderClock implements TimerClock {
  private currentNs = 0n;
  private lastStampNs = -1n;
  private stamps = 0;
  private waiters: Array<{ atNs: bigint; resolve: () => void }> = [];

  /** The stamp of the next input: logical time from this clock, entropy derived from a counter. */
  next(): Stamp {
    this.lastStampNs = this.currentNs > this.lastStampNs ? this.currentNs : this.lastStampNs + 1n;
    this.stamps += 1;
    const digest = createHash('sha512').update(`ladder stamp ${this.stamps}`).digest();
    return { now_ns: LADDER_EPOCH_NS + this.lastStampNs, logical_now_ns: this.lastStampNs, entropy: new Uint8Array(digest.subarray(0, ENTROPY_BYTES)) };
  }

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

  /** Moves time forward (never back) and releases every timer whose time has come, in time order. */
  advanceTo(ns: bigint): void {
    if (ns < this.currentNs) throw new Error(`the ladder clock never goes back (${ns} < ${this.currentNs})`);
    this.currentNs = ns;
    const due = this.waiters.filter((waiter) => waiter.atNs <= ns).sort((a, b) => (a.atNs < b.atNs ? -1 : a.atNs > b.atNs ? 1 : 0));
    this.waiters = this.waiters.filter((waiter) => waiter.atNs > ns);
    for (const waiter of due) waiter.resolve();
  }
}
