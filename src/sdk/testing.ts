// Test harness for module authors: runs the very bundle the kernel will run, through the
// same js runtime, with values in and out instead of envelope bytes. Host-side only (it
// imports the sandbox), so it is not part of the SDK's sandbox-safe index.
import { decodeCanonical, encodeCanonical } from '../cbor/index.ts';
import type { CborValue } from '../cbor/index.ts';
import { encodePureInput, encodeWorkflowInput, loadModule } from '../sandbox/index.ts';
import type { LoadModuleOptions, ModuleRuntime, StepFailure } from '../sandbox/index.ts';

/** An event to feed a step, its value in AIR's in-memory form. */
export interface TestEvent {
  readonly schema: string;
  readonly value: CborValue;
  readonly key?: Uint8Array;
}

/** What a step produced, decoded. */
export interface TestStepOutput {
  readonly state: CborValue;
  readonly events: ReadonlyArray<{ readonly schema: string; readonly value: CborValue; readonly key?: Uint8Array }>;
  readonly effects: ReadonlyArray<{ readonly kind: string; readonly params: CborValue; readonly cap_slot?: string; readonly issuer_ref?: string; readonly idempotency_key?: Uint8Array }>;
  readonly ann: CborValue | undefined;
}

/** Thrown by the harness when a step fails; `failure` is exactly what the kernel would journal. */
export class ModuleStepError extends Error {
  override readonly name = 'ModuleStepError';
  constructor(readonly failure: StepFailure) {
    super(`step ${failure.kind}: ${failure.message}`);
  }
}

/** A loaded bundle under test. */
export interface TestModule {
  readonly runtime: ModuleRuntime;
  /** One workflow step; `state` null means a new instance (the module's init runs). */
  step(state: CborValue, event: TestEvent, ctx?: CborValue): TestStepOutput;
  /** One pure call. */
  run(input: CborValue, ctx?: CborValue): CborValue;
}

const INNER = { selfDescribe: false } as const;

function bytesOf(value: CborValue): Uint8Array {
  return encodeCanonical(value, INNER);
}

/** Loads a bundle (the bytes `aos build` stores) into a warm js runtime. */
export async function loadBundle(bundle: Uint8Array, options: LoadModuleOptions = {}): Promise<TestModule> {
  const runtime = await loadModule(bundle, { runtime: 'js', ...options });
  return {
    runtime,
    step(state, event, ctx) {
      const eventBytes = { schema: event.schema, value: bytesOf(event.value), ...(event.key === undefined ? {} : { key: event.key }) };
      const input = encodeWorkflowInput({ state: state === null ? null : bytesOf(state), event: eventBytes, ...(ctx === undefined ? {} : { ctx: bytesOf(ctx) }) });
      const result = runtime.step(input);
      if (result.kind !== 'ok') throw new ModuleStepError(result);
      const { output } = result;
      return {
        state: output.state === null ? null : decodeCanonical(output.state),
        events: output.domain_events.map((item) => ({ ...item, value: decodeCanonical(item.value) })),
        effects: output.effects.map(({ params_cbor: params, ...rest }) => ({ ...rest, params: decodeCanonical(params) })),
        ann: output.ann === null ? undefined : decodeCanonical(output.ann),
      };
    },
    run(input, ctx) {
      const result = runtime.run(encodePureInput({ input: bytesOf(input), ...(ctx === undefined ? {} : { ctx: bytesOf(ctx) }) }));
      if (result.kind !== 'ok') throw new ModuleStepError(result);
      return decodeCanonical(result.output);
    },
  };
}
