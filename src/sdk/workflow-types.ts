// Types a workflow author writes against.
import type { WorkflowContext } from './context.ts';
import type { EffectIntent } from './effects.ts';
import type { AirValue } from './values.ts';

/** An event delivered to a step, its value decoded from canonical CBOR. */
export interface WorkflowEvent<Value = AirValue> {
  readonly schema: string;
  readonly value: Value;
  /** The cell key when the workflow is keyed. */
  readonly key?: Uint8Array;
}

/** A domain event a step emits; the kernel journals and routes it. */
export interface EmittedEvent {
  readonly schema: string;
  readonly value: AirValue;
  readonly key?: Uint8Array;
}

/** What a step returns. `state: null` from a keyed cell deletes the cell. */
export interface StepOutcome<State> {
  readonly state: State | null;
  readonly events?: readonly EmittedEvent[];
  readonly effects?: readonly EffectIntent[];
  /** Annotation for the journal (encoded as canonical CBOR into the envelope's `ann`). */
  readonly ann?: AirValue;
}

/** A workflow: a deterministic state machine over events. */
export interface WorkflowSpec<State, Event> {
  /** The state of an instance that has none yet (its first event). */
  init(): State;
  /** One step; must be synchronous and use only its arguments. */
  step(state: State, event: WorkflowEvent<Event>, ctx: WorkflowContext | null): StepOutcome<State>;
}

/** A pure module: a function of its input (and context, when declared). */
export interface PureSpec<Input, Output> {
  run(input: Input, ctx: import('./context.ts').PureContext | null): Output;
}
