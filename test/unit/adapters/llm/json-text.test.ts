// Goal: the adapter's JSON writer is JSON.stringify for ordinary data, keeps integers beyond
// 2^53 exact (so tool arguments survive), refuses what JSON cannot hold, and bounds nesting.
// Method: fast-check properties against JSON.stringify and against cbor's exact JSON parser,
// plus named refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonText } from '../../../../src/adapters/llm/json-text.ts';
import { LLM_JSON_DEPTH_MAX } from '../../../../src/adapters/llm/limits.ts';
import { parseJsonExact } from '../../../../src/cbor/index.ts';

test('any JSON value is written exactly as JSON.stringify writes it', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
    const written = jsonText(value);
    assert.ok(written.ok);
    assert.equal(written.text, JSON.stringify(value));
  }), { numRuns: 2_000 });
});

test('big integers round-trip exactly through parseJsonExact', () => {
  const big = fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n });
  const data = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, big, fc.string(), fc.boolean(), fc.constant(null), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(fc.property(data, (value) => {
    const written = jsonText(value);
    assert.ok(written.ok);
    const back = parseJsonExact(written.text);
    const normalise = (item: unknown): unknown => JSON.parse(JSON.stringify(item, (_key, part: unknown) => (typeof part === 'bigint' ? `n${part}` : typeof part === 'number' ? `n${part}` : part)));
    assert.deepEqual(normalise(back), normalise(value));
  }), { numRuns: 1_000 });
});

test('values JSON cannot hold, and nesting past the limit, are refused with a reason', () => {
  const refusals: Array<[unknown, RegExp]> = [
    [{ bytes: new Uint8Array(2) }, /Uint8Array/],
    [[new Map()], /Map/],
    [{ x: Number.NaN }, /non-finite number \(NaN\)/],
    [[undefined], /undefined/],
  ];
  for (const [value, pattern] of refusals) {
    const written = jsonText(value);
    assert.ok(!written.ok);
    assert.match(written.reason, pattern);
  }
  let deep: unknown = 1;
  for (let level = 0; level <= LLM_JSON_DEPTH_MAX; level++) deep = [deep];
  const tooDeep = jsonText(deep);
  assert.ok(!tooDeep.ok);
  assert.match(tooDeep.reason, new RegExp(`deeper than ${LLM_JSON_DEPTH_MAX} levels`));
});
