// Canonical order of set elements and map keys: bytewise over their canonical CBOR (RFC 8949 §4.2.1).
import { encodeCanonical } from '../../cbor/index.ts';
import type { CborValue } from '../../cbor/index.ts';

/** An item with the canonical bytes it is ordered by. */
interface Ordered<T> {
  readonly item: T;
  readonly bytes: Uint8Array;
}

/** Items sorted by the canonical CBOR bytes of their keys; equal keys end up next to each other. */
export function sortByCanonicalBytes<T>(items: readonly T[], keyOf: (item: T) => CborValue): Array<Ordered<T>> {
  const ordered = items.map((item) => ({ item, bytes: encodeCanonical(keyOf(item), { selfDescribe: false }) }));
  ordered.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  return ordered;
}

/** True when two byte strings are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
