// Goal: values cross the QuickJS edge exactly (protocol.ts): every AIR value kind comes back
// as the same canonical bytes in every output position; records whose keys look like markers
// round-trip; values with no AIR form fail the step with a message naming their path; the
// host's CBOR reader accepts exactly what decodeCanonical accepts; the envelope writers give
// encodeCanonical's bytes.
// Method: fast-check values stepped through the echo fixture, compared byte for byte with
// encodeCanonical; named cases for edges and refusals; random and mutated bytes fed to both
// readers. Failures print fast-check's seed and path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CborError, decodeCanonical, encodeCanonical, Tagged, toHex } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { encodePureInput, encodeWorkflowInput, loadModule, SandboxError } from '../../../src/sandbox/index.ts';
import type { ModuleRuntime } from '../../../src/sandbox/index.ts';
import { readWorkflowParts, workflowInputJson, workflowLayout } from '../../../src/sandbox/js/json-input.ts';
import { fixtureBundle, inner, stepInput } from './fixtures.ts';

const MARKER_LOOKING_KEYS = ['$bytes', '$int', '$dec128', '$map', '$$bytes', '$tag', '$value', '$', '{"$bytes":'];
const INT_EDGES = [0n, 1n, -1n, 23n, 24n, -24n, -25n, 255n, 256n, 65_535n, 65_536n, 2n ** 32n - 1n, 2n ** 32n,
  2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n), 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, -(2n ** 64n)];

/** The in-memory form of an integer: a number when safe, a bigint beyond. */
function integer(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const key = fc.oneof(text, fc.constantFrom(...MARKER_LOOKING_KEYS));
const scalar: fc.Arbitrary<CborValue> = fc.oneof(
  fc.constant(null), fc.boolean(), text, fc.uint8Array({ maxLength: 24 }),
  fc.constantFrom(...INT_EDGES).map(integer),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }).map(integer),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => new Tagged(2000, bytes)),
);
const mapKey: fc.Arbitrary<CborValue> = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.uint8Array({ maxLength: 4 }), text);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    fc.uniqueArray(fc.tuple(mapKey, tie('node')), { maxLength: 4, selector: ([item]) => toHex(inner(item)) })
      .filter((entries) => entries.some(([item]) => typeof item !== 'string'))
      .map((entries) => new Map(entries))),
})).node as fc.Arbitrary<CborValue>;

let echo: ModuleRuntime | undefined;
async function echoModule(): Promise<ModuleRuntime> {
  echo ??= await loadModule((await fixtureBundle('echo')).bytes);
  return echo;
}

function expectEcho(module: ModuleRuntime, item: CborValue): void {
  const expected = toHex(inner(item));
  const wrapped = toHex(inner([item]));
  const result = module.step(stepInput([item], 'test/Echo@1', item));
  assert.ok(result.kind === 'ok', JSON.stringify(result));
  const { output } = result;
  assert.equal(toHex(output.state ?? new Uint8Array()), wrapped, 'state');
  assert.equal(toHex(output.domain_events[0]?.value ?? new Uint8Array()), expected, 'event value');
  assert.equal(toHex(output.effects[0]?.params_cbor ?? new Uint8Array()), expected, 'effect params');
  assert.equal(toHex(output.ann ?? new Uint8Array()), expected, 'ann');
  assert.equal(toHex(encodeCanonical(decodeCanonical(result.bytes), { selfDescribe: false })), toHex(result.bytes), 'the envelope is canonical');
  const kept = module.step(stepInput([item], 'test/State@1', null));
  assert.ok(kept.kind === 'ok', JSON.stringify(kept));
  assert.equal(toHex(kept.output.state ?? new Uint8Array()), wrapped, 'the state read back');
}

test('every AIR value kind comes back as the same canonical bytes in state, events, effects and ann', async () => {
  const module = await echoModule();
  fc.assert(fc.property(value, (item) => expectEcho(module, item)), { numRuns: 400 });
});

test('integer edges, dec128, non-text map keys and marker-looking record keys round-trip', async () => {
  const module = await echoModule();
  for (const edge of INT_EDGES) expectEcho(module, { edge: integer(edge), list: [integer(edge)] });
  expectEcho(module, new Tagged(2000, Uint8Array.from({ length: 16 }, (_, index) => index)));
  expectEcho(module, new Map<CborValue, CborValue>([[1, 'one'], [-(5n ** 20n), Uint8Array.of(9)], [Uint8Array.of(1, 2), { $tag: 'Some', $value: 3 }]]));
  for (const name of MARKER_LOOKING_KEYS) {
    expectEcho(module, { [name]: 'x' });
    expectEcho(module, { [name]: [0, 1], other: Uint8Array.of(1) });
    expectEcho(module, { nested: { [name]: { [name]: 2n ** 60n } } });
  }
  expectEcho(module, { $bytes: [0, 0] });
  expectEcho(module, { $map: [[1, 2]], $int: '5' });
});

test('texts larger than the call buffer, and non-ASCII text, cross the edge intact', async () => {
  const module = await echoModule();
  expectEcho(module, { big: 'x'.repeat(200_000), mixed: `é${'😀'.repeat(7_000)}ß`, tail: 1 });
  expectEcho(module, { small: 'after a large one', emoji: '😀' });
});

test('floats, NaN, infinities, -0 and other values with no AIR form fail the step, naming the path', async () => {
  const module = await echoModule();
  const cases: ReadonlyArray<readonly [string, RegExp]> = [
    ['nan', /invalid output value at state\.a\[1\]: NaN is not an integer/],
    ['infinity', /at state\.big: Infinity is not an integer/],
    ['negative_zero', /at state\.zero: -0 is not an integer/],
    ['float', /at state\.half: 0\.5 is not an integer/],
    ['set', /a Set, which has no AIR form/],
    ['undefined_in_list', /at state\[1\]: undefined inside a list has no AIR form/],
    ['function', /a function, which has no AIR form/],
    ['too_big', /invalid output: state: integer 18446744073709551616 does not fit in 64 bits/],
    ['other_tag', /Tagged\(1\) value; only dec128/],
  ];
  for (const [name, pattern] of cases) {
    const result = module.step(stepInput(null, 'test/Bad@1', name));
    assert.equal(result.kind, 'trapped', `${name}: ${JSON.stringify(result)}`);
    assert.match(result.kind === 'trapped' ? result.message : '', pattern, name);
  }
  assert.equal(module.step(stepInput(1, 'test/Echo@1', 2)).kind, 'ok', 'the module is usable afterwards');
});

test('the host reader accepts exactly what decodeCanonical accepts, and refuses with INPUT_INVALID', () => {
  const canonical = value.map((item) => inner(item));
  const mutated = fc.tuple(canonical, fc.nat(), fc.integer({ min: 0, max: 255 }))
    .map(([bytes, at, byte]) => Uint8Array.from(bytes, (old, index) => (index === at % bytes.length ? byte : old)));
  const anyBytes = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 24 }), mutated, canonical.map((bytes) => bytes.subarray(0, -1)));
  fc.assert(fc.property(anyBytes, (bytes) => {
    let hostAccepts = true;
    try { decodeCanonical(bytes); } catch (error) { assert.ok(error instanceof CborError, String(error)); hostAccepts = false; }
    let readerAccepts = true;
    try { workflowInputJson(encodeWorkflowInput({ state: null, event: { schema: 's', value: bytes } })); } catch (error) {
      assert.ok(error instanceof SandboxError && error.code === 'INPUT_INVALID' && /envelope\.event\.value: CBOR decode error at byte/.test(error.message), String(error));
      readerAccepts = false;
    }
    assert.equal(readerAccepts, hostAccepts, toHex(bytes));
  }), { numRuns: 3_000 });
});

test('the reader of the canonical envelope layout finds the general reader\'s parts, and leaves anything else to it', () => {
  const bytes = fc.uint8Array({ maxLength: 300 });
  const envelope = fc.tuple(fc.option(bytes), fc.oneof(fc.stringMatching(/^[a-z]+\/[A-Za-z]+@[0-9]$/), fc.string(), fc.string({ unit: 'grapheme' })), bytes, fc.option(bytes), fc.option(bytes), fc.boolean())
    .map(([state, schema, eventValue, eventKey, ctx, prefixed]) => {
      const written = encodeWorkflowInput({ state, event: { schema, value: eventValue, ...(eventKey === null ? {} : { key: eventKey }) }, ...(ctx === null ? {} : { ctx }) });
      return prefixed ? Uint8Array.of(0xd9, 0xd9, 0xf7, ...written) : written;
    });
  const mutated = fc.tuple(envelope, fc.nat(), fc.integer({ min: 0, max: 255 }))
    .map(([written, at, byte]) => Uint8Array.from(written, (old, index) => (index === at % written.length ? byte : old)));
  const cut = fc.tuple(envelope, fc.nat()).map(([written, at]) => written.subarray(0, at % written.length));
  let found = 0;
  fc.assert(fc.property(fc.oneof({ arbitrary: envelope, weight: 2 }, mutated, cut), (written) => {
    const layout = workflowLayout(written);
    if (layout === null) return;
    found += 1;
    assert.deepEqual(layout, readWorkflowParts(written), toHex(written));
  }), { numRuns: 3_000 });
  assert.ok(found > 1_000, `the layout reader took ${found} of 3000 envelopes`);
  const plain = encodeWorkflowInput({ state: Uint8Array.of(0xa0), event: { schema: 'demo/Increment@1', value: Uint8Array.of(0xa0) } });
  assert.notEqual(workflowLayout(plain), null, 'a canonical envelope with an ASCII schema takes the layout reader');
});

test('the envelope writers give encodeCanonical\'s bytes', () => {
  const bytes = fc.uint8Array({ maxLength: 300 });
  fc.assert(fc.property(fc.option(bytes), fc.string(), bytes, fc.option(bytes), fc.option(bytes), (state, schema, eventValue, eventKey, ctx) => {
    const event = { schema, value: eventValue, ...(eventKey === null ? {} : { key: eventKey }) };
    const expected = { version: 1, state, event, ...(ctx === null ? {} : { ctx }) };
    assert.equal(toHex(encodeWorkflowInput({ state, event, ...(ctx === null ? {} : { ctx }) })), toHex(encodeCanonical(expected, { selfDescribe: false })));
    const pure = { version: 1, input: eventValue, ...(ctx === null ? {} : { ctx }) };
    assert.equal(toHex(encodePureInput({ input: eventValue, ...(ctx === null ? {} : { ctx }) })), toHex(encodeCanonical(pure, { selfDescribe: false })));
  }), { numRuns: 500 });
});

test('a toJSON in the output sees the key JSON.stringify gives it inside the output tuple', async () => {
  // A raw entry (no SDK), so that the state can be any object: the prelude prints the usual
  // [state, 0, 0] by a shortcut, which must not show.
  const source = `"use strict";
    class Keyed { toJSON(key) { return { seen: key }; } }
    globalThis.__aos_entry = Object.freeze({ kind: 'workflow', protocol: 2, Tagged: class Tagged {}, call: (wire) => {
      const kind = wire[3];
      if (kind === 'class') return [new Keyed(), 0, 0];
      if (kind === 'own') return [{ toJSON: (key) => ({ own: key }) }, 0, 0];
      const tuple = [{ plain: 1 }, 0, 0];
      tuple.toJSON = (key) => [{ tuple: key }, 0, 0];
      return tuple;
    } });`;
  const module = await loadModule(new TextEncoder().encode(source));
  const cases: ReadonlyArray<readonly [string, CborValue]> = [['class', { seen: '0' }], ['own', { own: '0' }], ['tuple', { tuple: '' }]];
  for (const [kind, state] of cases) {
    const result = module.step(stepInput(null, 'test/Keyed@1', kind));
    assert.ok(result.kind === 'ok', JSON.stringify(result));
    assert.equal(toHex(result.output.state ?? new Uint8Array()), toHex(inner(state)), kind);
  }
});

test('a bundle built against another runtime protocol is refused at load with a rebuild hint', async () => {
  const stale = new TextEncoder().encode('"use strict"; globalThis.__aos_entry = { kind: "workflow", call: (bytes) => bytes };');
  await assert.rejects(loadModule(stale), (error: unknown) => error instanceof SandboxError && error.code === 'MODULE_INIT_FAILED' && /another runtime protocol.*rebuild it with aos build/.test(error.message));
});
