// Goal: inside the js runtime, the SDK's decodeCbor hands canonical bytes to the host's native
// decoder (CBOR_DECODE_GLOBAL), and a workflow cannot tell: every value comes back exactly as the
// SDK's own decoder gives it (Maps and objects, bigints and numbers, bytes, dec128, own
// "__proto__" keys, text with a BOM), and bytes the host does not take (not canonical, or not
// AIR at all) are decoded, or refused with the same message, by the SDK's decoder as before.
// Method: the cbor-decoder fixture in the runtime against the SDK's decoder on the host (where
// there is no native); random canonical values (fast-check) and hand-made non-canonical bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCanonical, encodeCanonical, Tagged } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { encodePureInput, loadModule } from '../../../src/sandbox/index.ts';
import { decodeCbor } from '../../../src/sdk/index.ts';
import { describeAirValue } from '../../fixtures/modules/describe-air-value.ts';
import { fixtureBundle, inner } from './fixtures.ts';

interface Decoded { readonly value: string | null; readonly error: string | null; readonly native: boolean }

async function decoder() {
  return loadModule((await fixtureBundle('cbor-decoder')).bytes);
}

function inRuntime(runtime: Awaited<ReturnType<typeof decoder>>, items: readonly Uint8Array[]): { decoded: Decoded[]; present: boolean } {
  const result = runtime.run(encodePureInput({ input: inner({ items: [...items] }) }));
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  if (result.kind !== 'ok') throw new Error('unreachable');
  return decodeCanonical(result.output) as unknown as { decoded: Decoded[]; present: boolean };
}

function onHost(bytes: Uint8Array): { value: string | null; error: string | null } {
  try {
    return { value: describeAirValue(decodeCbor(bytes)), error: null };
  } catch (error) {
    return { value: null, error: error instanceof Error ? error.message : String(error) };
  }
}

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', '$bytes', '$map', 'constructor', '\uFEFFbom'));
const value: fc.Arbitrary<CborValue> = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null), fc.boolean(), fc.maxSafeInteger(),
    fc.bigInt({ min: -(1n << 64n), max: (1n << 64n) - 1n }),
    fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 20 }), key,
    fc.uint8Array({ maxLength: 40 }),
    fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => new Tagged(2000, bytes) as CborValue),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    fc.uniqueArray(fc.tuple(fc.oneof(fc.integer(), fc.uint8Array({ maxLength: 4 }), fc.string({ maxLength: 4 })), tie('value')), { maxLength: 4, selector: ([entryKey]) => (entryKey instanceof Uint8Array ? `b${[...entryKey].join('.')}` : `${typeof entryKey}${String(entryKey)}`) })
      .map((entries) => new Map<CborValue, CborValue>(entries) as CborValue),
  ),
})).value;

test('canonical values: the native decoder takes them and gives exactly what the SDK decoder gives', async () => {
  const runtime = await decoder();
  fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 8 }), fc.boolean(), (values, prefixed) => {
    const items = values.map((item) => encodeCanonical(item, { selfDescribe: prefixed }));
    const { decoded, present } = inRuntime(runtime, items);
    assert.equal(present, true, 'the runtime has the native decoder');
    items.forEach((bytes, index) => {
      assert.deepEqual({ value: decoded[index]?.value, error: decoded[index]?.error }, onHost(bytes), `item ${index}`);
      assert.equal(decoded[index]?.native, true, `item ${index} was decoded natively`);
    });
  }), { numRuns: 300 });
});

test('bytes the host does not take are decoded or refused by the SDK decoder, as before', async () => {
  const nested = (depth: number) => Uint8Array.from([...Array.from({ length: depth }, () => 0x81), 0x00]);
  const cases: Array<[string, Uint8Array]> = [
    ['a non-shortest integer', Uint8Array.of(0x18, 0x05)],
    ['map keys out of order', Uint8Array.of(0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02)],
    ['a repeated key', Uint8Array.of(0xa2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02)],
    ['a float', Uint8Array.of(0xf9, 0x3c, 0x00)],
    ['undefined', Uint8Array.of(0xf7)],
    ['trailing bytes', Uint8Array.of(0x01, 0x02)],
    ['a truncated text', Uint8Array.of(0x63, 0x61)],
    ['an indefinite array', Uint8Array.of(0x9f, 0x01, 0xff)],
    ['another tag', Uint8Array.of(0xc1, 0x01)],
    ['invalid UTF-8', Uint8Array.of(0x62, 0xc0, 0xaf)],
    ['nothing', new Uint8Array(0)],
    ['only the self-describe prefix', Uint8Array.of(0xd9, 0xd9, 0xf7)],
    ['nesting past the limit', nested(257)],
  ];
  const { decoded } = inRuntime(await decoder(), cases.map(([, bytes]) => bytes));
  cases.forEach(([what, bytes], index) => {
    assert.deepEqual({ value: decoded[index]?.value, error: decoded[index]?.error }, onHost(bytes), what);
    assert.equal(decoded[index]?.native, false, `${what}: left to the SDK decoder`);
  });
  const deepest = inRuntime(await decoder(), [nested(256)]).decoded[0];
  assert.deepEqual({ value: deepest?.value, error: deepest?.error }, onHost(nested(256)), 'nesting at the limit');
  assert.equal(deepest?.native, true, 'nesting at the limit is taken natively');
});
