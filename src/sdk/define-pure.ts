// definePure: turns a typed input → output function into the entry the runtime calls.
import { decodeCbor } from './cbor-decode.ts';
import type { PureContext } from './context.ts';
import { checkSynchronous, registerEntry } from './entry.ts';
import { readPureInput, writePureOutput } from './sdk-envelope.ts';
import type { PureSpec } from './workflow-types.ts';

/** Defines the bundle's pure function; call it once, at module top level. */
export function definePure<Input, Output>(spec: PureSpec<Input, Output>): PureSpec<Input, Output> {
  registerEntry('pure', (bytes) => {
    const envelope = readPureInput(bytes);
    const ctx = envelope.ctx === null ? null : (decodeCbor(envelope.ctx) as unknown as PureContext);
    const output = spec.run(decodeCbor(envelope.input) as Input, ctx);
    checkSynchronous(output, 'run');
    return writePureOutput(output);
  });
  return spec;
}
