// `npm run ladder [-- <slug>]`: runs each ladder world end to end on the embedded default,
// ends with replay-or-die, and prints `PASS <slug>` or `FAIL <slug>: <why>` per world.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LadderWorld } from './ladder-kit.ts';
import type { LadderDriver } from './ladder-kit.ts';

const ROOT = join(import.meta.dirname, '..');
const LADDER = join(ROOT, 'worlds/ladder');

/** The drivers of every ladder world (worlds/ladder/<slug>/ladder.ts), in slug order. */
export async function ladderDrivers(): Promise<LadderDriver[]> {
  const drivers: LadderDriver[] = [];
  for (const slug of readdirSync(LADDER).sort()) {
    const file = join(LADDER, slug, 'ladder.ts');
    if (!existsSync(file)) continue;
    drivers.push(((await import(pathToFileURL(file).href)) as { driver: LadderDriver }).driver);
  }
  return drivers;
}

/** Runs one driver; returns null when it passes, else why it failed. */
export async function runDriver(driver: LadderDriver): Promise<string | null> {
  let world: LadderWorld | undefined;
  try {
    world = await LadderWorld.start(join(ROOT, driver.world), driver.adapterKeys);
    await driver.run(world);
    await world.replayOrDie();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    world?.close();
  }
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const drivers = (await ladderDrivers()).filter((driver) => only === undefined || driver.slug === only);
  if (drivers.length === 0) {
    console.error(`no ladder world ${only ?? ''}; known: ${(await ladderDrivers()).map((driver) => driver.slug).join(', ')}`);
    process.exit(2);
  }
  let failed = 0;
  for (const driver of drivers) {
    const why = await runDriver(driver);
    if (why === null) console.log(`PASS ${driver.slug}`);
    else {
      failed += 1;
      console.log(`FAIL ${driver.slug}: ${why}`);
    }
  }
  console.log(`${drivers.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
