// evo/RunLog@1, as the agent writes it in its work dir (the scripted model sends this text with
// write_file): a log of the agent's runs, fed by the session's lifecycle events. The world did
// not have it; the agent builds it, proposes it and, once a human approves, applies it.
import { defineWorkflow } from 'agentos/sdk';

type Nat = number | bigint;
interface RunLogState {
  readonly runs_started: Nat;
  readonly runs_ended: Nat;
  readonly last_output_ref: string | null;
}
interface LifecycleChanged {
  readonly from: { readonly $tag: string };
  readonly to: { readonly $tag: string };
  readonly output_ref: string | null;
}

defineWorkflow<RunLogState, LifecycleChanged>({
  init: () => ({ runs_started: 0, runs_ended: 0, last_output_ref: null }),
  step(state, event) {
    const change = event.value;
    if (change.to.$tag === 'Running' && change.from.$tag !== 'Running') return { state: { ...state, runs_started: Number(state.runs_started) + 1 } };
    if (change.from.$tag === 'Running' && change.to.$tag !== 'Running') return { state: { ...state, runs_ended: Number(state.runs_ended) + 1, last_output_ref: change.output_ref } };
    return { state };
  },
});
