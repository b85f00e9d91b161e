// The deadline of one HTTP execution: the executor's signal or the adapter's own timeout, whichever comes first.
import { assert } from '../cbor/index.ts';

/** An abort signal for fetch that fires at the first of two deadlines, and says which fired. */
export class HttpDeadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private ownTimeoutFired = false;
  private readonly onOuterAbort = (): void => this.controller.abort();

  constructor(private readonly outer: AbortSignal, private readonly timeoutMs: number) {
    assert(Number.isSafeInteger(timeoutMs) && timeoutMs > 0, 'an HTTP timeout is a positive number of milliseconds');
    if (outer.aborted) this.controller.abort();
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
    this.timer = setTimeout(() => {
      this.ownTimeoutFired = true;
      this.controller.abort();
    }, timeoutMs);
  }

  /** Aborted once either deadline passed. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the signal fired, for the timeout receipt's message. */
  describe(): string {
    assert(this.controller.signal.aborted, 'only a fired deadline is described');
    if (this.ownTimeoutFired) return `no complete response within ${this.timeoutMs} ms (the HTTP adapter's timeout)`;
    return 'the intent\'s deadline passed or it was cancelled before the response was complete';
  }

  /** Stops the timer and the listener; call once the exchange is over, whatever its outcome. */
  release(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }
}
