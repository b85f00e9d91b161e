// What a step or a pure call ends with. Failures are data, not exceptions, so they can
// cross a worker boundary and be journaled as they are (STYLE §2.5).

/** Which limit a step ran into. */
export type StepLimit = 'fuel' | 'memory' | 'stack' | 'effects' | 'events' | 'output_bytes';

/** A step that did not produce an output. */
export type StepFailure =
  /** The module threw a ModuleFailure: deliberate. */
  | { readonly kind: 'failed'; readonly code: string; readonly message: string }
  /** Any other throw, or an output that is not a valid envelope: a module bug. */
  | { readonly kind: 'trapped'; readonly message: string }
  /** A deterministic limit. */
  | { readonly kind: 'over_limit'; readonly limit: StepLimit; readonly message: string }
  /** The wall-clock backstop ended the worker; the kernel journals an abort record. */
  | { readonly kind: 'aborted'; readonly reason: 'deadline'; readonly message: string };

/** One emitted domain event, its value still canonical CBOR. */
export interface OutputEvent {
  readonly schema: string;
  readonly value: Uint8Array;
  readonly key?: Uint8Array;
}

/** One emitted effect intent, its params still canonical CBOR (upstream field `params_cbor`). */
export interface OutputEffect {
  readonly kind: string;
  readonly params_cbor: Uint8Array;
  readonly cap_slot?: string;
  readonly issuer_ref?: string;
  readonly idempotency_key?: Uint8Array;
}

/** A decoded workflow output envelope. */
export interface WorkflowOutput {
  readonly state: Uint8Array | null;
  readonly domain_events: readonly OutputEvent[];
  readonly effects: readonly OutputEffect[];
  readonly ann: Uint8Array | null;
}

/** A workflow step's result: the exact output bytes and their decoded form, or a failure. */
export type WorkflowStepResult = { readonly kind: 'ok'; readonly bytes: Uint8Array; readonly output: WorkflowOutput } | StepFailure;

/** A pure call's result. */
export type PureRunResult = { readonly kind: 'ok'; readonly bytes: Uint8Array; readonly output: Uint8Array } | StepFailure;

/** What a runtime's raw call yields before the host checks the envelope. */
export type RawCallResult = { readonly kind: 'ok'; readonly bytes: Uint8Array } | StepFailure;
