// The ladder's one clock: it stamps every input and fires timers, and moves only when a driver
// advances it, so ladder runs are fast and deterministic (no wall time, no real randomness).
import { createHash } from 'node:crypto';
import { ENTROPY_BYTES } from '../src/kernel/index.ts';
import type { Stamp } from '../src/kernel/index.ts';
import { VirtualClock } from '../src/node/index.ts';

/** Wall time the ladder's stamps start from (2027-01-15), so now_ns looks like a real date. */
const LADDER_EPOCH_NS = 1_800_000_000_000_000_000n;

/** Logical time stands still until `advanceTo`; each stamp is at least 1 ns after the last. */
export class LadderClock extends VirtualClock {
  private lastStampNs = -1n;
  private stamps = 0;

  /** The stamp of the next input: logical time from this clock, entropy derived from a counter. */
  next(): Stamp {
    const now = this.nowNs();
    this.lastStampNs = now > this.lastStampNs ? now : this.lastStampNs + 1n;
    this.stamps += 1;
    const digest = createHash('sha512').update(`ladder stamp ${this.stamps}`).digest();
    return { now_ns: LADDER_EPOCH_NS + this.lastStampNs, logical_now_ns: this.lastStampNs, entropy: new Uint8Array(digest.subarray(0, ENTROPY_BYTES)) };
  }
}
