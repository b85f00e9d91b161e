// definePure: turns a typed input → output function into the entry the runtime calls.
import type { PureContext } from './context.ts';
import { checkSynchronous, registerEntry } from './entry.ts';
import { readPureInput } from './sdk-envelope.ts';
import type { PureSpec } from './workflow-types.ts';

/** Defines the bundle's pure function; call it once, at module top level. */
export function definePure<Input, Output>(spec: PureSpec<Input, Output>): PureSpec<Input, Output> {
  registerEntry('pure', (wire) => {
    const input = readPureInput(wire);
    const output = spec.run(input.input as Input, input.ctx as PureContext | null);
    checkSynchronous(output, 'run');
    return [output];
  });
  return spec;
}
