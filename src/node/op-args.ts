// The arguments of a node operation (a `call` from the API to a world's thread), read with the
// same checks and messages by every operation module.
import { isHash } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { NodeError } from './errors.ts';

/** An operation's arguments, as the API decoded them. */
export type OpArgs = Record<string, unknown>;

/** A required text argument. */
export function text(args: OpArgs, name: string): string {
  const value = args[name];
  if (typeof value !== 'string') throw new NodeError('BAD_INPUT', `${name} must be a string`, `send ${name} as a JSON string`);
  return value;
}

/** A text argument that may be absent or null. */
export function optionalText(args: OpArgs, name: string): string | undefined {
  return args[name] === undefined || args[name] === null ? undefined : text(args, name);
}

/** A required hash argument (`sha256:` and 64 lowercase hex digits). */
export function hashArg(args: OpArgs, name: string): Hash {
  const value = text(args, name);
  if (!isHash(value)) throw new NodeError('BAD_INPUT', `${name} ${JSON.stringify(value.slice(0, 80))} is not a hash`, 'a hash is "sha256:" and 64 lowercase hex digits');
  return value;
}
