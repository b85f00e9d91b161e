// Goal: the typed-bytes checker says true exactly when bytes are already what decode → check →
// encode would make of them (it may decline, never wrongly accept), and it vouches for the
// canonical bytes of every ordinary schema and value.
// Method: differential fast-check properties (seeded; a failure prints its seed and path) over
// random schemas with refs and recursion (typed-bytes-fuzz.ts) and mutations of their canonical
// bytes (typed-bytes-mutations.ts), compared with the full path; then hand-written vectors for
// every rule, each decline, and schema rebinding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CborEncodeError, CborError, decodeCanonical, encodeCanonical, fromHex, toHex } from '../../../../src/cbor/index.ts';
import type { CborValue } from '../../../../src/cbor/index.ts';
import { AirError } from '../../../../src/air/errors.ts';
import type { SchemaResolver, TypeAst } from '../../../../src/air/type-ast.ts';
import { CHECKERS_PER_RESOLVER_MAX, typedBytesChecker, valueFromCbor } from '../../../../src/air/value/index.ts';
import { arbitraryRaw, arbitraryType, BASE_SCHEMAS } from './typed-bytes-fuzz.ts';
import type { Flavour } from './typed-bytes-fuzz.ts';
import { arbitraryMutation, mutate } from './typed-bytes-mutations.ts';
import { schemasOf } from './support.ts';

const ROOT = 'test/Root@1';

/** The full path: strict decode, check against the schema, canonical encode; or the AirError/CborError it refuses with. */
function fullPath(bytes: Uint8Array, type: TypeAst, schemas: SchemaResolver): Uint8Array | Error {
  try {
    return encodeCanonical(valueFromCbor(decodeCanonical(bytes), type, schemas, {}), { selfDescribe: false });
  } catch (error) {
    if (error instanceof AirError || error instanceof CborError) return error;
    throw error;
  }
}

/** The property every answer must have: true only for bytes the full path gives back unchanged. */
function assertSound(bytes: Uint8Array, type: TypeAst, schemas: SchemaResolver): boolean {
  if (!typedBytesChecker(type, schemas)(bytes)) return false;
  const full = fullPath(bytes, type, schemas);
  assert.ok(!(full instanceof Error), `checker accepted ${toHex(bytes)}, which the full path refuses: ${full instanceof Error ? full.message : ''}`);
  assert.equal(toHex(full), toHex(bytes), 'checker accepted bytes the full path changes');
  return true;
}

/** Canonical CBOR of a raw value, or undefined when it has none (an integer past 64 bits). */
function encodedOrUndefined(raw: CborValue): Uint8Array | undefined {
  try {
    return encodeCanonical(raw, { selfDescribe: false });
  } catch (error) {
    if (error instanceof CborEncodeError) return undefined;
    throw error;
  }
}

/** A random schema (named ROOT in its table, asked for by ref or directly) and a raw value of it. */
function typedCase(flavour: Flavour) {
  return fc.tuple(arbitraryType(flavour), fc.boolean()).chain(([type, byRef]) => {
    const table = { ...BASE_SCHEMAS, [ROOT]: type };
    const asked: TypeAst = byRef ? { ref: ROOT } : type;
    return fc.tuple(fc.constant(table), fc.constant(asked), arbitraryRaw(type, table, flavour));
  });
}

const counts = { canonical: 0, mutants: 0, mutantsAccepted: 0 };

test('ordinary schemas: the canonical bytes of every value are vouched for, raw bytes only when already canonical', (context) => {
  fc.assert(fc.property(typedCase({ exotic: false }), ([table, type, raw]) => {
    const schemas = schemasOf(table);
    const rawBytes = encodedOrUndefined(raw);
    if (rawBytes === undefined) return;
    assertSound(rawBytes, type, schemas);
    const canonical = fullPath(rawBytes, type, schemas);
    if (canonical instanceof Error) return;
    counts.canonical += 1;
    assert.ok(typedBytesChecker(type, schemas)(canonical), `declined canonical bytes ${toHex(canonical)}`);
  }), { numRuns: 5_000 });
  assert.ok(counts.canonical > 2_500, `only ${counts.canonical} of 5000 raw values were valid; the generator drifted`);
  context.diagnostic(`${counts.canonical} valid values, all vouched for`);
});

test('any schema, mutated canonical bytes: whatever the checker accepts, the full path gives back unchanged', (context) => {
  const mutations = fc.array(arbitraryMutation, { minLength: 15, maxLength: 15 });
  fc.assert(fc.property(typedCase({ exotic: true }), mutations, ([table, type, raw], edits) => {
    const schemas = schemasOf(table);
    const rawBytes = encodedOrUndefined(raw);
    if (rawBytes === undefined) return;
    assertSound(rawBytes, type, schemas);
    const canonical = fullPath(rawBytes, type, schemas);
    const base = canonical instanceof Error ? rawBytes : canonical;
    assertSound(base, type, schemas);
    for (const edit of edits) {
      const mutant = mutate(base, edit);
      if (mutant === undefined || mutant.length === 0) continue;
      counts.mutants += 1;
      if (assertSound(mutant, type, schemas)) counts.mutantsAccepted += 1;
    }
  }), { numRuns: 4_000 });
  assert.ok(counts.mutants > 50_000, `only ${counts.mutants} mutants`);
  // Many mutants stay valid (an edited int in range, a reordered list): the property must see both answers.
  assert.ok(counts.mutantsAccepted > 2_000, `only ${counts.mutantsAccepted} mutants accepted`);
  context.diagnostic(`${counts.mutants} mutants, ${counts.mutantsAccepted} vouched for and confirmed by the full path`);
});

const NAT: TypeAst = { nat: {} };
const CELL: TypeAst = { record: { cell: { text: {} }, inc: NAT } };
const AB: TypeAst = { variant: { A: { unit: {} }, B: NAT, U: { ref: 'x/Unit@1' } } };
const TABLE: Record<string, TypeAst> = {
  'x/Unit@1': { unit: {} },
  'x/Uuid@1': { uuid: {} },
  'x/Loop@1': { ref: 'x/Loop2@1' },
  'x/Loop2@1': { ref: 'x/Loop@1' },
  'x/Chain@1': { option: { record: { head: NAT, tail: { ref: 'x/Chain@1' } } } },
};
const UUID_LOWER = '782430653961326334642d316233662d346135652d386337642d396630613162326333643465';
const UUID_UPPER = '782430453941324334442d314233462d344135452d384337442d394630413142324333443445';
const HASH_LOWER = `78477368613235363a${'6162'.repeat(32)}`;
const HASH_UPPER = `78477368613235363a${'4142'.repeat(32)}`;

/** Checker answer, and the full path's bytes or failure ("error" for a CborError, "error CODE" for an AirError). */
function both(hex: string, type: TypeAst): { vouched: boolean; full: string } {
  const schemas = schemasOf(TABLE);
  const bytes = fromHex(hex);
  const full = fullPath(bytes, type, schemas);
  const shown = full instanceof AirError ? `error ${full.code}` : full instanceof Error ? 'error' : toHex(full);
  return { vouched: typedBytesChecker(type, schemas)(bytes), full: shown };
}

/** [label, type, input hex, vouched, full path result ('=' for the input itself)] */
const VECTORS: ReadonlyArray<readonly [string, TypeAst, string, boolean, string]> = [
  ['record {cell, inc}: keys by length, then bytes', CELL, 'a263696e63016463656c6c6161', true, '='],
  ['record keys out of order', CELL, 'a26463656c6c616163696e6301', false, 'error'],
  ['record field missing', CELL, 'a163696e6301', false, 'error MISSING_FIELD'],
  ['record field undeclared', CELL, 'a3617a0063696e63016463656c6c6161', false, 'error UNKNOWN_FIELD'],
  ['nat in a long head', CELL, 'a263696e6318016463656c6c6161', false, 'error'],
  ['option field left out: canonical form writes null', { record: { a: { option: NAT } } }, 'a0', false, 'a16161f6'],
  ['option field null', { record: { a: { option: NAT } } }, 'a16161f6', true, '='],
  ['option field present', { record: { a: { option: NAT } } }, 'a1616107', true, '='],
  ['field `__proto__`: valid, declined', { record: Object.defineProperty({}, '__proto__', { value: NAT, enumerable: true }) }, 'a1695f5f70726f746f5f5f01', false, '='],
  ['uuid lowercase', { uuid: {} }, UUID_LOWER, true, '='],
  ['uuid uppercase: lowered', { uuid: {} }, UUID_UPPER, false, UUID_LOWER],
  ['hash lowercase', { hash: {} }, HASH_LOWER, true, '='],
  ['hash uppercase', { hash: {} }, HASH_UPPER, false, 'error BAD_HASH'],
  ['dec128 1.5', { dec128: {} }, 'd907d050303e000000000000000000000000000f', true, '='],
  ['dec128 1.0: trailing zero stripped', { dec128: {} }, 'd907d050303e000000000000000000000000000a', false, 'd907d05030400000000000000000000000000001'],
  ['dec128 -0: zero is +0', { dec128: {} }, 'd907d050b0400000000000000000000000000000', false, 'd907d05030400000000000000000000000000000'],
  ['dec128 payload of 15 bytes', { dec128: {} }, 'd907d04f30400000000000000000000000000000', false, 'error'],
  ['int 2^63 − 1', { int: {} }, '1b7fffffffffffffff', true, '='],
  ['int −2^63', { int: {} }, '3b7fffffffffffffff', true, '='],
  ['int 2^63', { int: {} }, '1b8000000000000000', false, 'error OUT_OF_RANGE'],
  ['int −2^63 − 1', { int: {} }, '3b8000000000000000', false, 'error OUT_OF_RANGE'],
  ['nat 2^64 − 1', NAT, '1bffffffffffffffff', true, '='],
  ['nat 2^32 in 8 bytes', NAT, '1b0000000100000000', true, '='],
  ['nat 2^32 − 1 in 8 bytes', NAT, '1b00000000ffffffff', false, 'error'],
  ['nat −1', NAT, '20', false, 'error OUT_OF_RANGE'],
  ['time −1', { time: {} }, '20', false, 'error OUT_OF_RANGE'],
  ['duration −1', { duration: {} }, '20', true, '='],
  ['integer as a float', NAT, 'fb3ff0000000000000', false, 'error'],
  ['text "é"', { text: {} }, '62c3a9', true, '='],
  ['text with invalid UTF-8', { text: {} }, '62c328', false, 'error'],
  ['text with an encoded surrogate', { text: {} }, '63eda080', false, 'error'],
  ['text with an overlong form', { text: {} }, '62c0af', false, 'error'],
  ['text with a leading BOM: it is kept', { text: {} }, '64efbbbf61', true, '='],
  ['text with an inner BOM', { text: {} }, '6461efbbbf', true, '='],
  ['bytes', { bytes: {} }, '43010203', true, '='],
  ['bool', { bool: {} }, 'f5', true, '='],
  ['undefined', { bool: {} }, 'f7', false, 'error'],
  ['unit', { unit: {} }, 'f6', true, '='],
  ['variant unit alternative {$tag}', AB, 'a164247461676141', true, '='],
  ['variant unit alternative with $value null: dropped', AB, 'a264247461676141662476616c7565f6', false, 'a164247461676141'],
  ['variant unit alternative through a ref', AB, 'a164247461676155', true, '='],
  ['variant with a payload', AB, 'a264247461676142662476616c756505', true, '='],
  ['variant payload missing', AB, 'a164247461676142', false, 'error MISSING_FIELD'],
  ['variant tag unknown', AB, 'a164247461676143', false, 'error UNKNOWN_VARIANT'],
  ['set in order', { set: NAT }, '820102', true, '='],
  ['set out of order: sorted', { set: NAT }, '820201', false, '820102'],
  ['set with a repeat: deduplicated', { set: NAT }, '820101', false, '8101'],
  ['set of uuids, one uppercase', { set: { uuid: {} } }, `82${UUID_UPPER}${UUID_LOWER}`, false, `81${UUID_LOWER}`],
  ['list out of order', { list: NAT }, '820201', true, '='],
  ['map: uint keys before negint', { map: { key: { int: {} }, value: { unit: {} } } }, 'a201f620f6', true, '='],
  ['map keys out of order', { map: { key: { int: {} }, value: { unit: {} } } }, 'a220f601f6', false, 'error'],
  ['map keyed by a ref to uuid', { map: { key: { ref: 'x/Uuid@1' }, value: NAT } }, `a1${UUID_LOWER}01`, true, '='],
  ['map keyed by uppercase uuids: lowered', { map: { key: { ref: 'x/Uuid@1' }, value: NAT } }, `a1${UUID_UPPER}01`, false, `a1${UUID_LOWER}01`],
  ['map key `__proto__`: valid, declined', { map: { key: { text: {} }, value: { unit: {} } } }, 'a1695f5f70726f746f5f5ff6', false, '='],
  ['map keyed by bytes, even empty', { map: { key: { bytes: {} }, value: NAT } }, 'a0', false, 'error BAD_MAP_KEY'],
  ['self-describe prefix: the result has none', NAT, 'd9d9f701', false, '01'],
  ['trailing bytes', NAT, '0100', false, 'error'],
  ['empty input', NAT, '', false, 'error'],
  ['dangling ref', { ref: 'x/Missing@1' }, '01', false, 'error DANGLING_REF'],
  ['cycle of refs', { ref: 'x/Loop@1' }, '01', false, 'error RECURSIVE_SCHEMA'],
  ['empty list of a dangling ref: never resolved', { list: { ref: 'x/Missing@1' } }, '80', true, '='],
  ['recursive schema', { ref: 'x/Chain@1' }, 'a2646865616401647461696ca2646865616402647461696cf6', true, '='],
];

test('hand-written vectors: each rule, each decline', () => {
  for (const [label, type, hex, vouched, full] of VECTORS) {
    assert.deepEqual(both(hex, type), { vouched, full: full === '=' ? hex : full }, label);
  }
});

/** The canonical bytes of a Chain of `length` links (each link nests two levels: the option's record and its field). */
function chainBytes(length: number): Uint8Array {
  let value: CborValue = null;
  for (let link = 0; link < length; link += 1) value = { head: link, tail: value };
  return encodeCanonical(value, { selfDescribe: false });
}

test('values nested past CHECK_DEPTH_MAX are declined, and left to the full path', () => {
  const schemas = schemasOf(TABLE);
  const chain: TypeAst = { ref: 'x/Chain@1' };
  const shallow = chainBytes(31); // 62 levels
  const deep = chainBytes(40); // 80 levels: within VALUE_DEPTH_MAX, past CHECK_DEPTH_MAX
  assert.equal(typedBytesChecker(chain, schemas)(shallow), true);
  assert.equal(typedBytesChecker(chain, schemas)(deep), false);
  assert.equal(toHex(fullPath(deep, chain, schemas) as Uint8Array), toHex(deep));
});

test('field and tag names that would not survive a UTF-8 round trip never match', () => {
  const schemas = schemasOf();
  for (const name of ['lone\uD800']) {
    const record: TypeAst = { record: Object.defineProperty({}, name, { value: { option: NAT }, enumerable: true }) };
    const filled = encodeCanonical({ [name]: null }, { selfDescribe: false });
    assert.equal(typedBytesChecker(record, schemas)(filled), false, name);
    assert.ok(fullPath(filled, record, schemas) instanceof Error, name);
    const variant: TypeAst = { variant: Object.defineProperty({}, name, { value: { unit: {} }, enumerable: true }) };
    const tagged = encodeCanonical({ $tag: name }, { selfDescribe: false });
    assert.equal(typedBytesChecker(variant, schemas)(tagged), false, name);
    assert.ok(fullPath(tagged, variant, schemas) instanceof Error, name);
  }
});

test('a rebound name makes a held checker decline, and the next lookup compiles the new schema', () => {
  const table = new Map<string, TypeAst>([['x/A@1', NAT], ['x/Wrap@1', { list: { ref: 'x/A@1' } }]]);
  const schemas: SchemaResolver = { resolve: (name) => table.get(name) };
  const wrapped: TypeAst = { ref: 'x/Wrap@1' };
  const held = typedBytesChecker(wrapped, schemas);
  assert.equal(held(fromHex('8101')), true);
  assert.equal(typedBytesChecker(wrapped, schemas), held, 'cached while nothing changed');
  table.set('x/A@1', { text: {} }); // a nested name, not the one asked for
  assert.equal(held(fromHex('8101')), false);
  assert.equal(held(fromHex('816161')), false, 'stale: declines everything');
  const fresh = typedBytesChecker(wrapped, schemas);
  assert.notEqual(fresh, held);
  assert.equal(fresh(fromHex('8101')), false);
  assert.equal(fresh(fromHex('816161')), true);
});

test('a resolver that answers with fresh objects gets a checker that always declines', () => {
  const schemas: SchemaResolver = { resolve: (name) => (name === 'x/A@1' ? { nat: {} } : undefined) };
  assert.equal(typedBytesChecker({ ref: 'x/A@1' }, schemas)(fromHex('01')), false);
  assert.equal(toHex(fullPath(fromHex('01'), { ref: 'x/A@1' }, schemas) as Uint8Array), '01');
});

test('checkers are cached per resolver: by name for refs, by object otherwise, the oldest names evicted', () => {
  const schemas = schemasOf(Object.fromEntries(Array.from({ length: CHECKERS_PER_RESOLVER_MAX + 1 }, (_, index) => [`x/N${index}@1`, NAT])));
  const first = typedBytesChecker({ ref: 'x/N0@1' }, schemas);
  assert.equal(typedBytesChecker({ ref: 'x/N0@1' }, schemas), first, 'any {ref} object of the name');
  assert.notEqual(typedBytesChecker({ ref: 'x/N0@1' }, schemasOf({ 'x/N0@1': NAT })), first, 'not across resolvers');
  const list: TypeAst = { list: NAT };
  assert.equal(typedBytesChecker(list, schemas), typedBytesChecker(list, schemas));
  for (let index = 1; index <= CHECKERS_PER_RESOLVER_MAX; index += 1) typedBytesChecker({ ref: `x/N${index}@1` }, schemas);
  const again = typedBytesChecker({ ref: 'x/N0@1' }, schemas);
  assert.notEqual(again, first, 'evicted, compiled again');
  assert.equal(again(fromHex('01')), true);
});

test('dec128: the checker is exact, vouching for precisely the payloads canonicalisation leaves alone', () => {
  const coefficient = fc.oneof(fc.bigInt(0n, 1000n), fc.bigInt(0n, 10n ** 34n - 1n), fc.constantFrom(10n ** 34n - 1n, 10n ** 34n - 10n, 10n ** 33n, 10n ** 34n, 2n ** 113n - 1n));
  const exponent = fc.oneof(fc.integer({ min: -6176, max: 6111 }), fc.constantFrom(-6176, 0, 6110, 6111));
  const payload = fc.oneof(
    fc.record({ negative: fc.boolean(), coefficient, exponent }).map((decimal) => {
      // packBid masks nothing: a coefficient past 113 bits is cut here the way the bytes would be.
      const bits = (decimal.negative ? 1n << 127n : 0n) | (BigInt(decimal.exponent + 6176) << 113n) | (decimal.coefficient & ((1n << 113n) - 1n));
      return fromHex(bits.toString(16).padStart(32, '0'));
    }),
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
    fc.tuple(fc.constantFrom(0x60, 0x78, 0x7c, 0x7e, 0xf8, 0x5f), fc.uint8Array({ minLength: 15, maxLength: 15 })).map(([top, rest]) => Uint8Array.from([top, ...rest])),
  );
  const schemas = schemasOf();
  const type: TypeAst = { dec128: {} };
  fc.assert(fc.property(payload, (bytes) => {
    const item = fromHex(`d907d050${toHex(bytes)}`);
    const full = fullPath(item, type, schemas);
    const unchanged = !(full instanceof Error) && toHex(full) === toHex(item);
    assert.equal(typedBytesChecker(type, schemas)(item), unchanged, toHex(bytes));
  }), { numRuns: 20_000 });
});
