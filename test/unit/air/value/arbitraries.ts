// fast-check generators for the typed-value properties: random TypeASTs and random values of them.
import fc from 'fast-check';
import { DEC128_TAG, Tagged, toHex } from '../../../../src/cbor/index.ts';
import type { CborValue } from '../../../../src/cbor/index.ts';
import type { MapKeyKind, PrimitiveKind, TypeAst } from '../../../../src/air/type-ast.ts';
import { MAP_KEY_KINDS, PRIMITIVE_KINDS } from '../../../../src/air/type-ast.ts';
import { packBid } from '../../../../src/air/value/dec128.ts';
import { cborHex } from './support.ts';

/** Names that stress the lens rules and plain-object pitfalls, plus ordinary ones. */
const NAMES = ['a', 'b', 'value', 'record', 'variant', 'map', 'null', 'text', '$tag', '$value', 'tag', '__proto__', 'constructor', 'é n'];

function own(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

function primitive(kind: PrimitiveKind): TypeAst {
  return own([[kind, {}]]) as unknown as TypeAst;
}

const namedTypes = (type: fc.Arbitrary<TypeAst>) => fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), type), { maxLength: 4, selector: ([name]) => name });

/** Random TypeASTs up to a few levels deep (no refs: refs are covered by hand-written tests). */
export const arbitraryType: fc.Arbitrary<TypeAst> = fc.letrec<{ type: TypeAst }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...PRIMITIVE_KINDS).map(primitive),
    namedTypes(tie('type')).map((fields) => ({ record: own(fields) }) as TypeAst),
    namedTypes(tie('type')).filter((alternatives) => alternatives.length > 0).map((alternatives) => ({ variant: own(alternatives) }) as TypeAst),
    tie('type').map((item) => ({ list: item })),
    tie('type').map((item) => ({ set: item })),
    tie('type').map((item) => ({ option: item })),
    fc.tuple(fc.constantFrom(...MAP_KEY_KINDS), tie('type')).map(([key, value]) => ({ map: { key: primitive(key), value } }) as TypeAst),
  ),
})).type;

const int64 = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n));
const nat64 = fc.oneof(fc.nat(1000), fc.bigInt(0n, 2n ** 64n - 1n));
const toValue = (value: number | bigint): CborValue => (typeof value === 'bigint' && Number.isSafeInteger(Number(value)) ? Number(value) : value);

const PRIMITIVE_VALUES: Record<PrimitiveKind, fc.Arbitrary<CborValue>> = {
  bool: fc.boolean(),
  int: int64.map(toValue),
  nat: nat64.map(toValue),
  time: nat64.map(toValue),
  duration: int64.map(toValue),
  dec128: fc.record({ negative: fc.boolean(), coefficient: fc.oneof(fc.bigInt(0n, 1000n), fc.bigInt(0n, 10n ** 34n - 1n)), exponent: fc.integer({ min: -6176, max: 6111 }) })
    .map((decimal) => new Tagged(DEC128_TAG, packBid(decimal))),
  bytes: fc.uint8Array({ maxLength: 12 }),
  text: fc.string({ unit: 'binary', maxLength: 6 }),
  hash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((digest) => `sha256:${toHex(digest)}`),
  uuid: fc.tuple(fc.uuid(), fc.boolean()).map(([uuid, upper]) => (upper ? uuid.toUpperCase() : uuid)),
  unit: fc.constant(null),
};

function kindOf(type: TypeAst): string {
  return Object.keys(type)[0] ?? '';
}

function bodyOf(type: TypeAst): unknown {
  return Object.values(type)[0];
}

/** Random in-memory values of a type, not yet canonical (valueFromCbor makes them so). */
export function arbitraryValue(type: TypeAst): fc.Arbitrary<CborValue> {
  const kind = kindOf(type);
  const body = bodyOf(type) as never;
  switch (kind) {
    case 'record': {
      const fields = Object.entries(body as Record<string, TypeAst>);
      return fc.tuple(...fields.map(([, field]) => arbitraryValue(field))).map((values) => own(fields.map(([name], index) => [name, values[index]])) as CborValue);
    }
    case 'variant':
      return fc.oneof(...Object.entries(body as Record<string, TypeAst>).map(([tag, alternative]) => arbitraryValue(alternative)
        .map((value) => (kindOf(alternative) === 'unit' ? { $tag: tag } : { $tag: tag, $value: value }))));
    case 'list': case 'set': return fc.array(arbitraryValue(body), { maxLength: 4 });
    case 'option': return fc.option(arbitraryValue(body), { nil: null });
    case 'map': {
      const { key, value } = body as { key: TypeAst; value: TypeAst };
      const keyKind = kindOf(key) as MapKeyKind;
      const keys = keyKind === 'uuid' ? fc.uuid() : PRIMITIVE_VALUES[keyKind];
      return fc.uniqueArray(fc.tuple(keys, arbitraryValue(value)), { maxLength: 4, selector: ([k]) => cborHex(k) })
        .map((entries) => (keyKind === 'text' ? own(entries as Array<[string, CborValue]>) as CborValue : new Map(entries)));
    }
    default: return PRIMITIVE_VALUES[kind as PrimitiveKind];
  }
}

/** JSON text of sugar or canonical JSON, bigints written as exact digits. */
export function toJsonText(json: unknown): string {
  if (typeof json === 'bigint') return json.toString();
  if (Array.isArray(json)) return `[${json.map((item: unknown) => toJsonText(item)).join(',')}]`;
  if (typeof json === 'object' && json !== null) {
    return `{${Object.entries(json).map(([key, value]) => `${JSON.stringify(key)}:${toJsonText(value)}`).join(',')}}`;
  }
  return JSON.stringify(json);
}
