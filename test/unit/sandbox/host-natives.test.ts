// Goal: modules hash with the host's SHA-256 (HASH_GLOBAL), which must give the CAS's names for
// any window of bytes, refuse what is not bytes, and charge what it hashes to the step's fuel, so
// a module cannot outrun its budget by hashing (even if it catches the refusal); and the SDK's
// UTF-8 functions, native in the runtime, give exactly what the SDK's own code gives: the same
// bytes for every text (lone surrogates as U+FFFD, a BOM kept), the same texts, and the same
// refusals of bytes that are not strict UTF-8 (overlongs, encoded surrogates, truncations).
// Method: the hasher and utf8-codec fixtures through the js runtime, compared with node:crypto,
// Buffer and the SDK's interpreted code (which the SDK uses outside the runtime); fast-check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeCanonical } from '../../../src/cbor/index.ts';
import { encodePureInput, NATIVE_BYTES_PER_TICK, loadModule } from '../../../src/sandbox/index.ts';
import { interpretedSha256 } from '../../../src/sdk/sha256.ts';
import { utf8Decode, utf8Encode } from '../../../src/sdk/utf8.ts';
import fc from 'fast-check';
import { fixtureBundle, inner } from './fixtures.ts';

const reference = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function hasher(fuelTicks?: number) {
  return loadModule((await fixtureBundle('hasher')).bytes, fuelTicks === undefined ? {} : { limits: { fuelTicks } });
}

function run(runtime: Awaited<ReturnType<typeof hasher>>, input: { bytes: Uint8Array; from?: number; repeat?: number; hostile?: boolean; swallow?: boolean }) {
  return runtime.run(encodePureInput({ input: inner({ from: 0, repeat: 1, hostile: false, swallow: false, ...input }) }));
}

test('the host sha256 names every window of bytes as the CAS does, as the interpreted one does', async () => {
  const runtime = await hasher();
  for (const length of [0, 1, 55, 56, 64, 1000, 70_000]) {
    const bytes = Uint8Array.from({ length }, (_, index) => (index * 131 + length) & 0xff);
    for (const from of [0, Math.min(3, length)]) {
      const result = run(runtime, { bytes, from });
      assert.equal(result.kind, 'ok', JSON.stringify(result));
      if (result.kind !== 'ok') return;
      const expected = reference(bytes.subarray(from));
      assert.deepEqual((decodeCanonical(result.output) as { hashes: string[] }).hashes, [expected], `length ${length} from ${from}`);
      if (length <= 1000) assert.equal(interpretedSha256(bytes.subarray(from)), expected);
    }
  }
});

test('the host sha256 refuses what is not bytes, with a message saying what it takes', async () => {
  const result = run(await hasher(), { bytes: new Uint8Array(1), hostile: true });
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  if (result.kind !== 'ok') return;
  const { refusals } = decodeCanonical(result.output) as { refusals: string[] };
  assert.equal(refusals.length, 5);
  for (const refusal of refusals) assert.match(refusal, /takes a Uint8Array/);
});

test('hashing is charged to fuel: a module that hashes past its budget fails over_limit, even when it catches the refusal', async () => {
  const bytes = new Uint8Array(NATIVE_BYTES_PER_TICK);
  for (const swallow of [false, true]) {
    const result = run(await hasher(5), { bytes, repeat: 50, swallow });
    assert.equal(result.kind, 'over_limit', `swallow ${swallow}: ${JSON.stringify(result)}`);
    if (result.kind === 'over_limit') assert.equal(result.limit, 'fuel');
  }
  const within = run(await hasher(5), { bytes, repeat: 3 });
  assert.equal(within.kind, 'ok', 'three ticks of hashing fit a budget of five');
});

test('the native UTF-8 codec gives what the SDK code gives, refusals included', async () => {
  const runtime = await loadModule((await fixtureBundle('utf8-codec')).bytes);
  const long = (text: string) => text.repeat(Math.ceil(300 / Math.max(1, text.length)));
  const texts = ['', 'ascii only', long('héllo wörld ✓ 𝄞 '), long('\uFEFFbom first'), long('lone \uD800 high'), long('lone \uDC00 low'), long('x')];
  const valid = texts.map((text) => new Uint8Array(Buffer.from(text, 'utf8')));
  const invalid = [Uint8Array.of(0xc0, 0xaf), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xe2, 0x82), Uint8Array.of(0xff)].map((bad) => {
    const bytes = new Uint8Array(300 + bad.length);
    bytes.fill(0x61);
    bytes.set(bad, 150);
    return bytes;
  });
  const result = runtime.run(encodePureInput({ input: inner({ texts, bytes: [...valid, ...invalid] }) }));
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  if (result.kind !== 'ok') return;
  const output = decodeCanonical(result.output) as { encoded: Uint8Array[]; decoded: Array<string | null>; errors: string[] };
  assert.deepEqual(output.encoded, texts.map((text) => utf8Encode(text)), 'the bytes the interpreted encoder gives');
  assert.deepEqual(output.encoded, texts.map((text) => new Uint8Array(Buffer.from(text, 'utf8'))), 'and TextEncoder\'s (a leading BOM kept)');
  assert.deepEqual(output.decoded.slice(0, valid.length), valid.map((bytes) => utf8Decode(bytes)), 'the texts the interpreted decoder gives');
  assert.deepEqual(output.decoded.slice(valid.length), [null, null, null, null], 'every invalid byte string is refused');
  for (const error of output.errors) assert.match(error, /not valid UTF-8/);
  for (const bytes of invalid) assert.throws(() => utf8Decode(bytes), /not valid UTF-8/, 'as the interpreted decoder refuses it');

  fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', minLength: 256, maxLength: 600 }), { maxLength: 4 }), (random) => {
    const ran = runtime.run(encodePureInput({ input: inner({ texts: random, bytes: random.map((text) => new Uint8Array(Buffer.from(text, 'utf8'))) }) }));
    if (ran.kind !== 'ok') return false;
    const out = decodeCanonical(ran.output) as { encoded: Uint8Array[]; decoded: string[] };
    return random.every((text, index) => Buffer.compare(Buffer.from(out.encoded[index]!), Buffer.from(utf8Encode(text))) === 0 && out.decoded[index] === utf8Decode(utf8Encode(text)));
  }), { numRuns: 50 });
});
