// defineWorkflow: turns a typed (state, event, ctx) → outcome function into the entry the
// runtime calls with the decoded envelope.
import type { WorkflowContext } from './context.ts';
import { checkSynchronous, registerEntry, withSeededRandom } from './entry.ts';
import { readWorkflowInput, writeWorkflowOutput } from './sdk-envelope.ts';
import type { WorkflowInputValues } from './sdk-envelope.ts';
import type { WorkflowEvent, WorkflowSpec } from './workflow-types.ts';
import type { WireWorkflowOutput } from '../sandbox/js/protocol.ts';

/** Defines the bundle's workflow; call it once, at module top level. Returns the spec for direct unit tests. */
export function defineWorkflow<State, Event = unknown>(spec: WorkflowSpec<State, Event>): WorkflowSpec<State, Event> {
  registerEntry('workflow', (wire) => {
    const input = readWorkflowInput(wire);
    const ctx = input.ctx as WorkflowContext | null;
    const entropy = ctx !== null && ctx.entropy instanceof Uint8Array ? ctx.entropy : null;
    return entropy === null ? runStep(spec, input, ctx) : withSeededRandom(entropy, () => runStep(spec, input, ctx));
  });
  return spec;
}

function runStep<State, Event>(spec: WorkflowSpec<State, Event>, input: WorkflowInputValues, ctx: WorkflowContext | null): WireWorkflowOutput {
  const state = input.hasState ? (input.state as State) : spec.init();
  const outcome = spec.step(state, input.event as WorkflowEvent<Event>, ctx);
  checkSynchronous(outcome, 'step');
  return writeWorkflowOutput(outcome);
}
