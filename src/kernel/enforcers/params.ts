// Reading the fields enforcers need from typed values. Params are checked against their schemas
// before an enforcer sees them, but a world may pair a built-in enforcer with a cap of its own
// schema; a field of an unexpected shape is then a denial (fail closed), never a crash.
import { isCborObject } from '../../cbor/index.ts';
import type { CborObject, CborValue } from '../../cbor/index.ts';

/** Whose params did not fit: the grant's or the effect's. */
export type ParamsOwner = 'cap' | 'effect';

/** A field an enforcer needs has another shape than it can read; becomes a deny with `code`. */
export class EnforcerInputError extends Error {
  override readonly name = 'EnforcerInputError';
  readonly code: string;
  constructor(owner: ParamsOwner, message: string) {
    super(message);
    this.code = owner === 'cap' ? 'cap_params_invalid' : 'effect_params_invalid';
  }
}

function fieldsOf(value: CborValue, owner: ParamsOwner): CborObject {
  if (!isCborObject(value)) throw new EnforcerInputError(owner, `the ${owner} params are not a record`);
  return value;
}

/** A text set or list field; null when absent, none, or empty (an empty allowlist allows any). */
export function allowList(value: CborValue, field: string, owner: ParamsOwner): readonly string[] | null {
  const list = fieldsOf(value, owner)[field];
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    throw new EnforcerInputError(owner, `the ${owner} params' "${field}" is not a list of text`);
  }
  return list.length === 0 ? null : (list as readonly string[]);
}

/** A nat set or list field, as bigints; null when absent, none, or empty. */
export function natAllowList(value: CborValue, field: string, owner: ParamsOwner): readonly bigint[] | null {
  const list = fieldsOf(value, owner)[field];
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'number' || typeof item === 'bigint')) {
    throw new EnforcerInputError(owner, `the ${owner} params' "${field}" is not a list of numbers`);
  }
  return list.length === 0 ? null : list.map((item) => BigInt(item as number | bigint));
}

/** An optional nat field; null when absent or none. */
export function optionalNat(value: CborValue, field: string, owner: ParamsOwner): bigint | null {
  const found = fieldsOf(value, owner)[field];
  if (found === undefined || found === null) return null;
  if (typeof found !== 'number' && typeof found !== 'bigint') throw new EnforcerInputError(owner, `the ${owner} params' "${field}" is not a number`);
  return BigInt(found);
}

/** An optional text field; null when absent or none. */
export function optionalText(value: CborValue, field: string, owner: ParamsOwner): string | null {
  const found = fieldsOf(value, owner)[field];
  if (found === undefined || found === null) return null;
  if (typeof found !== 'string') throw new EnforcerInputError(owner, `the ${owner} params' "${field}" is not text`);
  return found;
}

/** A required text field. */
export function requiredText(value: CborValue, field: string, owner: ParamsOwner): string {
  const found = optionalText(value, field, owner);
  if (found === null) throw new EnforcerInputError(owner, `the ${owner} params have no "${field}"`);
  return found;
}

/** An optional record field; null when absent or none. */
export function optionalRecord(value: CborValue, field: string, owner: ParamsOwner): CborObject | null {
  const found = fieldsOf(value, owner)[field];
  if (found === undefined || found === null) return null;
  return fieldsOf(found, owner);
}

/**
 * True when `path` is one of `prefixes` or lies under one: "/api" allows "/api" and "/api/x" but
 * not "/apix"; a prefix ending in "/" allows everything below it; "" allows everything.
 */
export function underPrefix(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => prefix === '' || path === prefix ||
    (path.startsWith(prefix) && (prefix.endsWith('/') || path.charCodeAt(prefix.length) === 0x2f)));
}
