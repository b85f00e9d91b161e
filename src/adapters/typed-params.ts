// An intent's params read through its effect's params schema, for the adapters of sys/* effects.
import { AirError, builtinCatalog, valueFromCbor } from '../air/index.ts';
import { assert, isCborObject } from '../cbor/index.ts';
import type { CborObject, CborValue } from '../cbor/index.ts';
import type { AdapterIntent } from './adapter.ts';

/** The params as a canonical record, or why they do not fit the schema. */
export type ParamsReading = { readonly ok: true; readonly params: CborObject } | { readonly ok: false; readonly message: string };

/**
 * Checks an intent's params against a built-in record schema and returns their canonical form
 * (options present as null, integers as numbers when safe). The kernel journaled them already
 * canonical, so a misfit means a kernel or executor bug; it still settles as an error receipt
 * rather than a halt, so the open intent does not wedge its workflow on every restart.
 */
export function readParams(intent: AdapterIntent, schema: string): ParamsReading {
  let value: CborValue;
  try {
    value = valueFromCbor(intent.params, { ref: schema }, builtinCatalog(), { def: schema, path: 'params' });
  } catch (error) {
    if (!(error instanceof AirError)) throw error;
    return { ok: false, message: `the params of ${intent.effect_kind} intent ${intent.intent_hash} do not fit ${schema}: ${error.message}` };
  }
  assert(isCborObject(value), `${schema} is a record schema`);
  return { ok: true, params: value };
}

/** A text field of checked params. */
export function textField(params: CborObject, name: string): string {
  const value = params[name];
  assert(typeof value === 'string', `the checked field ${name} is text`);
  return value;
}
