// Goal: `aos task` hands a task to the Demiurge agent world and follows it: on a fresh root it
// makes the world, prints each tool call and its result as it lands, prints the answer, exits 0,
// and leaves a journal that `aos audit verify` replays (replay or die of the whole task). The host
// session is confined to the work dir: a ".." path and a symlink out of it are refused and shown
// as error results, and the file outside never reaches the output. Without API keys it runs the
// bundled demo script and says so; a task nothing can move stops and says why; wrong inputs are
// refused before anything runs.
// Method: spawn the CLI (src/cli/run.ts through tsx) with the scripted provider on temp folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const SECRET = 'the-secret-outside-the-work-dir';

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' };
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args], { encoding: 'utf8', cwd: ROOT, env });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A temp folder with a work dir (README.md, a symlink out), a secret beside it, and a script. */
function fixture(): { dir: string; root: string; workdir: string; script: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aos-task-'));
  const workdir = join(dir, 'project');
  mkdirSync(workdir);
  writeFileSync(join(workdir, 'README.md'), '# Widget\nA tiny project.\n');
  writeFileSync(join(dir, 'secret.txt'), `${SECRET}\n`);
  symlinkSync(join(dir, 'secret.txt'), join(workdir, 'link.txt'));
  const script = join(dir, 'script.json');
  writeFileSync(script, JSON.stringify({
    replies: [
      {
        match: { correlation_id: 'run-1-turn-1' },
        tool_calls: [
          { id: 'c-list', name: 'list_dir', arguments: { path: '.' } },
          { id: 'c-read', name: 'read_file', arguments: { path: 'README.md' } },
          { id: 'c-up', name: 'read_file', arguments: { path: '../secret.txt' } },
          { id: 'c-link', name: 'read_file', arguments: { path: 'link.txt' } },
        ],
      },
      // Only if the model got the symlink refusal as its last tool result does it answer.
      { match: { correlation_id: 'run-1-turn-2', last_message_contains: 'symlink' }, text: 'The project is Widget, a tiny project.' },
    ],
  }));
  return { dir, root: join(dir, 'agent'), workdir, script };
}

test('aos task runs a scripted task live on a fresh root, confines the host to the work dir, and leaves an auditable journal', () => {
  const { dir, root, workdir, script } = fixture();
  try {
    const run = aos('task', 'What is this project?', '--workdir', workdir, '--script', script, '--root', root);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const out = run.stdout;
    assert.match(out, /created the agent world \(worlds\/demiurge\)/);
    assert.match(out, /task [0-9a-f-]{36}: scripted\/demo-script in /);
    assert.match(out, /→ open host session on .*project/);
    assert.match(out, /→ list_dir path=\.\n/);
    assert.match(out, /✓ list_dir: 2 entries: /);
    assert.match(out, /→ read_file path=README\.md/);
    assert.match(out, /✓ read_file: 25 bytes: # Widget A tiny project\./);
    assert.match(out, /✗ read_file: path_escape: path "\.\.\/secret\.txt"/);
    assert.match(out, /✗ read_file: [a-z_]+: .*link\.txt/, 'the symlink out of the work dir is refused');
    assert.match(out, /· model turn 2/);
    assert.match(out, /answer:\nThe project is Widget, a tiny project\./);
    assert.match(out, /5 tool calls, 2 model turns/);
    assert.match(out, new RegExp(`aos audit verify --root ${root.replaceAll('/', '\\/')}`));
    assert.equal(out.includes(SECRET) || run.stderr.includes(SECRET), false, 'nothing outside the work dir was read');
    const audit = aos('audit', 'verify', '--root', root);
    assert.equal(audit.code, 0, audit.stderr);
    assert.match(audit.stdout, /audit ok: .*; (\d+)\/\1 receipt signatures verified, \d+ intents \(0 open\)/);
    assert.match(audit.stdout, /replay ok/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without API keys aos task says it runs the bundled demo script, in <root>/work; a second task reuses the world; a stalled one says why', () => {
  const { dir, root } = fixture();
  try {
    const first = aos('task', 'Look around', '--root', root);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /note: no OPENAI_API_KEY or ANTHROPIC_API_KEY set: running the bundled demo script/);
    assert.match(first.stdout, /✓ read_file: \d+ bytes: # The agent's work folder/);
    assert.match(first.stdout, /✗ read_file: path_escape/);
    assert.equal(existsSync(join(root, 'work', 'README.md')), true);
    const second = aos('task', 'Look around again', '--root', root, '--json');
    assert.equal(second.code, 0, second.stderr);
    const data = JSON.parse(second.stdout) as { status: string; answer: string; tool_calls: Array<{ tool: string; ok: boolean }>; llm_turns: number };
    assert.equal(data.status, 'Succeeded');
    assert.match(data.answer, /refused/);
    assert.deepEqual(data.tool_calls.map((call) => [call.tool.split(' ')[0], call.ok]), [['open', true], ['list_dir', true], ['read_file', true], ['read_file', false]]);
    assert.equal(data.llm_turns, 2);
    assert.equal(aos('audit', 'verify', '--root', root).code, 0);
    // Without the LLM adapter's key the node serves no llm.generate: the task stalls and says why.
    for (const ext of ['json', 'key', 'pub']) renameSync(join(root, '.aos/keys', `llm.default.${ext}`), join(dir, `llm.default.${ext}`));
    const stalled = aos('task', 'Stall', '--root', root);
    assert.equal(stalled.code, 1);
    assert.match(stalled.stderr, /the task stopped before finishing: no adapter executes llm\.generate/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('aos task refuses a missing work dir, an unknown provider, and a root with AIR but no world, before running anything', () => {
  const { dir, root, script } = fixture();
  try {
    const missing = aos('task', 'x', '--workdir', join(dir, 'nope'), '--script', script, '--root', root);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /work dir .*nope is not a directory/);
    const provider = aos('task', 'x', '--provider', 'mystery', '--root', root);
    assert.equal(provider.code, 1);
    assert.match(provider.stderr, /provider "mystery" is not one this node serves/);
    assert.equal(existsSync(root), false, 'nothing was created');
    const other = join(dir, 'other');
    mkdirSync(join(other, 'air'), { recursive: true });
    const noWorld = aos('task', 'x', '--script', script, '--root', other);
    assert.equal(noWorld.code, 1);
    assert.match(noWorld.stderr, /holds AIR but no world/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
