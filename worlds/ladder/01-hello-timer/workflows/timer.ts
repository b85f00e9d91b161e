// demo/TimerSM@1: Start{deliver_at_ns, key} (accepted unless Awaiting) asks for a timer at
// deliver_at_ns (or is Done at once for 0); the timer's signed receipt, delivered through the
// Receipt arm, makes it Done with fired_key = the key it started with.
// A Fired event can only arrive as a domain event from outside (the kernel delivers receipts
// through the envelope arm), so it proves nothing and is ignored: upstream trusted it.
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';

type Pc = { $tag: 'Idle' } | { $tag: 'Awaiting' } | { $tag: 'Done' } | { $tag: 'TimedOut' };
interface TimerState {
  readonly pc: Pc;
  readonly key: string | null;
  readonly deadline_ns: number | bigint | null;
  readonly fired_key: string | null;
}
type TimerEvent =
  | { $tag: 'Start'; $value: { deliver_at_ns: number | bigint; key: string | null } }
  | { $tag: 'Fired'; $value: AirValue }
  | { $tag: 'Receipt'; $value: AirValue };

defineWorkflow<TimerState, TimerEvent>({
  init: () => ({ pc: { $tag: 'Idle' }, key: null, deadline_ns: null, fired_key: null }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') {
      if (state.pc.$tag === 'Awaiting') return { state };
      const { deliver_at_ns, key } = input.$value;
      const started = { key, deadline_ns: deliver_at_ns, fired_key: null };
      if (BigInt(deliver_at_ns) === 0n) return { state: { pc: { $tag: 'Done' }, ...started } };
      return { state: { pc: { $tag: 'Awaiting' }, ...started }, effects: [effect.timer({ deliver_at_ns, key }, { cap_slot: 'default' })] };
    }
    if (input.$tag !== 'Receipt' || state.pc.$tag !== 'Awaiting') return { state };
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind !== 'timer.set') return { state };
    // Upstream sets Done whatever the status; a timer that did not fire is TimedOut instead.
    if (receipt.envelope.status !== 'ok') return { state: { ...state, pc: { $tag: 'TimedOut' } } };
    return { state: { ...state, pc: { $tag: 'Done' }, fired_key: state.key } };
  },
});
