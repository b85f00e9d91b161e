// Reading inputs and writing outputs inside the module. The runtime has already decoded the
// canonical CBOR envelope into values and hands them over as a tuple (protocol.ts); these
// give the parts names and build the wire output, whose values the host encodes.
import { WIRE_HAS_CTX, WIRE_HAS_KEY, WIRE_HAS_STATE } from '../sandbox/js/protocol.ts';
import type { WireEffect, WireEvent, WirePureInput, WireWorkflowInput, WireWorkflowOutput } from '../sandbox/js/protocol.ts';
import { SdkError } from './errors.ts';
import type { EffectIntent } from './effects.ts';
import type { EmittedEvent, StepOutcome } from './workflow-types.ts';

/** A workflow input with its parts named. */
export interface WorkflowInputValues {
  /** False for a new instance (the envelope's `state: null`): the module's init() runs. */
  readonly hasState: boolean;
  readonly state: unknown;
  readonly event: { readonly schema: string; readonly value: unknown; readonly key?: Uint8Array };
  readonly ctx: unknown;
}

// The parts of `[markers, flags, schema, value, state, key, ctx]`. Indexed reads, not array
// destructuring: QuickJS destructures through the iterator protocol (1.3 µs for this tuple
// here, 0.3 µs indexed).

/** False for a new instance (the envelope's `state: null`): the module's init() runs. */
export function hasWorkflowState(wire: WireWorkflowInput): boolean {
  return (wire[1] & WIRE_HAS_STATE) !== 0;
}

/** The event the module's step() sees. */
export function workflowEventOf(wire: WireWorkflowInput): WorkflowInputValues['event'] {
  const key = wire[5];
  return (wire[1] & WIRE_HAS_KEY) !== 0 && key !== null ? { schema: wire[2], value: wire[3], key } : { schema: wire[2], value: wire[3] };
}

/** The call context, or null without one. */
export function workflowContextOf(wire: WireWorkflowInput): unknown {
  return (wire[1] & WIRE_HAS_CTX) !== 0 ? wire[6] : null;
}

/** Names the parts of `[markers, flags, input, ctx]`. */
export function readPureInput(wire: WirePureInput): { readonly input: unknown; readonly ctx: unknown } {
  return { input: wire[2], ctx: (wire[1] & WIRE_HAS_CTX) !== 0 ? wire[3] : null };
}

function eventEntry(event: EmittedEvent, index: number): WireEvent {
  if (typeof event?.schema !== 'string') throw new SdkError('BAD_RESULT', `events[${index}] needs a text \`schema\``);
  return event.key === undefined ? { schema: event.schema, value: event.value } : { schema: event.schema, value: event.value, key: event.key };
}

function effectEntry(intent: EffectIntent, index: number): WireEffect {
  if (typeof intent?.kind !== 'string') throw new SdkError('BAD_RESULT', `effects[${index}] needs a text \`kind\``);
  return { kind: intent.kind, params: intent.params, cap_slot: intent.cap_slot, issuer_ref: intent.issuer_ref, idempotency_key: intent.idempotency_key } as WireEffect;
}

/** Builds `[state, events, effects, ann?]`: empty lists as 0, `ann` only when given. */
export function writeWorkflowOutput(outcome: StepOutcome<unknown>): WireWorkflowOutput {
  if (typeof outcome !== 'object' || outcome === null || !('state' in outcome)) {
    throw new SdkError('BAD_RESULT', 'step must return an object with a `state` field ({state, events?, effects?})');
  }
  const state = outcome.state;
  if (state === undefined) throw new SdkError('BAD_RESULT', 'step returned `state: undefined`; return the new state, or null to delete the cell');
  const events = outcome.events;
  const effects = outcome.effects;
  const ann = outcome.ann;
  const wireEvents = events !== undefined && events.length > 0 ? events.map(eventEntry) : 0;
  const wireEffects = effects !== undefined && effects.length > 0 ? effects.map(effectEntry) : 0;
  return ann === undefined ? [state, wireEvents, wireEffects] : [state, wireEvents, wireEffects, ann];
}
