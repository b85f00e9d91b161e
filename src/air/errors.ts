/** Stable codes for everything the AIR layer refuses. */
export type AirErrorCode =
  | 'BAD_JSON'
  | 'SCHEMA_VIOLATION'
  | 'UNKNOWN_KIND'
  | 'BAD_NAME'
  | 'DUPLICATE_NAME'
  | 'DANGLING_REF'
  | 'RESERVED_NAME'
  | 'RECURSIVE_SCHEMA'
  | 'TYPE_TOO_DEEP'
  | 'BAD_KEY_FIELD'
  | 'ROUTING_MISMATCH'
  | 'EFFECT_NOT_DECLARED'
  | 'CAP_TYPE_MISMATCH'
  | 'HASH_MISMATCH'
  | 'VALUE_MISMATCH'
  | 'OUT_OF_RANGE'
  | 'BAD_BASE64'
  | 'BAD_HASH'
  | 'BAD_UUID'
  | 'BAD_TIME'
  | 'BAD_DECIMAL'
  | 'UNKNOWN_VARIANT'
  | 'MISSING_FIELD'
  | 'UNKNOWN_FIELD'
  | 'BAD_MAP_KEY'
  | 'STALE_PRE_HASH'
  | 'PATCH_CONFLICT'
  | 'IO'
  | 'BAD_TEXT'
  | 'TYPE_TOO_LARGE'
  | 'VALUE_TOO_DEEP'
  | 'DUPLICATE_MAP_KEY';

/** Where in the authored AIR a problem is: the file, the def, and a JSON path inside it. */
export interface AirWhere {
  readonly file?: string;
  readonly def?: string;
  readonly path?: string;
}

/** Renders a location as `file › def › path` for messages. */
export function formatWhere(where: AirWhere): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.file);
  if (where.def !== undefined) parts.push(where.def);
  if (where.path !== undefined && where.path !== '') parts.push(where.path);
  return parts.length === 0 ? '(input)' : parts.join(' › ');
}

/** The one error class of the AIR layer: a code, a location, and a message for people. */
export class AirError extends Error {
  override readonly name = 'AirError';
  constructor(readonly code: AirErrorCode, readonly where: AirWhere, readonly detail: string, options?: { cause?: unknown }) {
    super(`${formatWhere(where)}: ${detail}`, options);
  }
}

/** Appends a JSON path segment: `.field` for identifier-like keys, `["key"]` otherwise, `[3]` for indices. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}
