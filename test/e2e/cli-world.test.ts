// Goal: the world commands work as a new user runs them on the embedded default: create, send,
// state, cells, journal tail, replay --verify; bad input gets a clear error and loses nothing;
// a flipped byte in the journal or in a CAS file is detected on open, naming the height or hash.
// Method: spawn bin/aos.js on copies of the ladder worlds; corrupt the SQLite row and a CAS file
// through the store's own files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const ROOT = join(import.meta.dirname, '../..');

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function copy(world: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'aos-world-'));
  cpSync(join(ROOT, 'worlds/ladder', world), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
  return dir;
}

test('create, send, state, cells, tail and replay --verify on the counter world', () => {
  const dir = copy('00-counter');
  try {
    const created = aos('world', 'create', '--root', dir, '--json');
    assert.equal(created.code, 0, created.stderr);
    assert.match((JSON.parse(created.stdout) as { manifest: string }).manifest, /^sha256:/);
    assert.equal(aos('world', 'create', '--root', dir).code, 1, 'a second create is refused');
    assert.equal(aos('world', 'send', '--root', dir, '--schema', 'demo/CounterEvent@1', '--value-json', '{"Start":{"target":2}}').code, 0);
    assert.equal(aos('world', 'send', '--root', dir, '--schema', 'demo/CounterEvent@1', '--value-json', '{"$tag":"Tick"}').code, 0);
    const state = aos('world', 'state', '--root', dir, 'demo/CounterSM@1', '--json');
    assert.deepEqual((JSON.parse(state.stdout) as { state: unknown }).state, { pc: 'Counting', remaining: 1 });
    const tail = JSON.parse(aos('journal', 'tail', '--root', dir, '--json').stdout) as { records: Array<{ kind: string; height: number; summary: unknown }> };
    for (const record of tail.records) assert.ok(typeof record.summary === 'string' && !record.summary.includes('undefined'), `a readable summary for ${record.kind}`);
    assert.deepEqual(tail.records.map((record) => record.kind), ['manifest', 'trusted_keys', 'domain_event', 'domain_event']);
    const only = JSON.parse(aos('journal', 'tail', '--root', dir, '--from', '1', '--kind', 'domain_event', '--json').stdout) as { records: Array<{ height: number }> };
    assert.deepEqual(only.records.map((record) => record.height), [2, 3]);
    const head = JSON.parse(aos('journal', 'head', '--root', dir, '--json').stdout) as { next_height: number; head: string };
    const last = (JSON.parse(aos('journal', 'tail', '--root', dir, '--json').stdout) as { records: Array<{ hash: string }> }).records.at(-1);
    assert.deepEqual(head, { next_height: 4, head: last?.hash }, 'the head is the hash of the last record');
    const cells = JSON.parse(aos('world', 'cells', '--root', dir, 'demo/CounterSM@1', '--json').stdout) as { cells: Array<{ status: string }> };
    assert.equal(cells.cells[0]?.status, 'running');
    const verify = aos('replay', '--verify', '--root', dir);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /replay ok: 4 heights/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad events are refused with what and where, and nothing is journaled', () => {
  const dir = copy('00-counter');
  try {
    aos('world', 'create', '--root', dir);
    const unknown = aos('world', 'send', '--root', dir, '--schema', 'demo/Nope@1', '--value-json', '{}');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /schema demo\/Nope@1 is not defined/);
    assert.match(unknown.stderr, /demo\/CounterEvent@1/);
    const bad = aos('world', 'send', '--root', dir, '--schema', 'demo/CounterEvent@1', '--value-json', '{"Start":{"target":"three"}}');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--value-json.*target/);
    const notJson = aos('world', 'send', '--root', dir, '--schema', 'demo/CounterEvent@1', '--value-json', '{Start');
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /not valid JSON/);
    const tail = JSON.parse(aos('journal', 'tail', '--root', dir, '--json').stdout) as { records: unknown[] };
    assert.equal(tail.records.length, 2, 'only genesis: the manifest and the trusted keys');
    const noWorld = aos('world', 'state', '--root', mkdtempSync(join(tmpdir(), 'aos-empty-')), 'demo/CounterSM@1');
    assert.equal(noWorld.code, 1);
    assert.match(noWorld.stderr, /holds no world yet[\s\S]*aos world create/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keyed worlds: state per key and the cells list', () => {
  const dir = copy('12-performance-keyed');
  try {
    aos('world', 'create', '--root', dir);
    for (const cell of ['a', 'b', 'a']) aos('world', 'send', '--root', dir, '--schema', 'demo/PerfEvent@1', '--value-json', JSON.stringify({ cell, inc: 1 }));
    assert.deepEqual((JSON.parse(aos('world', 'state', '--root', dir, 'demo/PerfCounter@1', '--key-json', '"a"', '--json').stdout) as { state: unknown }).state, { count: 2 });
    const missingKey = aos('world', 'state', '--root', dir, 'demo/PerfCounter@1');
    assert.equal(missingKey.code, 1);
    assert.match(missingKey.stderr, /keyed by demo\/PerfCellKey@1[\s\S]*--key-json/);
    const cells = JSON.parse(aos('world', 'cells', '--root', dir, 'demo/PerfCounter@1', '--json').stdout) as { cells: Array<{ key: string }> };
    assert.deepEqual(cells.cells.map((cell) => cell.key), ['a', 'b']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function casFiles(dir: string): string[] {
  const cas = join(dir, '.aos/cas');
  return readdirSync(cas).flatMap((prefix) => readdirSync(join(cas, prefix)).map((rest) => join(cas, prefix, rest))).filter((file) => statSync(file).isFile());
}

test('a flipped byte in a journal record or in a CAS file is detected on open, naming the height or hash', () => {
  const dir = copy('00-counter');
  try {
    aos('world', 'create', '--root', dir);
    aos('world', 'send', '--root', dir, '--schema', 'demo/CounterEvent@1', '--value-json', '{"Start":{"target":2}}');
    const database = new Database(join(dir, '.aos/node.sqlite3'));
    const table = (database.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%journal%'").get() as { name: string }).name;
    const row = database.prepare(`SELECT rowid, * FROM ${table} ORDER BY rowid DESC LIMIT 1`).get() as Record<string, unknown>;
    const column = Object.keys(row).find((key) => row[key] instanceof Uint8Array && (row[key] as Uint8Array).length > 40);
    assert.ok(column !== undefined, 'the journal keeps record bytes');
    const bytes = Buffer.from(row[column] as Uint8Array);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0x20;
    database.prepare(`UPDATE ${table} SET ${column} = ? WHERE rowid = ?`).run(bytes, row.rowid);
    database.close();
    const opened = aos('world', 'state', '--root', dir, 'demo/CounterSM@1');
    assert.equal(opened.code, 1);
    assert.match(opened.stderr, /height 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const other = copy('00-counter');
  try {
    aos('world', 'create', '--root', other);
    for (const file of casFiles(other)) {
      const bytes = readFileSync(file);
      bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0x01;
      writeFileSync(file, bytes);
    }
    // Small CAS objects (the world's AIR among them) are rows of node.sqlite3.
    const database = new Database(join(other, '.aos/node.sqlite3'));
    const rows = database.prepare('SELECT hash, bytes FROM cas_objects').all() as Array<{ hash: string; bytes: Uint8Array }>;
    assert.ok(rows.length > 0, 'the world\'s AIR is stored as small CAS objects');
    for (const row of rows) {
      const bytes = Buffer.from(row.bytes);
      bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0x01;
      database.prepare('UPDATE cas_objects SET bytes = ? WHERE hash = ?').run(bytes, row.hash);
    }
    database.close();
    const opened = aos('world', 'state', '--root', other, 'demo/CounterSM@1');
    assert.equal(opened.code, 1);
    assert.match(opened.stderr, /sha256:[0-9a-f]{64}/);
    assert.match(opened.stderr, /no longer matches|corrupt|changed/i);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
