// Goal: a new user can list, show, export, import, audit and fork worlds from the CLI: export →
// import into a second folder → `aos audit verify` passes on both the folder and the bundle; a
// bundle with one flipped byte (in its header, a record, an object, its trailer) fails import and
// audit naming what is wrong, and the import writes nothing; a fork inside an input is refused
// with the valid heights; `aos completion bash` completes subcommands; piped output carries no
// colour or spinner escape codes.
// Method: spawn bin/aos.js on a copy of the counter ladder world, as a user would; the bytes are
// flipped with fs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const ESCAPE = '\u001b[';
/** The environment without CI, so nothing but the pipes keeps progress and colour off. */
const ENV = { ...process.env };
delete ENV.CI;

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT, env: ENV });
  const out = { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  assert.ok(!out.stdout.includes(ESCAPE) && !out.stderr.includes(ESCAPE), `no escape codes when piped: aos ${args.join(' ')}`);
  return out;
}

function json<T>(result: { code: number; stdout: string; stderr: string }): T {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

test('ls, show, export, import, audit verify and fork, as a user runs them; tampered bundles are refused', () => {
  const base = mkdtempSync(join(tmpdir(), 'aos-lifecycle-'));
  try {
    const source = join(base, 'counter');
    cpSync(join(ROOT, 'worlds/ladder/00-counter'), source, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    assert.equal(aos('world', 'create', '--root', source).code, 0);
    for (const value of ['{"Start":{"target":3}}', '{"$tag":"Tick"}']) assert.equal(aos('world', 'send', '--root', source, '--schema', 'demo/CounterEvent@1', '--value-json', value).code, 0);

    const listed = json<{ worlds: Array<{ dir: string; head_height: number }> }>(aos('world', 'ls', '--dir', base, '--json'));
    assert.deepEqual(listed.worlds.map((row) => [row.dir, row.head_height]), [[source, 4]]);
    const shown = json<{ head: { height: number; hash: string }; modules: Array<{ name: string }>; snapshots: unknown[]; open_intents: number }>(aos('world', 'show', '--root', source, '--json'));
    assert.equal(shown.head.height, 4);
    assert.ok(shown.modules.some((module) => module.name === 'demo/CounterSM@1'));
    assert.match(aos('world', 'show', '--root', source).stdout, /^world main in .*\ngenesis +sha256:[0-9a-f]{64}\nmanifest +sha256:/);

    const file = join(base, 'counter.aosb');
    const exported = json<{ records: number; sha256: string }>(aos('world', 'export', source, '-o', file, '--json'));
    assert.equal(exported.records, 4);
    const copy = join(base, 'copy');
    const imported = aos('world', 'import', file, '--to', copy);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^imported world main into .*\n4 records to head sha256:/);
    assert.equal(json<{ head: { hash: string } }>(aos('world', 'show', '--root', copy, '--json')).head.hash, shown.head.hash);
    const folderAudit = json<{ ok: boolean; records: number; replay: { ok: boolean; heights: number } }>(aos('audit', 'verify', copy, '--json'));
    assert.deepEqual([folderAudit.ok, folderAudit.records, folderAudit.replay.ok, folderAudit.replay.heights], [true, 4, true, 4]);
    const bundleAudit = aos('audit', 'verify', file);
    assert.equal(bundleAudit.code, 0, bundleAudit.stderr);
    assert.match(bundleAudit.stdout, /^bundle .*: world main, genesis sha256:[0-9a-f]{64}, 4 records, \d+ CAS objects, sha256 sha256:[0-9a-f]{64}\naudit ok: 4 records chained to sha256:[0-9a-f]{64}; .*\napprovals ok: .*principals: none\nreplay ok: 4 heights/);

    const bytes = readFileSync(file);
    for (const [where, position] of [['header', 12], ['middle', Math.floor(bytes.length / 2)], ['near the end', bytes.length - 60], ['trailer', bytes.length - 3]] as const) {
      const tampered = Buffer.from(bytes);
      tampered[position] = (tampered[position] ?? 0) ^ 0x04;
      const bad = join(base, 'bad.aosb');
      writeFileSync(bad, tampered);
      const target = join(base, `bad-${position}`);
      const refused = aos('world', 'import', bad, '--to', target, '--json');
      assert.equal(refused.code, 1, `${where}: the import is refused`);
      const error = (JSON.parse(refused.stderr) as { error: { code: string; message: string; hint: string } }).error;
      assert.match(error.code, /^(BUNDLE_INVALID|REPLAY_FAILED)$/, `${where}: ${error.message}`);
      assert.match(error.message, /^import refused, nothing was written: the bundle is invalid: .{20,}/, where);
      assert.ok(error.hint.length > 10, `${where}: the error says what to do`);
      assert.equal(existsSync(join(target, '.aos')), false, `${where}: nothing was written`);
      const audit = aos('audit', 'verify', bad);
      assert.equal(audit.code, 1, `${where}: the audit fails`);
      assert.match(audit.stderr, /^error: (the bundle .* fails its audit|the journal in .* fails its audit)/, where);
      assert.match(audit.stderr, /\nhint: /, where);
    }

    const fork = json<{ height: number; fork_id: string; replay: { heights: number } }>(aos('world', 'fork', source, '--to', join(base, 'fork'), '--height', '3', '--json'));
    assert.deepEqual([fork.height, fork.replay.heights], [3, 3]);
    assert.match(fork.fork_id, /^[0-9a-f]{32}$/);
    assert.equal(json<{ next_height: number }>(aos('journal', 'head', '--root', join(base, 'fork'), '--json')).next_height, 3);
    assert.equal(aos('world', 'send', '--root', join(base, 'fork'), '--schema', 'demo/CounterEvent@1', '--value-json', '{"$tag":"Tick"}').code, 0, 'a fork takes inputs of its own');
    const outside = aos('world', 'fork', source, '--to', join(base, 'fork-9'), '--height', '9');
    assert.equal(outside.code, 1);
    assert.match(outside.stderr, /^error: height 9 is outside the journal, which holds heights 0 to 3\nhint: pass a height from 1 to 4/);
    const noSnapshot = aos('world', 'fork', source, '--to', join(base, 'fork-s'), '--snapshot', `sha256:${'1'.repeat(64)}`);
    assert.match(noSnapshot.stderr, /has no snapshot sha256:1{64}\nhint: it has no snapshots: fork at a height instead/);
    const again = aos('world', 'import', file, '--to', copy);
    assert.match(again.stderr, /already holds a world .*\nhint: pick an empty or new folder/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('an import pinned to a head and to keys refuses a sound bundle that is not the pinned one, writing nothing', () => {
  const base = mkdtempSync(join(tmpdir(), 'aos-lifecycle-pins-'));
  try {
    const source = join(base, 'counter');
    cpSync(join(ROOT, 'worlds/ladder/00-counter'), source, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    assert.equal(aos('key', 'gen', '--root', source, '--name', 'blob.default', '--role', 'adapter').code, 0);
    assert.equal(aos('world', 'create', '--root', source).code, 0);
    assert.equal(aos('world', 'send', '--root', source, '--schema', 'demo/CounterEvent@1', '--value-json', '{"Start":{"target":3}}').code, 0);
    const head = json<{ head: string }>(aos('journal', 'head', '--root', source, '--json')).head;
    const keys = json<{ keys: Array<{ public_key: string; role: string }> }>(aos('key', 'ls', '--root', source, '--json')).keys.filter((key) => key.role === 'adapter').map((key) => key.public_key);
    assert.equal(keys.length, 1);
    const file = join(base, 'counter.aosb');
    assert.equal(aos('world', 'export', source, '-o', file).code, 0);

    const pinned = aos('world', 'import', file, '--to', join(base, 'pinned'), '--expect-head', head, '--trust-key', keys[0]!);
    assert.equal(pinned.code, 0, pinned.stderr);
    mkdirSync(join(base, 'elsewhere'));
    const stranger = json<{ public_key: string }>(aos('key', 'gen', '--root', join(base, 'elsewhere'), '--name', 'blob.default', '--role', 'adapter', '--json')).public_key;
    for (const [what, args, message] of [
      ['another head', ['--expect-head', `sha256:${'0'.repeat(64)}`], /not at the pinned head sha256:0{64}: it is not the world whose head you were given/],
      ['an unpinned key', ['--trust-key', stranger], new RegExp(`trusts key ${keys[0]!.replace(/[:+/]/g, '.')} for adapter blob.default, which is not among the keys you pinned`)],
    ] as const) {
      const target = join(base, `refused-${what.replace(/ /g, '-')}`);
      const refused = aos('world', 'import', file, '--to', target, ...args, '--json');
      assert.equal(refused.code, 1, what);
      const error = (JSON.parse(refused.stderr) as { error: { code: string; message: string; hint: string } }).error;
      assert.equal(error.code, 'BUNDLE_INVALID', what);
      assert.match(error.message, /^import refused, nothing was written: the bundle is sound but not the one pinned: /, what);
      assert.match(error.message, message, what);
      assert.match(error.hint, /aos journal head/, what);
      assert.equal(existsSync(join(target, '.aos')), false, `${what}: nothing was written`);
    }
    const malformed = aos('world', 'import', file, '--to', join(base, 'bad-pin'), '--expect-head', 'abc');
    assert.match(malformed.stderr, /--expect-head "abc" is not a hash/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('aos completion bash|zsh completes commands and options from the program itself', () => {
  const script = aos('completion', 'bash');
  assert.equal(script.code, 0, script.stderr);
  const complete = (words: string) => spawnSync('bash', ['-c', `${script.stdout}\nCOMP_WORDS=(${words}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _aos_complete; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' }).stdout.trim();
  assert.equal(complete('aos world f'), 'fork');
  assert.equal(complete('aos world export --j'), '--json');
  assert.equal(complete('aos au'), 'audit');
  assert.match(aos('completion', 'zsh').stdout, /^#compdef aos\nautoload -U \+X bashcompinit && bashcompinit\n/);
  const fish = aos('completion', 'fish');
  assert.equal(fish.code, 1);
  assert.match(fish.stderr, /^error: no completion for shell "fish"\nhint: pick one of: bash, zsh\n$/);
});
