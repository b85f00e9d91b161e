// The sys/timer.set@1 adapter (DESIGN §7): a timer fires when the node's clock reaches its
// deliver_at_ns, in logical time. The clock is an interface, so tests drive timers with a
// virtual clock and never wait for real time.
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from '../adapters/index.ts';
import { assert, isCborObject } from '../cbor/index.ts';
import { TIMER_WAIT_MS_MAX } from './limits.ts';

/** The effect a timer adapter executes. */
export const TIMER_SET_EFFECT = 'sys/timer.set@1';
/** The adapter_id of a timer adapter built without one. */
export const TIMER_ADAPTER_ID_DEFAULT = 'timer.default';

/** The clock timers fire from: its time, and a wait until a time. */
export interface TimerClock {
  /** Logical nanoseconds since the Unix epoch. */
  nowNs(): bigint;
  /** Resolves once nowNs() >= atNs; rejects with the signal's reason when it aborts first. */
  waitUntil(atNs: bigint, signal: AbortSignal): Promise<void>;
}

/** Wall time as the timer clock: timers fire when the system clock passes them. */
export class SystemTimerClock implements TimerClock {
  nowNs(): bigint {
    return BigInt(Date.now()) * 1_000_000n;
  }

  async waitUntil(atNs: bigint, signal: AbortSignal): Promise<void> {
    for (let leftNs = atNs - this.nowNs(); leftNs > 0n; leftNs = atNs - this.nowNs()) {
      const waitMs = Number(leftNs / 1_000_000n + 1n);
      await abortableDelay(Math.min(waitMs, TIMER_WAIT_MS_MAX), signal);
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Settles timer.set intents when the clock reaches deliver_at_ns: receipt {delivered_at_ns, key}. */
export class TimerAdapter implements Adapter {
  readonly kinds: readonly string[] = [TIMER_SET_EFFECT];

  constructor(private readonly clock: TimerClock, readonly id: string = TIMER_ADAPTER_ID_DEFAULT) {}

  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    assert(isCborObject(intent.params), 'the executor passes timer.set params as a checked record');
    const at = intent.params['deliver_at_ns'];
    assert(typeof at === 'number' || typeof at === 'bigint', 'a checked deliver_at_ns is a nat');
    const key = intent.params['key'] ?? null;
    await this.clock.waitUntil(BigInt(at), context.signal);
    const nowNs = this.clock.nowNs();
    return { status: 'ok', payload: { delivered_at_ns: nowNs > BigInt(at) ? nowNs : BigInt(at), key } };
  }
}
