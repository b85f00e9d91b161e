// Goal: apply_patch reads v4a patches (add, update with context chunks, delete, move), applies
// them all or nothing (a chunk that does not apply leaves every file untouched), and a dry run
// reports the change without writing.
// Method: a temp work dir; files compared before and after; the parser tested on bad patches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePatch } from '../../../../src/adapters/host/index.ts';
import { errorMessage, hostTree } from './fixture.ts';
import type { HostTree } from './fixture.ts';

const patchOf = (text: string) => ({ patch: { $tag: 'inline_text', $value: { text } } });

async function seeded(body: (tree: HostTree) => Promise<void>): Promise<void> {
  const tree = await hostTree();
  try {
    await mkdir(join(tree.workdir, 'src'));
    await writeFile(join(tree.workdir, 'src/app.py'), 'import os\n\ndef main():\n    print("hello")\n    return 0\n\ndef other():\n    return 1\n');
    await writeFile(join(tree.workdir, 'old.txt'), 'obsolete\n');
    await writeFile(join(tree.workdir, 'keep.txt'), 'line one\nline two\n');
    await body(tree);
  } finally {
    await tree.cleanup();
  }
}

async function snapshot(tree: HostTree): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const pending = [''];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of await readdir(join(tree.workdir, dir), { withFileTypes: true })) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) pending.push(rel);
      else out[rel] = await readFile(join(tree.workdir, rel), 'utf8');
    }
  }
  return out;
}

const FULL_PATCH = `*** Begin Patch
*** Add File: docs/new.md
+# New
+text
*** Update File: src/app.py
@@ def main():
-    print("hello")
+    print("hello, world")
     return 0
@@ def other():
-    return 1
+    return 2
*** Delete File: old.txt
*** Update File: keep.txt
*** Move to: moved/keep.txt
@@
 line one
-line two
+line 2
*** End Patch
`;

test('add, update (two chunks with anchors), delete and move in one patch', async () => {
  await seeded(async (tree) => {
    const applied = await tree.run('host.fs.apply_patch', patchOf(FULL_PATCH));
    assert.equal(applied.status, 'ok', errorMessage(applied.receipt));
    assert.deepEqual(applied.receipt['ops'], { add: 1, update: 2, delete: 1, move: 1 });
    assert.deepEqual(applied.receipt['changed_paths'], ['docs/new.md', 'src/app.py', 'old.txt', 'keep.txt', 'moved/keep.txt']);
    assert.deepEqual(await snapshot(tree), {
      'docs/new.md': '# New\ntext\n',
      'src/app.py': 'import os\n\ndef main():\n    print("hello, world")\n    return 0\n\ndef other():\n    return 2\n',
      'moved/keep.txt': 'line one\nline 2\n',
    });
  });
});

test('a chunk that does not apply fails the whole patch and leaves every file untouched', async () => {
  await seeded(async (tree) => {
    const before = await snapshot(tree);
    const broken = FULL_PATCH.replace('-    return 1\n', '-    return 99\n');
    const failed = await tree.run('host.fs.apply_patch', patchOf(broken));
    assert.deepEqual([failed.status, failed.receipt['error_code']], ['error', 'patch_conflict']);
    assert.match(errorMessage(failed.receipt), /chunk 2 of src\/app\.py does not apply: .*"    return 99".*nothing was written/);
    assert.deepEqual(await snapshot(tree), before);
    const addExisting = await tree.run('host.fs.apply_patch', patchOf('*** Begin Patch\n*** Add File: docs/x.md\n+x\n*** Add File: keep.txt\n+y\n*** End Patch\n'));
    assert.equal(addExisting.receipt['error_code'], 'exists');
    assert.deepEqual(await snapshot(tree), before, 'the first (valid) add was not written either');
  });
});

test('a dry run reports what would change and writes nothing', async () => {
  await seeded(async (tree) => {
    const before = await snapshot(tree);
    const dry = await tree.run('host.fs.apply_patch', { ...patchOf(FULL_PATCH), dry_run: true });
    assert.equal(dry.status, 'ok', errorMessage(dry.receipt));
    assert.equal(dry.receipt['files_changed'], 5);
    assert.match(dry.receipt['summary_text'] as string, /^dry run: would change 5 paths/);
    assert.deepEqual(await snapshot(tree), before);
  });
});

test('a pure rename keeps the bytes exactly', async () => {
  await seeded(async (tree) => {
    await writeFile(join(tree.workdir, 'raw.txt'), 'no final newline');
    const moved = await tree.run('host.fs.apply_patch', patchOf('*** Begin Patch\n*** Update File: raw.txt\n*** Move to: renamed.txt\n*** End Patch\n'));
    assert.equal(moved.status, 'ok', errorMessage(moved.receipt));
    assert.deepEqual(moved.receipt['ops'], { add: 0, update: 1, delete: 0, move: 1 });
    assert.equal(await readFile(join(tree.workdir, 'renamed.txt'), 'utf8'), 'no final newline');
    await assert.rejects(readFile(join(tree.workdir, 'raw.txt')), /ENOENT/);
  });
});

test('malformed patches are refused with the line that is wrong', () => {
  assert.throws(() => parsePatch('*** Update File: a\n'), /line 1: a v4a patch starts with "\*\*\* Begin Patch"/);
  assert.throws(() => parsePatch('*** Begin Patch\n*** Add File: a\n+x\n'), /ends with "\*\*\* End Patch"/);
  assert.throws(() => parsePatch('*** Begin Patch\n*** Add File: a\nx\n*** End Patch'), /line 3: every line of an added file starts with "\+"/);
  assert.throws(() => parsePatch('*** Begin Patch\n*** Frobnicate: a\n*** End Patch'), /line 2: expected/);
  assert.throws(() => parsePatch('*** Begin Patch\n*** Update File: a\n@@\n?x\n*** End Patch'), /line 4: a chunk line starts with/);
  assert.deepEqual(parsePatch('*** Begin Patch\n*** Delete File: a\n*** End Patch'), [{ kind: 'delete', path: 'a' }]);
});
