// CBOR data shown in AIR's canonical (tagged) JSON lens without a schema: the tag of each value
// is read off its CBOR major type. Records and text-keyed maps look alike in CBOR; they are
// shown as records.
import { isCborObject, Tagged } from '../../cbor/index.ts';
import type { CborValue } from '../../cbor/index.ts';
import { decodeDec128 } from './dec128.ts';

/** The tagged lens of untyped CBOR data: {"nat":1}, {"text":"a"}, {"list":[…]}, {"record":{…}}, … */
export function toTaggedLens(value: CborValue): unknown {
  if (value === null) return { null: {} };
  if (typeof value === 'boolean') return { bool: value };
  if (typeof value === 'number' || typeof value === 'bigint') return value >= 0 ? { nat: value } : { int: value };
  if (typeof value === 'string') return { text: value };
  if (value instanceof Uint8Array) return { bytes_b64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof Tagged) return { dec128: decodeDec128(value.value as Uint8Array) };
  if (Array.isArray(value)) return { list: value.map((item: CborValue) => toTaggedLens(item)) };
  if (value instanceof Map) return { map: [...value.entries()].map(([key, item]) => ({ key: toTaggedLens(key), value: toTaggedLens(item) })) };
  if (isCborObject(value)) {
    const record: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) record[key] = toTaggedLens(item);
    return { record };
  }
  return value;
}
