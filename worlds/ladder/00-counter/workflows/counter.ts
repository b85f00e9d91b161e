// demo/CounterSM@1: Start{target} (re)starts a countdown in any state; Tick counts down while
// Counting, reaching Done at zero; any other Tick does nothing.
import { defineWorkflow } from 'agentos/sdk';

type Pc = { $tag: 'Idle' } | { $tag: 'Counting' } | { $tag: 'Done' };
interface CounterState { readonly pc: Pc; readonly remaining: number }
type CounterEvent = { $tag: 'Start'; $value: { target: number } } | { $tag: 'Tick' };

defineWorkflow<CounterState, CounterEvent>({
  init: () => ({ pc: { $tag: 'Idle' }, remaining: 0 }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') {
      const target = input.$value.target;
      return { state: target === 0 ? { pc: { $tag: 'Done' }, remaining: 0 } : { pc: { $tag: 'Counting' }, remaining: target } };
    }
    if (state.pc.$tag !== 'Counting' || state.remaining === 0) return { state };
    const remaining = state.remaining - 1;
    return { state: { pc: remaining === 0 ? { $tag: 'Done' } : { $tag: 'Counting' }, remaining } };
  },
});
