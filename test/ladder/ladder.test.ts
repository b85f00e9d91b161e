// Goal: every ladder world passes end to end on the embedded default and survives replay-or-die
// (reopen from snapshot + tail, replay from genesis and from every snapshot).
// Method: the same drivers `npm run ladder` runs (worlds/ladder/<slug>/ladder.ts), one test each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ladderDrivers, runDriver } from '../../scripts/ladder.ts';

for (const driver of await ladderDrivers()) {
  test(`ladder ${driver.slug}`, async () => {
    assert.equal(await runDriver(driver), null);
  });
}
