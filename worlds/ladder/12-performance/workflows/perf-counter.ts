// demo/PerfCounter@1: count += inc. The cell only drives keyed routing (see the keyed world).
import { defineWorkflow } from 'agentos/sdk';

interface PerfState { readonly count: number }
interface PerfEvent { readonly cell: string; readonly inc: number }

defineWorkflow<PerfState, PerfEvent>({
  init: () => ({ count: 0 }),
  step: (state, event) => ({ state: { count: state.count + event.value.inc } }),
});
