// Goal: edit_file replaces an exact match; falls back to a match with whitespace and quotes
// normalised; refuses no match (naming the file) and several matches (saying how many) without
// touching the file; replace_all replaces every match.
// Method: a temp work dir; the file's bytes are compared before and after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage, hostTree } from './fixture.ts';
import type { HostTree } from './fixture.ts';

async function withFile(text: string, body: (tree: HostTree, read: () => Promise<string>) => Promise<void>): Promise<void> {
  const tree = await hostTree();
  try {
    await writeFile(join(tree.workdir, 'f.py'), text);
    await body(tree, () => readFile(join(tree.workdir, 'f.py'), 'utf8'));
  } finally {
    await tree.cleanup();
  }
}

test('an exact match is replaced', async () => {
  await withFile('def f():\n    return 1\n', async (tree, read) => {
    const edit = await tree.run('host.fs.edit_file', { path: 'f.py', old_string: 'return 1', new_string: 'return 2' });
    assert.equal(edit.status, 'ok', errorMessage(edit.receipt));
    assert.deepEqual([edit.receipt['replacements'], edit.receipt['applied']], [1, true]);
    assert.equal(await read(), 'def f():\n    return 2\n');
  });
});

test('without an exact match, a match with whitespace runs and curly quotes normalised is replaced', async () => {
  await withFile('def f():\n\tprint("hi",   name)\n    return 1\n', async (tree, read) => {
    const edit = await tree.run('host.fs.edit_file', { path: 'f.py', old_string: 'print(\u201chi\u201d, name)\n  return 1', new_string: 'return 3' });
    assert.equal(edit.status, 'ok', errorMessage(edit.receipt));
    assert.match(edit.receipt['summary_text'] as string, /normalised/);
    assert.equal(await read(), 'def f():\n\treturn 3\n');
  });
});

test('no match is an error naming the file; the file is untouched', async () => {
  const original = 'a = 1\n';
  await withFile(original, async (tree, read) => {
    const edit = await tree.run('host.fs.edit_file', { path: 'f.py', old_string: 'b = 2', new_string: 'c' });
    assert.deepEqual([edit.status, edit.receipt['error_code']], ['error', 'no_match']);
    assert.match(errorMessage(edit.receipt), /old_string was not found in f\.py/);
    assert.equal(await read(), original);
  });
});

test('several matches are an error saying how many, unless replace_all', async () => {
  const original = 'x = 1\nx = 1\nx  =  1\n';
  await withFile(original, async (tree, read) => {
    const ambiguous = await tree.run('host.fs.edit_file', { path: 'f.py', old_string: 'x = 1', new_string: 'y = 2' });
    assert.deepEqual([ambiguous.status, ambiguous.receipt['error_code']], ['error', 'ambiguous_match']);
    assert.match(errorMessage(ambiguous.receipt), /matches 2 times in f\.py/);
    assert.equal(await read(), original);
    const normalisedAmbiguous = await tree.run('host.fs.edit_file', { path: 'f.py', old_string: 'x   =   1', new_string: 'z' });
    assert.match(errorMessage(normalisedAmbiguous.receipt), /matches 3 times/);
    const all = await tree.run('host.fs.edit_file', { path: 'f.py', old_string: 'x = 1', new_string: 'y = 2', replace_all: true });
    assert.equal(all.receipt['replacements'], 2);
    assert.equal(await read(), 'y = 2\ny = 2\nx  =  1\n');
    const empty = await tree.run('host.fs.edit_file', { path: 'f.py', old_string: '', new_string: 'z' });
    assert.equal(empty.receipt['error_code'], 'invalid_params');
  });
});
