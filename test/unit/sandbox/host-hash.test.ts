// Goal: modules hash with the host's SHA-256 (HASH_GLOBAL), which must give the CAS's names for
// any window of bytes, refuse what is not bytes, and charge what it hashes to the step's fuel, so
// a module cannot outrun its budget by hashing (even if it catches the refusal).
// Method: the hasher fixture through the js runtime, compared with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeCanonical } from '../../../src/cbor/index.ts';
import { encodePureInput, HASH_BYTES_PER_TICK, loadModule } from '../../../src/sandbox/index.ts';
import { interpretedSha256 } from '../../../src/sdk/sha256.ts';
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
  const bytes = new Uint8Array(HASH_BYTES_PER_TICK);
  for (const swallow of [false, true]) {
    const result = run(await hasher(5), { bytes, repeat: 50, swallow });
    assert.equal(result.kind, 'over_limit', `swallow ${swallow}: ${JSON.stringify(result)}`);
    if (result.kind === 'over_limit') assert.equal(result.limit, 'fuel');
  }
  const within = run(await hasher(5), { bytes, repeat: 3 });
  assert.equal(within.kind, 'ok', 'three ticks of hashing fit a budget of five');
});
