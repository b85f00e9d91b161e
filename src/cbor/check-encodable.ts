import { CborEncodeError } from './errors.ts';
import { CBOR_DEPTH_MAX, DEC128_BYTES, DEC128_TAG } from './limits.ts';
import { Tagged } from './value.ts';
import type { CborValue } from './value.ts';

const UINT64_MAX = (1n << 64n) - 1n;
const NINT64_MIN = -(1n << 64n);

/**
 * Refuses, with the path to the offending part, any value that canonical CBOR cannot hold
 * as AIR data: floats, unsafe numbers, undefined, functions, class instances, deep nesting.
 */
export function checkEncodable(root: CborValue): void {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: '', depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, path, depth } = item;
    if (depth > CBOR_DEPTH_MAX) throw new CborEncodeError('TOO_DEEP', path, `nests deeper than ${CBOR_DEPTH_MAX} levels`);
    if (value === null || typeof value === 'boolean' || typeof value === 'string') continue;
    if (typeof value === 'number') {
      checkNumber(value, path);
      continue;
    }
    if (typeof value === 'bigint') {
      if (value > UINT64_MAX || value < NINT64_MIN) {
        throw new CborEncodeError('UNSUPPORTED_VALUE', path, `integer ${value} does not fit in 64 bits`);
      }
      continue;
    }
    if (value instanceof Uint8Array) continue;
    if (value instanceof Tagged) {
      checkTagged(value, path);
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((child, index) => pending.push({ value: child, path: `${path}[${index}]`, depth: depth + 1 }));
      continue;
    }
    if (value instanceof Map) {
      const seen = new Set<string>();
      for (const [key, child] of value) {
        if (!(typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint' || key instanceof Uint8Array)) {
          throw new CborEncodeError('UNSUPPORTED_VALUE', path, `a map key is ${key === null ? 'null' : Array.isArray(key) ? 'an array' : typeof key}; AIR map keys are integers, text or bytes`);
        }
        const identity = keyIdentity(key);
        if (seen.has(identity)) throw new CborEncodeError('DUPLICATE_KEY', path, `the map has the key ${String(key)} twice (as distinct objects or as number and bigint)`);
        seen.add(identity);
        pending.push({ value: key, path: `${path}<key>`, depth: depth + 1 });
        pending.push({ value: child, path: `${path}[${String(key)}]`, depth: depth + 1 });
      }
      continue;
    }
    if (typeof value === 'object' && isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) pending.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
      continue;
    }
    throw new CborEncodeError('UNSUPPORTED_VALUE', path, `${describe(value)} has no CBOR form in AgentOS`);
  }
}

function checkNumber(value: number, path: string): void {
  if (!Number.isFinite(value)) throw new CborEncodeError('FLOAT', path, `${value} is not a number AIR can hold`);
  if (!Number.isInteger(value)) throw new CborEncodeError('FLOAT', path, `${value} is a float; AIR values carry no floats (use dec128)`);
  if (!Number.isSafeInteger(value)) {
    throw new CborEncodeError('UNSUPPORTED_VALUE', path, `${value} is beyond 2^53 as a JS number and has lost precision; pass it as a bigint`);
  }
  if (Object.is(value, -0)) throw new CborEncodeError('FLOAT', path, '-0 is a float; use 0');
}

function checkTagged(value: Tagged, path: string): void {
  if (value.tag !== DEC128_TAG) throw new CborEncodeError('UNKNOWN_TAG', path, `tag ${value.tag} is not allowed; only ${DEC128_TAG} (dec128)`);
  if (!(value.value instanceof Uint8Array) || value.value.length !== DEC128_BYTES) {
    throw new CborEncodeError('BAD_TAG_CONTENT', path, `dec128 must wrap exactly ${DEC128_BYTES} bytes`);
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'object' && value !== null) return `an instance of ${value.constructor?.name ?? 'an unknown class'}`;
  return typeof value;
}

/** Keys equal in CBOR are equal here: 0 and 0n, and byte arrays with the same content. */
function keyIdentity(key: string | number | bigint | Uint8Array): string {
  if (typeof key === 'string') return `s${key}`;
  if (key instanceof Uint8Array) return `b${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex')}`;
  return `i${BigInt(key).toString()}`;
}
