// Shared helpers of the typed-value tests: schema tables, error matching, byte comparison.
import assert from 'node:assert/strict';
import { encodeCanonical, hashValue, toHex } from '../../../../src/cbor/index.ts';
import type { CborValue } from '../../../../src/cbor/index.ts';
import { AirError } from '../../../../src/air/errors.ts';
import type { AirErrorCode } from '../../../../src/air/errors.ts';
import type { SchemaResolver, TypeAst } from '../../../../src/air/type-ast.ts';

/** A resolver over a fixed table of named schemas. */
export function schemasOf(table: Record<string, TypeAst> = {}): SchemaResolver {
  return { resolve: (name) => (Object.hasOwn(table, name) ? table[name] : undefined) };
}

/** Runs `action`, expecting an AirError with `code` whose message contains every fragment. */
export function expectAirError(action: () => unknown, code: AirErrorCode, fragments: readonly string[]): AirError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof AirError, `expected AirError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const fragment of fragments) assert.ok(caught.message.includes(fragment), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(fragment)}`);
  return caught;
}

/** Hex of the canonical CBOR of a value (no self-describe prefix). */
export function cborHex(value: CborValue): string {
  return toHex(encodeCanonical(value, { selfDescribe: false }));
}

/** Asserts two values have the same canonical bytes and the same hash. */
export function assertSameBytes(actual: CborValue, expected: CborValue, label: string): void {
  assert.equal(cborHex(actual), cborHex(expected), label);
  assert.equal(hashValue(actual), hashValue(expected), label);
}

/** Shorthands for primitive types. */
export const T = {
  bool: { bool: {} }, int: { int: {} }, nat: { nat: {} }, dec128: { dec128: {} }, bytes: { bytes: {} }, text: { text: {} },
  time: { time: {} }, duration: { duration: {} }, hash: { hash: {} }, uuid: { uuid: {} }, unit: { unit: {} },
} satisfies Record<string, TypeAst>;
