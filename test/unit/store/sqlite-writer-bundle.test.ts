// Goal: shipped, the writer thread is the bundled file beside the code that starts it
// (package.json's build puts dist/sqlite-writer-thread.js beside dist/aos.js), and it runs in
// plain Node, without tsx; a bundle that leaves the thread out still works, writing inline.
// Method: bundle the writer thread and a small program that makes deferred writes into a temp
// dir inside the checkout (so external packages resolve), run the program with plain Node, with
// and without the thread file beside it, and read what it reports and what it wrote.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { build } from 'esbuild';
import { SqliteDatabase } from '../../../src/store/sqlite-database.ts';
import { BUNDLED_WRITER_FILE } from '../../../src/store/sqlite-writer.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const OPTIONS = { bundle: true, platform: 'node' as const, format: 'esm' as const, target: 'node20', packages: 'external' as const, logLevel: 'warning' as const, absWorkingDir: REPO };

const PROGRAM = `
import { SqliteDatabase } from ${JSON.stringify(join(REPO, 'src/store/sqlite-database.ts'))};
const database = SqliteDatabase.open(process.argv[2], undefined, { writerAfter: 0 });
database.exec('CREATE TABLE rows (n INTEGER PRIMARY KEY) STRICT');
for (let n = 0; n < 500; n += 1) database.writeLater([{ sql: 'INSERT INTO rows (n) VALUES (?)', parameters: [n], changes: 1 }]);
await database.synced();
const threaded = database.threaded;
const count = database.get('SELECT count(*) AS count FROM rows').count;
database.close();
console.log(JSON.stringify({ threaded, count }));
`;

test('the bundled writer thread runs in plain Node; without it, deferred writes run inline', async () => {
  const cache = join(REPO, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const directory = mkdtempSync(join(cache, 'aos-writer-'));
  try {
    const program = join(directory, 'program.mjs');
    await build({ ...OPTIONS, stdin: { contents: PROGRAM, resolveDir: REPO, loader: 'ts' }, outfile: program });
    const run = (file: string) => {
      const child = spawnSync(process.execPath, [program, file], { encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      return JSON.parse(child.stdout) as { threaded: boolean; count: number };
    };
    assert.deepEqual(run(join(directory, 'inline.sqlite3')), { threaded: false, count: 500 }, 'no thread file beside the bundle: inline');
    await build({ ...OPTIONS, entryPoints: [join(REPO, 'src/store/sqlite-writer-thread.ts')], outfile: join(directory, BUNDLED_WRITER_FILE) });
    const file = join(directory, 'threaded.sqlite3');
    assert.deepEqual(run(file), { threaded: true, count: 500 }, 'the bundled thread took the writes');
    const reopened = SqliteDatabase.open(file);
    try {
      assert.equal(reopened.all('SELECT n FROM rows').length, 500, 'and they are in the file');
    } finally {
      reopened.close();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
