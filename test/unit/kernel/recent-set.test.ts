// Goal: the kernel's fence of recently settled intents holds exactly the last `countMax` distinct
// intents settled, forgetting the oldest first, as the Set it replaces did.
// Method: random sequences of adds (with repeats) against a plain array model (fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RecentSet } from '../../../src/kernel/recent-set.ts';

test('property: a recent set holds the last countMax distinct keys added', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (countMax, keys) => {
    const recent = new RecentSet<number>(countMax);
    const model: number[] = [];
    for (const key of keys) {
      recent.add(key);
      if (!model.includes(key)) {
        model.push(key);
        if (model.length > countMax) model.shift();
      }
      assert.equal(recent.size, model.length);
      for (let probe = 0; probe <= 20; probe += 1) assert.equal(recent.has(probe), model.includes(probe), `key ${probe} after adding ${key}`);
    }
  }), { numRuns: 500 });
});
