// Fields of host effects' params, read after readParams checked them against their schemas
// (options are present as null; nats are numbers or bigints).
import { assert } from '../../cbor/index.ts';
import type { CborObject } from '../../cbor/index.ts';
import { AdapterError } from '../errors.ts';

export function optionalText(params: CborObject, name: string): string | null {
  const value = params[name];
  if (value === undefined || value === null) return null;
  assert(typeof value === 'string', `the checked field ${name} is text`);
  return value;
}

export function requiredText(params: CborObject, name: string): string {
  const value = optionalText(params, name);
  assert(value !== null, `the checked field ${name} is present`);
  return value;
}

export function optionalBool(params: CborObject, name: string): boolean | null {
  const value = params[name];
  if (value === undefined || value === null) return null;
  assert(typeof value === 'boolean', `the checked field ${name} is a bool`);
  return value;
}

export function optionalNat(params: CborObject, name: string): bigint | null {
  const value = params[name];
  if (value === undefined || value === null) return null;
  assert(typeof value === 'number' || typeof value === 'bigint', `the checked field ${name} is a nat`);
  return BigInt(value);
}

/** A text map field (env); {} when absent. */
export function textMap(params: CborObject, name: string): Record<string, string> {
  const value = params[name];
  if (value === undefined || value === null) return {};
  assert(typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array), `the checked field ${name} is a map`);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    assert(typeof item === 'string', `the checked map ${name} holds text`);
    out[key] = item;
  }
  return out;
}

/** A result count: max_results clamped to [1, max], default when absent; 0 is refused. */
export function resultCount(params: CborObject, fallback: number, max: number): number {
  const asked = optionalNat(params, 'max_results');
  if (asked === null) return fallback;
  if (asked === 0n) throw new AdapterError('HOST_INVALID_PARAMS', 'max_results is 0; ask for at least one result');
  return asked > BigInt(max) ? max : Number(asked);
}

/** A {$tag, $value} variant, as readParams canonicalises it. */
export function variantOf(params: CborObject, name: string): { readonly tag: string; readonly value: CborObject } {
  const value = params[name];
  assert(typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array), `the checked field ${name} is a variant`);
  const tag = (value as CborObject)['$tag'];
  const inner = (value as CborObject)['$value'];
  assert(typeof tag === 'string', `the checked variant ${name} has a tag`);
  assert(typeof inner === 'object' && inner !== null && !Array.isArray(inner) && !(inner instanceof Uint8Array), `the variant ${name} carries a record`);
  return { tag, value: inner as CborObject };
}
