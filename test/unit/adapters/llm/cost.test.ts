// Goal: cost_cents is exact arithmetic on the price table, rounded up to whole cents (so
// budgets are never undercharged), with cached prompt tokens priced apart and unknown models
// left without a cost; the secret guard redacts every copy of a key and nothing else.
// Method: hand-computed figures, and a property: the cost never falls below the exact value
// and never exceeds it by a cent or more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CostTable } from '../../../../src/adapters/llm/cost.ts';
import { LLM_SECRET_REDACT_CHARS_MIN } from '../../../../src/adapters/llm/limits.ts';
import { REDACTED, SecretGuard } from '../../../../src/adapters/llm/secret-guard.ts';

const usage = (prompt: number, completion: number, cacheRead: number | null = null, cacheWrite: number | null = null) =>
  ({ prompt, completion, total: null, reasoning: null, cacheRead, cacheWrite });

test('hand-computed costs', () => {
  const table = new CostTable({
    small: { inputCentsPerMillionTokens: 15, outputCentsPerMillionTokens: 60 },
    cached: { inputCentsPerMillionTokens: 300, outputCentsPerMillionTokens: 1500, cacheReadCentsPerMillionTokens: 30, cacheWriteCentsPerMillionTokens: 375 },
    fractional: { inputCentsPerMillionTokens: 7.5, outputCentsPerMillionTokens: 0.000001 },
  }, 'provider "test"');
  assert.equal(table.costCents('small', usage(0, 0)), 0);
  assert.equal(table.costCents('small', usage(1, 0)), 1, 'any spend is at least a cent');
  assert.equal(table.costCents('small', usage(1_000_000, 1_000_000)), 75);
  assert.equal(table.costCents('cached', usage(3_400_000, 200_000, 2_000_000, 400_000)), 810);
  assert.equal(table.costCents('fractional', usage(2_000_000, 1_000_000)), 16, '15 cents and a millionth, rounded up');
  assert.equal(table.costCents('unknown', usage(10, 10)), null);
});

test('the cost is the exact value rounded up: never less, and less than a cent more', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }),
    fc.integer({ min: 0, max: 100_000_000 }), fc.integer({ min: 0, max: 100_000_000 }),
    (prompt, completion, cached, inputMicro, outputMicro) => {
      const cacheRead = Math.min(cached, prompt);
      const table = new CostTable({ m: { inputCentsPerMillionTokens: inputMicro / 1e6, outputCentsPerMillionTokens: outputMicro / 1e6 } }, 'p');
      const cents = table.costCents('m', usage(prompt, completion, cacheRead));
      const exactTimes1e12 = BigInt(prompt) * BigInt(inputMicro) + BigInt(completion) * BigInt(outputMicro);
      assert.ok(cents !== null);
      assert.ok(BigInt(cents) * 10n ** 12n >= exactTimes1e12);
      assert.ok((BigInt(cents) - 1n) * 10n ** 12n < exactTimes1e12 || cents === 0);
    },
  ), { numRuns: 2_000 });
});

test('the guard redacts every copy of a key, in text and in bytes, and leaves placeholders alone', () => {
  const key = 'sk-live-0123456789abcdef';
  const guard = new SecretGuard(key);
  assert.equal(guard.text(`a ${key} b ${key}`), `a ${REDACTED} b ${REDACTED}`);
  const bytes = guard.bytes(new TextEncoder().encode(`${key}x${key}`));
  assert.equal(new TextDecoder().decode(bytes), `${REDACTED}x${REDACTED}`);
  assert.ok(!guard.appearsIn(bytes));
  const clean = new TextEncoder().encode('nothing here');
  assert.equal(guard.bytes(clean), clean, 'clean bytes are passed through untouched');
  const placeholder = 'x'.repeat(LLM_SECRET_REDACT_CHARS_MIN - 1);
  assert.equal(new SecretGuard(placeholder).text(`${placeholder}!`), `${placeholder}!`);
});
