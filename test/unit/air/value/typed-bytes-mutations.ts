// Mutations of canonical typed bytes for the checker's differential test: byte edits; value edits
// (out-of-range integers, case changes, a leading BOM, dec128 trailing zeros, reordered, repeated
// or dropped items, fields and tags) re-encoded canonically; and non-canonical encodings of the
// same value (long heads, indefinite lengths, unsorted or repeated keys, floats, foreign tags,
// broken UTF-8).
import fc from 'fast-check';
import { CborDecodeError, CborEncodeError, DEC128_TAG, decodeCanonical, encodeCanonical, Tagged } from '../../../../src/cbor/index.ts';
import type { CborValue } from '../../../../src/cbor/index.ts';
import { packBid } from '../../../../src/air/value/dec128.ts';

/** One mutation: which family, where in the bytes or value, and what to do there. */
export type Mutation = readonly [family: number, where: number, what: number];

export const arbitraryMutation: fc.Arbitrary<Mutation> = fc.tuple(fc.nat(2), fc.nat(), fc.nat());

/** The mutated bytes, or undefined when the mutation has no encodable result. */
export function mutate(bytes: Uint8Array, [family, where, what]: Mutation): Uint8Array | undefined {
  if (family === 0) return byteEdit(bytes, where, what);
  const value = decodedOrUndefined(bytes);
  if (value === undefined) return undefined;
  if (family === 1) return valueEdit(value, where, what);
  return looseEncoding(value, where, what);
}

/** Value and encoding edits start from decoded data; bytes that are not canonical CBOR get byte edits only. */
function decodedOrUndefined(bytes: Uint8Array): CborValue | undefined {
  try {
    return decodeCanonical(bytes);
  } catch (error) {
    if (error instanceof CborDecodeError) return undefined;
    throw error;
  }
}

function byteEdit(bytes: Uint8Array, where: number, what: number): Uint8Array {
  const at = where % bytes.length;
  const byte = (what >> 3) & 0xff;
  const out = Array.from(bytes);
  switch (what % 6) {
    case 0: out[at] = (out[at] ?? 0) ^ (byte === 0 ? 1 : byte); break;
    case 1: out[at] = byte; break;
    case 2: out.splice(at, 0, byte); break;
    case 3: out.splice(at, 1); break;
    case 4: out.length = at; break;
    default: out.push(byte);
  }
  return Uint8Array.from(out);
}

function own(entries: ReadonlyArray<readonly [string, CborValue]>): CborValue {
  const out: Record<string, CborValue> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

function isObject(value: CborValue): value is Readonly<Record<string, CborValue>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Map) && !(value instanceof Tagged);
}

/** Rebuilds a value, replacing the node numbered `target` (pre-order) by `edit(node)`; `counter.next` ends as the node count. */
function rebuild(value: CborValue, counter: { next: number }, target: number, edit: (node: CborValue) => CborValue): CborValue {
  const index = counter.next;
  counter.next += 1;
  if (index === target) return edit(value);
  if (Array.isArray(value)) return value.map((item: CborValue) => rebuild(item, counter, target, edit));
  if (value instanceof Map) return new Map([...value].map(([key, item]) => [key, rebuild(item, counter, target, edit)]));
  if (isObject(value)) return own(Object.entries(value).map(([key, item]) => [key, rebuild(item, counter, target, edit)] as const));
  return value;
}

function valueEdit(value: CborValue, where: number, what: number): Uint8Array | undefined {
  const counter = { next: 0 };
  rebuild(value, counter, -1, (node) => node);
  const edited = rebuild(value, { next: 0 }, where % counter.next, (node) => editNode(node, what));
  try {
    return encodeCanonical(edited, { selfDescribe: false });
  } catch (error) {
    if (error instanceof CborEncodeError) return undefined;
    throw error;
  }
}

function pick<T>(options: readonly T[], what: number): T {
  const option = options[(what >> 2) % options.length];
  if (option === undefined) throw new Error('no options');
  return option;
}

function integer(value: bigint): CborValue {
  return Number.isSafeInteger(Number(value)) && BigInt(Number(value)) === value ? Number(value) : value;
}

function editNode(node: CborValue, what: number): CborValue {
  if (typeof node === 'number' || typeof node === 'bigint') {
    const value = BigInt(node);
    return integer(pick([value + 1n, value - 1n, -value - 1n, 2n ** 63n, 2n ** 63n - 1n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, 0n, 2n ** 53n], what));
  }
  if (typeof node === 'string') return pick([node.toUpperCase(), node.toLowerCase(), `\uFEFF${node}`, `${node}x`, '', node.slice(1), '$tag', '__proto__'], what);
  if (typeof node === 'boolean') return pick<CborValue>([null, !node, 1], what);
  if (node === null) return pick<CborValue>([0, false, {}, []], what);
  if (node instanceof Uint8Array) return pick([Uint8Array.from([...node, 0]), new Uint8Array(), node.map((byte) => byte ^ 1)], what);
  if (node instanceof Tagged) return editDecimal(node, what);
  if (Array.isArray(node)) {
    const items: readonly CborValue[] = node;
    const [first = null, second = null, ...rest] = items;
    return pick<CborValue>([[second, first, ...rest], [first, ...items], items.slice(1), [...items].reverse(), [...items, items[items.length - 1] ?? null], []], what);
  }
  if (node instanceof Map) return editMap(node, what);
  return isObject(node) ? editObject(node, what) : node;
}

function editObject(node: Readonly<Record<string, CborValue>>, what: number): CborValue {
  const entries = Object.entries(node);
  const [first, ...rest] = entries;
  return pick<CborValue>([
    own(rest),
    own([...entries, ['zz', null]]),
    own(first === undefined ? [] : [['q', first[1]], ...rest]),
    own([...entries.filter(([key]) => key !== '$value'), ['$value', null]]),
    own([...entries.filter(([key]) => key !== '$tag'), ['$tag', 'nope']]),
    own(entries.filter(([key]) => key !== '$value')),
    own([...entries.filter(([key]) => key !== '$value'), ['$value', 0]]),
  ], what);
}

function editMap(node: ReadonlyMap<CborValue, CborValue>, what: number): CborValue {
  const entries = [...node];
  const [first] = entries;
  const bumped = first === undefined ? 0 : typeof first[0] === 'string' ? first[0].toUpperCase() : typeof first[0] === 'number' ? first[0] + 1 : 0;
  return pick<CborValue>([new Map(entries.slice(1)), new Map([...entries, [bumped, first?.[1] ?? null]]), new Map(entries.map(([key]) => [key, null]))], what);
}

/** Unpacks BID bytes to repack variants of the same decimal: trailing zeros, signed and scaled zeros. */
function editDecimal(node: Tagged, what: number): CborValue {
  const payload = node.value instanceof Uint8Array ? node.value : new Uint8Array(16);
  let bits = 0n;
  for (const byte of payload) bits = (bits << 8n) | BigInt(byte);
  const negative = bits >> 127n === 1n;
  const coefficient = bits & ((1n << 113n) - 1n);
  const exponent = Number((bits >> 113n) & 0x3fffn) - 6176;
  const widened = coefficient * 10n < 10n ** 34n && exponent > -6176 ? { negative, coefficient: coefficient * 10n, exponent: exponent - 1 } : { negative, coefficient, exponent };
  return pick<CborValue>([
    new Tagged(DEC128_TAG, packBid(widened)),
    new Tagged(DEC128_TAG, packBid({ negative: true, coefficient: 0n, exponent: 0 })),
    new Tagged(DEC128_TAG, packBid({ negative: false, coefficient: 0n, exponent: 3 })),
    new Tagged(DEC128_TAG, payload.map((byte, index) => (index === 15 ? byte ^ 1 : byte))),
    new Tagged(DEC128_TAG + 1, payload),
  ], what);
}

/** A head of `major` with `argument`, in its shortest form or, when `long`, one size longer. */
function head(major: number, argument: bigint, long: boolean): number[] {
  const sizes: ReadonlyArray<readonly [bigint, number, number]> = [[24n, 0, 0], [256n, 24, 1], [65_536n, 25, 2], [2n ** 32n, 26, 4], [2n ** 64n, 27, 8]];
  let size = sizes.findIndex(([limit]) => argument < limit);
  if (long && size < sizes.length - 1) size += 1;
  const [, info, width] = sizes[size] ?? [0n, 27, 8];
  if (width === 0) return [(major << 5) | Number(argument)];
  const out = [(major << 5) | info];
  for (let shift = (width - 1) * 8; shift >= 0; shift -= 8) out.push(Number((argument >> BigInt(shift)) & 0xffn));
  return out;
}

/** State of a loose encoding: the node counter, and which node to spoil how. */
interface Loose {
  next: number;
  readonly target: number;
  readonly what: number;
}

function looseEncoding(value: CborValue, where: number, what: number): Uint8Array {
  const counter: Loose = { next: 0, target: -1, what };
  encodeLoose(value, [], counter);
  const out: number[] = [];
  encodeLoose(value, out, { next: 0, target: where % counter.next, what });
  return Uint8Array.from(out);
}

const utf8 = new TextEncoder();

function encodeLoose(value: CborValue, out: number[], loose: Loose): void {
  const index = loose.next;
  loose.next += 1;
  const spoil = index === loose.target ? loose.what % 9 : -1;
  if (spoil === 8) out.push(0xd9, 0xd9, 0xf7); // the self-describe tag, inside or at the root
  if (spoil === 7) out.push(0xc6); // an unknown tag around the item
  if (typeof value === 'number' || typeof value === 'bigint') {
    const integer = BigInt(value);
    if (spoil === 1) {
      const float = new DataView(new ArrayBuffer(8));
      float.setFloat64(0, Number(value));
      out.push(0xfb, ...new Uint8Array(float.buffer));
    } else {
      out.push(...(integer >= 0n ? head(0, integer, spoil === 0) : head(1, -1n - integer, spoil === 0)));
    }
  } else if (typeof value === 'string') {
    encodeText(utf8.encode(value), out, spoil);
  } else if (typeof value === 'boolean') {
    out.push(spoil === 0 ? 0xf8 : 0xf4 + Number(value), ...(spoil === 0 ? [0x14 + Number(value)] : []));
  } else if (value === null) {
    out.push(...(spoil === 0 ? [0xf7] : spoil === 1 ? [0xf8, 0x16] : [0xf6]));
  } else if (value instanceof Uint8Array) {
    if (spoil === 4) out.push(0x5f, ...head(2, BigInt(value.length), false), ...value, 0xff);
    else out.push(...head(2, BigInt(value.length), spoil === 0), ...value);
  } else if (value instanceof Tagged) {
    const payload = value.value instanceof Uint8Array ? value.value : new Uint8Array();
    out.push(...head(6, BigInt(spoil === 1 ? value.tag + 1 : value.tag), spoil === 0), ...head(2, BigInt(payload.length), spoil === 2), ...payload);
  } else if (Array.isArray(value)) {
    encodeItems(value, out, loose, spoil);
  } else {
    encodeEntries(value instanceof Map ? [...value] : Object.entries(value), out, loose, spoil);
  }
}

function encodeText(encoded: Uint8Array, out: number[], spoil: number): void {
  const broken = [[], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf]][spoil] ?? [];
  const body = spoil === 5 ? [0xef, 0xbb, 0xbf, ...encoded] : [...encoded, ...broken];
  if (spoil === 4) out.push(0x7f, ...head(3, BigInt(body.length), false), ...body, 0xff);
  else out.push(...head(3, BigInt(body.length), spoil === 0), ...body);
}

function encodeItems(items: readonly CborValue[], out: number[], loose: Loose, spoil: number): void {
  const ordered = spoil === 1 ? [...items].reverse() : spoil === 2 && items.length > 0 ? [items[0] ?? null, ...items] : spoil === 3 ? items.slice(1) : items;
  out.push(...(spoil === 4 ? [0x9f] : head(4, BigInt(ordered.length), spoil === 0)));
  for (const item of ordered) encodeLoose(item, out, loose);
  if (spoil === 4) out.push(0xff);
}

function encodeEntries(entriesIn: ReadonlyArray<readonly [CborValue, CborValue]>, out: number[], loose: Loose, spoil: number): void {
  const sorted = entriesIn.map(([key, item]) => ({ key, item, bytes: encodeCanonical(key, { selfDescribe: false }) }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const entries = spoil === 1 ? sorted.reverse() : spoil === 2 && sorted.length > 0 ? [sorted[0], ...sorted] : spoil === 3 ? sorted.slice(1) : sorted;
  out.push(...(spoil === 4 ? [0xbf] : head(5, BigInt(entries.length), spoil === 0)));
  for (const entry of entries) {
    if (entry === undefined) continue;
    encodeLoose(entry.key, out, loose);
    encodeLoose(entry.item, out, loose);
  }
  if (spoil === 4) out.push(0xff);
}
