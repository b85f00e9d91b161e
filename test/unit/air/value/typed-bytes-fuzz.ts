// fast-check generators for the typed-bytes checker: random schemas (with refs, recursion and,
// on request, the shapes the checker declines or the walk refuses) and raw, not yet canonical,
// values of them.
import fc from 'fast-check';
import { DEC128_TAG, Tagged, toHex } from '../../../../src/cbor/index.ts';
import type { CborValue } from '../../../../src/cbor/index.ts';
import type { PrimitiveKind, TypeAst } from '../../../../src/air/type-ast.ts';
import { PRIMITIVE_KINDS } from '../../../../src/air/type-ast.ts';
import { packBid } from '../../../../src/air/value/dec128.ts';

/** Named schemas every generated type may refer to: chains, recursion through list and option. */
export const BASE_SCHEMAS: Readonly<Record<string, TypeAst>> = {
  'test/Nat@1': { nat: {} },
  'test/Alias@1': { ref: 'test/Nat@1' },
  'test/Uuid@1': { uuid: {} },
  'test/Unit@1': { unit: {} },
  'test/Tree@1': { record: { value: { int: {} }, children: { list: { ref: 'test/Tree@1' } } } },
  'test/Chain@1': { option: { record: { head: { text: {} }, tail: { ref: 'test/Chain@1' } } } },
  'test/Dangling@1': { ref: 'test/Missing@1' },
  'test/Cycle@1': { ref: 'test/Cycle2@1' },
  'test/Cycle2@1': { ref: 'test/Cycle@1' },
};

const PLAIN_REFS = ['test/Nat@1', 'test/Alias@1', 'test/Uuid@1', 'test/Unit@1', 'test/Tree@1', 'test/Chain@1'];
const BROKEN_REFS = ['test/Dangling@1', 'test/Cycle@1', 'test/Missing@1'];
/** Names that sort in every way canonical order can: by length first, then bytewise, ASCII and not. */
const PLAIN_NAMES = ['a', 'b', 'c', 'aa', 'ab', 'ba', 'id', '$tag', '$value', 'value', '1', '10', '2', 'é', '日本', 'x'.repeat(30)];
/** Names the checker declines (`__proto__`) or that cannot survive a UTF-8 round trip. */
const EXOTIC_NAMES = [...PLAIN_NAMES, '__proto__', 'constructor', '\uFEFFbom', 'lone\uD800'];

/** How wild the generated schemas are. */
export interface Flavour {
  /** Include names the checker declines, broken refs and invalid map key types. */
  readonly exotic: boolean;
}

function own(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

function primitive(kind: string): TypeAst {
  return own([[kind, {}]]) as unknown as TypeAst;
}

/** Random TypeASTs a few levels deep. */
export function arbitraryType(flavour: Flavour): fc.Arbitrary<TypeAst> {
  const names = flavour.exotic ? EXOTIC_NAMES : PLAIN_NAMES;
  const refs = flavour.exotic ? [...PLAIN_REFS, ...BROKEN_REFS] : PLAIN_REFS;
  const keyTypes: TypeAst[] = [{ int: {} }, { nat: {} }, { text: {} }, { uuid: {} }, { hash: {} }, { ref: 'test/Uuid@1' }, { ref: 'test/Alias@1' }];
  if (flavour.exotic) keyTypes.push({ bytes: {} }, { bool: {} }, { ref: 'test/Dangling@1' });
  const named = (type: fc.Arbitrary<TypeAst>) => fc.uniqueArray(fc.tuple(fc.constantFrom(...names), type), { maxLength: 5, selector: ([name]) => name });
  return fc.letrec<{ type: TypeAst }>((tie) => ({
    type: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...PRIMITIVE_KINDS).map(primitive),
      fc.constantFrom(...refs).map((ref): TypeAst => ({ ref })),
      named(tie('type')).map((fields) => ({ record: own(fields) }) as TypeAst),
      named(fc.oneof(fc.constant(primitive('unit')), tie('type'))).filter((alternatives) => alternatives.length > 0).map((alternatives) => ({ variant: own(alternatives) }) as TypeAst),
      tie('type').map((item): TypeAst => ({ list: item })),
      tie('type').map((item): TypeAst => ({ set: item })),
      tie('type').map((item): TypeAst => ({ option: item })),
      fc.tuple(fc.constantFrom(...keyTypes), tie('type')).map(([key, value]): TypeAst => ({ map: { key, value } })),
    ),
  })).type;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;
const EDGES = [0n, 1n, 23n, 24n, 255n, 256n, 65_535n, 65_536n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n, 2n ** 53n + 1n];

function integer(value: bigint): CborValue {
  return Number.isSafeInteger(Number(value)) && BigInt(Number(value)) === value ? Number(value) : value;
}

/** Integers of a range, its edges, and (rarely) just past them. */
function arbitraryInteger(min: bigint, max: bigint): fc.Arbitrary<CborValue> {
  const edges = [...EDGES, ...EDGES.map((edge) => -edge - 1n), min, max].filter((edge) => edge >= min && edge <= max);
  return fc.oneof(
    { arbitrary: fc.integer({ min: -30, max: 300 }).map((value) => BigInt(value)).filter((value) => value >= min), weight: 4 },
    { arbitrary: fc.constantFrom(...edges), weight: 3 },
    { arbitrary: fc.bigInt(min, max), weight: 3 },
    { arbitrary: fc.constantFrom(min - 1n, max + 1n), weight: 1 },
  ).map(integer);
}

/** Decimals as stored: trailing zeros, zeros with exponents, negative zero, and random bytes. */
const arbitraryDec128 = fc.oneof(
  fc.record({ negative: fc.boolean(), coefficient: fc.oneof(fc.bigInt(0n, 1000n), fc.bigInt(0n, 10n ** 34n - 1n)), exponent: fc.integer({ min: -6176, max: 6111 }) })
    .map((decimal) => new Tagged(DEC128_TAG, packBid(decimal))),
  fc.record({ negative: fc.boolean(), coefficient: fc.bigInt(1n, 99n), exponent: fc.integer({ min: -5, max: 5 }) })
    .map((decimal) => new Tagged(DEC128_TAG, packBid(decimal))),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => new Tagged(DEC128_TAG, bytes)),
);

const hexDigest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((digest) => toHex(digest));

const LEAF_VALUES: Record<PrimitiveKind, fc.Arbitrary<CborValue>> = {
  bool: fc.boolean(),
  int: arbitraryInteger(I64_MIN, I64_MAX),
  nat: arbitraryInteger(0n, U64_MAX),
  time: arbitraryInteger(0n, U64_MAX),
  duration: arbitraryInteger(I64_MIN, I64_MAX),
  dec128: arbitraryDec128,
  bytes: fc.uint8Array({ maxLength: 30 }),
  text: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.string({ maxLength: 40 }), fc.constantFrom('', '\uFEFFx', 'é', 'a', 'aa')),
  hash: fc.oneof({ arbitrary: hexDigest.map((hex) => `sha256:${hex}`), weight: 9 }, { arbitrary: hexDigest.map((hex) => `SHA256:${hex.toUpperCase()}`), weight: 1 }),
  uuid: fc.tuple(fc.uuid(), fc.nat(9)).map(([uuid, pick]) => (pick === 0 ? uuid.toUpperCase() : uuid)),
  unit: fc.constant(null),
};

function kindOf(type: TypeAst): string {
  return Object.keys(type).find((key) => key !== '$comment') ?? '';
}

function bodyOf(type: TypeAst): unknown {
  return (type as unknown as Record<string, unknown>)[kindOf(type)];
}

/** Follows refs in the table (undefined when broken); bounded so cycles end. */
function resolved(type: TypeAst, table: Readonly<Record<string, TypeAst>>): TypeAst | undefined {
  let node: TypeAst | undefined = type;
  for (let hops = 0; node !== undefined && kindOf(node) === 'ref'; hops += 1) {
    if (hops > 8) return undefined;
    const name = bodyOf(node) as string;
    node = Object.hasOwn(table, name) ? table[name] : undefined;
  }
  return node;
}

/** Recursion depth past which values take their smallest form (empty lists, none). */
const RECURSION_DEPTH_MAX = 5;

/** Raw values of a type: mostly valid, not canonical (unsorted sets, uppercase uuids, missing options, ...). */
export function arbitraryRaw(type: TypeAst, table: Readonly<Record<string, TypeAst>>, flavour: Flavour, depth = 0): fc.Arbitrary<CborValue> {
  const node = resolved(type, table);
  if (node === undefined) return fc.constantFrom<CborValue>(null, 0, 'x');
  const kind = kindOf(node);
  const body = bodyOf(node);
  const deeper = depth + 1;
  const small = depth >= RECURSION_DEPTH_MAX;
  switch (kind) {
    case 'record': {
      const fields = Object.entries(body as Record<string, TypeAst>);
      return fc.tuple(...fields.map(([, field]) => fc.tuple(arbitraryRaw(field, table, flavour, deeper), fc.nat(20)))).map((values) => own(fields.flatMap(([name, field], index) => {
        const [value, pick] = values[index] ?? [null, 0];
        // Option fields are often left out (the canonical form writes them as null); others rarely (MISSING_FIELD).
        const isOption = kindOf(resolved(field, table) ?? field) === 'option';
        const leftOut = isOption ? pick < 7 : pick === 0;
        return leftOut ? [] : [[name, value] as const];
      })) as CborValue);
    }
    case 'variant': {
      const alternatives = Object.entries(body as Record<string, TypeAst>);
      return fc.oneof(...alternatives.map(([tag, alternative]) => {
        const isUnit = kindOf(resolved(alternative, table) ?? alternative) === 'unit';
        if (isUnit) return fc.constantFrom<CborValue>({ $tag: tag }, { $tag: tag }, { $tag: tag, $value: null });
        return arbitraryRaw(alternative, table, flavour, deeper).map((value): CborValue => ({ $tag: tag, $value: value }));
      }));
    }
    case 'list': return small ? fc.constant([]) : fc.array(arbitraryRaw(body as TypeAst, table, flavour, deeper), { maxLength: 4 });
    case 'set': return small ? fc.constant([]) : fc.array(arbitraryRaw(body as TypeAst, table, flavour, deeper), { maxLength: 4 }).chain((items) => fc.boolean().map((repeat) => (repeat && items.length > 0 ? [...items, items[0] ?? null] : items)));
    case 'option': return small ? fc.constant(null) : fc.option(arbitraryRaw(body as TypeAst, table, flavour, deeper), { nil: null });
    case 'map': {
      const { key, value } = body as { key: TypeAst; value: TypeAst };
      const keyKind = kindOf(resolved(key, table) ?? key);
      const leafKeys = Object.hasOwn(LEAF_VALUES, keyKind) ? LEAF_VALUES[keyKind as PrimitiveKind] : fc.constant<CborValue>('k');
      // A text key `__proto__` is valid, and declined by the checker: only exotic cases hold one.
      // fast-check's strings favour `__proto__` too, so ordinary cases filter it out.
      const keys = keyKind !== 'text' ? leafKeys : flavour.exotic ? fc.oneof(leafKeys, fc.constant('__proto__')) : leafKeys.filter((item) => item !== '__proto__');
      if (small) return fc.constant(new Map());
      return fc.uniqueArray(fc.tuple(keys, arbitraryRaw(value, table, flavour, deeper)), { maxLength: 4, selector: ([item]) => typeof item === 'object' && item !== null ? toHex(item as Uint8Array) : `${typeof item}:${String(item)}` })
        .map((entries) => new Map(entries) as CborValue);
    }
    default: return Object.hasOwn(LEAF_VALUES, kind) ? LEAF_VALUES[kind as PrimitiveKind] : fc.constant(null);
  }
}
