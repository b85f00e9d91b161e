// defineWorkflow: turns a typed (state, event, ctx) → outcome function into the entry the
// runtime calls with envelope bytes.
import { decodeCbor } from './cbor-decode.ts';
import type { WorkflowContext } from './context.ts';
import { checkSynchronous, registerEntry, withSeededRandom } from './entry.ts';
import { readWorkflowInput, writeWorkflowOutput } from './sdk-envelope.ts';
import type { WorkflowEvent, WorkflowSpec } from './workflow-types.ts';

/** Defines the bundle's workflow; call it once, at module top level. Returns the spec for direct unit tests. */
export function defineWorkflow<State, Event = unknown>(spec: WorkflowSpec<State, Event>): WorkflowSpec<State, Event> {
  registerEntry('workflow', (bytes) => {
    const input = readWorkflowInput(bytes);
    const ctx = input.ctx === null ? null : (decodeCbor(input.ctx) as unknown as WorkflowContext);
    const event: WorkflowEvent<Event> = input.event.key === undefined
      ? { schema: input.event.schema, value: decodeCbor(input.event.value) as Event }
      : { schema: input.event.schema, value: decodeCbor(input.event.value) as Event, key: input.event.key };
    const entropy = ctx !== null && ctx.entropy instanceof Uint8Array ? ctx.entropy : null;
    return withSeededRandom(entropy, () => {
      const state = input.state === null ? spec.init() : (decodeCbor(input.state) as State);
      const outcome = spec.step(state, event, ctx);
      checkSynchronous(outcome, 'step');
      return writeWorkflowOutput(outcome);
    });
  });
  return spec;
}
