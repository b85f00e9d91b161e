// Goal: workspace trees are canonical and their operations exact: the same files give the same
// root however they are written; write/read/remove/list/diff/annotations do what they say, with
// clear errors for bad paths, missing entries and wrong kinds; listings and diffs are sorted.
// Method: a CAS in memory; tree nodes decoded independently through the schema; fast-check
// properties compare whole-tree builds, one-by-one writes, listings and diffs with a plain model
// (a Map from path to bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AdapterError } from '../../../../src/adapters/index.ts';
import { buildTree, EMPTY_TREE, getTree, WorkspaceTrees, WORKSPACE_TREE_SCHEMA } from '../../../../src/adapters/workspace/index.ts';
import { builtinCatalog, valueFromCbor } from '../../../../src/air/index.ts';
import { decodeCanonical, encodeCanonical, hashBytes } from '../../../../src/cbor/index.ts';
import type { Hash } from '../../../../src/cbor/index.ts';
import { MemoryBlobs } from '../../../support/adapter-fixture.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const utf8 = (data: Uint8Array): string => new TextDecoder().decode(data);

function refused(code: string, pattern: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof AdapterError && error.code === code && pattern.test(error.message);
}

function seeded(): { trees: WorkspaceTrees; blobs: MemoryBlobs; root: Hash } {
  const blobs = new MemoryBlobs();
  const trees = new WorkspaceTrees(blobs);
  let root = trees.emptyRoot();
  root = trees.writeBytes(root, 'seed/alpha.txt', bytes('seed marker for alpha\n'), null).root;
  root = trees.writeBytes(root, 'README.txt', bytes('seeded by workflow\n'), null).root;
  root = trees.writeBytes(root, 'data.json', bytes('{"demo":true}\n'), 0o600).root;
  return { trees, blobs, root };
}

test('the empty root is the canonical sys/WorkspaceTree@2 with no entries, the same in every CAS', () => {
  const blobs = new MemoryBlobs();
  const root = new WorkspaceTrees(blobs).emptyRoot();
  const expected = encodeCanonical(valueFromCbor({ entries: [], annotations_hash: null }, { ref: WORKSPACE_TREE_SCHEMA }, builtinCatalog(), { path: 'tree' }));
  assert.equal(root, hashBytes(expected));
  assert.deepEqual(blobs.get(root), expected);
  assert.equal(new WorkspaceTrees(new MemoryBlobs()).emptyRoot(), root);
  assert.deepEqual(getTree(blobs, root), EMPTY_TREE);
});

test('writes make directories, keep entries sorted, and store nodes the schema reads back', () => {
  const { trees, blobs, root } = seeded();
  const node = valueFromCbor(decodeCanonical(blobs.get(root)), { ref: WORKSPACE_TREE_SCHEMA }, builtinCatalog(), { path: 'tree' }) as { entries: Array<{ name: string; kind: string; mode: number }> };
  assert.deepEqual(node.entries.map((entry) => [entry.name, entry.kind, entry.mode]), [['README.txt', 'file', 0o644], ['data.json', 'file', 0o600], ['seed', 'dir', 0o755]]);
  assert.equal(utf8(trees.readBytes(root, 'seed/alpha.txt', null)), 'seed marker for alpha\n');
  assert.equal(utf8(trees.readBytes(root, 'README.txt', { start: 7, end: 9 })), 'by');
  assert.deepEqual(trees.lookup(root, 'data.json'), { name: 'data.json', kind: 'file', hash: hashBytes(bytes('{"demo":true}\n')), size: 14, mode: 0o600, annotations_hash: null });
  assert.equal(trees.lookup(root, 'seed')?.kind, 'dir');
  assert.equal(trees.lookup(root, 'missing.txt'), null);
  assert.equal(trees.lookup(root, 'README.txt/under-a-file'), null);
});

test('an overwrite keeps the mode unless one is given; the old root still reads the old bytes', () => {
  const { trees, root } = seeded();
  const next = trees.writeBytes(root, 'data.json', bytes('{}'), null).root;
  assert.equal(trees.lookup(next, 'data.json')?.mode, 0o600);
  assert.equal(utf8(trees.readBytes(root, 'data.json', null)), '{"demo":true}\n');
  assert.equal(trees.lookup(trees.writeBytes(root, 'data.json', bytes('{}'), 0o755).root, 'data.json')?.mode, 0o755);
});

test('write_ref places a blob already in the CAS and refuses one that is not', () => {
  const { trees, blobs, root } = seeded();
  const blob = blobs.put(bytes('by reference'));
  const next = trees.writeRef(root, 'refs/one.txt', blob, null);
  assert.deepEqual([trees.lookup(next, 'refs/one.txt')?.hash, trees.lookup(next, 'refs/one.txt')?.size], [blob, 12]);
  assert.throws(() => trees.writeRef(root, 'x', hashBytes(bytes('never stored')), null), refused('WORKSPACE_ENTRY_MISSING', /not in the CAS; put it first/));
});

test('bad paths are refused with what is wrong, before anything is written', () => {
  const { trees, blobs, root } = seeded();
  const before = blobs.objects.size;
  const cases: Array<[string, RegExp]> = [
    ['', /is empty/],
    ['/etc/passwd', /is absolute/],
    ['../escape.txt', /has a "\.\." segment/],
    ['seed/../../escape', /has a "\.\." segment/],
    ['./here', /has a "\." segment/],
    ['a//b', /empty segment/],
    ['trailing/', /empty segment/],
    ['win\\path', /contains "\\"/],
    ['nul\0byte', /NUL/],
    [`${'x'.repeat(256)}`, /over the 255-byte limit/],
    [Array.from({ length: 65 }, () => 'd').join('/'), /over the 64-segment limit/],
  ];
  for (const [path, message] of cases) {
    assert.throws(() => trees.writeBytes(root, path, bytes('x'), null), refused('WORKSPACE_PATH_INVALID', message), `write ${JSON.stringify(path)}`);
    assert.throws(() => trees.readBytes(root, path, null), (error) => error instanceof AdapterError && error.code === 'WORKSPACE_PATH_INVALID', `read ${JSON.stringify(path)}`);
  }
  assert.equal(blobs.objects.size, before, 'nothing was stored for a refused path');
});

test('a file where a directory is needed, or a directory where a file is, is refused; so are missing entries and bad ranges', () => {
  const { trees, root } = seeded();
  assert.throws(() => trees.writeBytes(root, 'README.txt/inner', bytes('x'), null), refused('WORKSPACE_ENTRY_KIND', /README\.txt is a file, not a directory/));
  assert.throws(() => trees.writeBytes(root, 'seed', bytes('x'), null), refused('WORKSPACE_ENTRY_KIND', /seed is a directory/));
  assert.throws(() => trees.readBytes(root, 'seed', null), refused('WORKSPACE_ENTRY_KIND', /seed is a directory, not a file/));
  assert.throws(() => trees.readBytes(root, 'nope.txt', null), refused('WORKSPACE_ENTRY_MISSING', /nothing is at nope\.txt/));
  assert.throws(() => trees.readBytes(root, 'README.txt', { start: 5, end: 100 }), refused('WORKSPACE_TOO_LARGE', /not within README\.txt, which has 19 bytes/));
  assert.throws(() => trees.remove(root, 'nope.txt'), refused('WORKSPACE_ENTRY_MISSING', /nothing is at nope\.txt/));
  assert.throws(() => trees.list(root, 'README.txt', 'dir', null, 0), refused('WORKSPACE_ENTRY_KIND', /is a file, not a directory/));
  assert.throws(() => trees.list(hashBytes(bytes('not a tree')), null, 'dir', null, 0), refused('WORKSPACE_TREE_INVALID', /cannot be read from the CAS/));
  const blob = new MemoryBlobs();
  const notATree = blob.put(bytes('plain bytes'));
  assert.throws(() => new WorkspaceTrees(blob).list(notATree, null, 'dir', null, 0), refused('WORKSPACE_TREE_INVALID', /is not a workspace tree/));
});

test('remove drops an entry and the directories it leaves empty', () => {
  const { trees, root } = seeded();
  const without = trees.remove(root, 'seed/alpha.txt');
  assert.equal(trees.lookup(without, 'seed'), null, 'the emptied directory is gone');
  assert.deepEqual(trees.list(without, null, 'subtree', null, 0).entries.map((entry) => entry.path), ['README.txt', 'data.json']);
  const noSeed = trees.remove(root, 'seed');
  assert.equal(noSeed, without, 'removing the directory gives the same tree');
});

test('list: one directory or a whole subtree, sorted by path, paged by cursor', () => {
  const { trees, root } = seeded();
  const withMore = trees.writeBytes(trees.writeBytes(root, 'seed-z', bytes('z'), null).root, 'seed/b/c.txt', bytes('c'), null).root;
  assert.deepEqual(trees.list(root, null, 'dir', null, 0), {
    entries: [
      { path: 'README.txt', kind: 'file', hash: hashBytes(bytes('seeded by workflow\n')), size: 19, mode: 0o644 },
      { path: 'data.json', kind: 'file', hash: hashBytes(bytes('{"demo":true}\n')), size: 14, mode: 0o600 },
      { path: 'seed', kind: 'dir', hash: trees.lookup(root, 'seed')?.hash, size: null, mode: 0o755 },
    ],
    next_cursor: null,
  });
  const all = trees.list(withMore, null, 'subtree', null, 0).entries.map((entry) => entry.path);
  // Byte order: "-" (0x2d) sorts before "/" (0x2f), so seed-z comes before seed's children.
  assert.deepEqual(all, ['README.txt', 'data.json', 'seed', 'seed-z', 'seed/alpha.txt', 'seed/b', 'seed/b/c.txt']);
  assert.deepEqual(trees.list(withMore, 'seed', 'dir', null, 0).entries.map((entry) => entry.path), ['seed/alpha.txt', 'seed/b']);
  const first = trees.list(withMore, null, 'subtree', null, 3);
  assert.deepEqual([first.entries.map((entry) => entry.path), first.next_cursor], [['README.txt', 'data.json', 'seed'], 'seed']);
  const second = trees.list(withMore, null, 'subtree', first.next_cursor, 3);
  const third = trees.list(withMore, null, 'subtree', second.next_cursor, 3);
  assert.deepEqual([...second.entries, ...third.entries].map((entry) => entry.path), all.slice(3));
  assert.equal(third.next_cursor, null);
});

test('diff lists changed files with their hashes, under a prefix when given', () => {
  const { trees, root } = seeded();
  let next = trees.writeBytes(root, 'README.txt', bytes('updated by workflow\n'), null).root;
  next = trees.writeBytes(next, 'seed/new.txt', bytes('new'), null).root;
  next = trees.remove(next, 'data.json');
  assert.deepEqual(trees.diff(root, next, null), [
    { path: 'README.txt', kind: 'modified', old_hash: hashBytes(bytes('seeded by workflow\n')), new_hash: hashBytes(bytes('updated by workflow\n')) },
    { path: 'data.json', kind: 'removed', old_hash: hashBytes(bytes('{"demo":true}\n')), new_hash: null },
    { path: 'seed/new.txt', kind: 'added', old_hash: null, new_hash: hashBytes(bytes('new')) },
  ]);
  assert.deepEqual(trees.diff(root, next, 'seed').map((change) => change.path), ['seed/new.txt']);
  assert.deepEqual(trees.diff(root, root, null), []);
  // A file replaced by a directory of the same name: the file is removed, the directory's files added.
  const swapped = trees.writeBytes(trees.remove(root, 'data.json'), 'data.json/inner', bytes('i'), null).root;
  assert.deepEqual(trees.diff(root, swapped, null).map((change) => [change.path, change.kind]), [['data.json', 'removed'], ['data.json/inner', 'added']]);
});

test('annotations: per entry and on the root, patched key by key, stored as their own node', () => {
  const { trees, blobs, root } = seeded();
  const note = blobs.put(bytes('a note'));
  const set = trees.annotationsSet(root, 'README.txt', { 'aos.note': note, 'aos.gone': null });
  assert.deepEqual(trees.annotationsGet(set.root, 'README.txt'), { 'aos.note': note });
  assert.equal(trees.lookup(set.root, 'README.txt')?.annotations_hash, set.annotations);
  assert.equal(trees.annotationsGet(root, 'README.txt'), null, 'the old root has none');
  const cleared = trees.annotationsSet(set.root, 'README.txt', { 'aos.note': null });
  assert.deepEqual(trees.annotationsGet(cleared.root, 'README.txt'), {});
  const onRoot = trees.annotationsSet(root, null, { owner: note });
  assert.deepEqual([trees.annotationsGet(onRoot.root, null), trees.annotationsGet(onRoot.root, '')], [{ owner: note }, { owner: note }]);
  assert.deepEqual(trees.list(onRoot.root, null, 'subtree', null, 0), trees.list(root, null, 'subtree', null, 0), 'root annotations change no entry');
  assert.throws(() => trees.annotationsSet(root, 'nope', { a: note }), refused('WORKSPACE_ENTRY_MISSING', /nothing is at nope/));
});

/** Random small trees: paths over a tiny alphabet so that files, directories and clashes all occur. */
const segment = fc.constantFrom('a', 'b', 'c-d', 'e.txt', 'ä');
const filePath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const fileSet = fc.uniqueArray(fc.record({ path: filePath, text: fc.string({ maxLength: 8 }) }), { selector: (file) => file.path, maxLength: 12 })
  // Keep only sets where no file is also another file's directory (a real folder cannot hold both).
  .filter((files) => files.every((file) => !files.some((other) => other.path.startsWith(`${file.path}/`))));

function model(files: ReadonlyArray<{ path: string; text: string }>): Map<string, string> {
  return new Map(files.map((file) => [file.path, file.text]));
}

test('property: a whole-tree build equals one-by-one writes in any order, and lists exactly its files sorted', () => {
  fc.assert(fc.property(fileSet, (files) => {
    const blobs = new MemoryBlobs();
    const trees = new WorkspaceTrees(blobs);
    const built = buildTree(blobs, files.map((file) => ({ path: file.path, bytes: bytes(file.text) })));
    let written = trees.emptyRoot();
    for (const file of [...files].reverse()) written = trees.writeBytes(written, file.path, bytes(file.text), null).root;
    assert.equal(built, written);
    const listed = trees.list(built, null, 'subtree', null, 0).entries.filter((entry) => entry.kind === 'file');
    const expected = [...model(files).keys()].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual(listed.map((entry) => entry.path), expected);
    for (const file of files) assert.equal(utf8(trees.readBytes(built, file.path, null)), file.text);
  }), { numRuns: 200 });
});

test('property: diff(a, b) names exactly the paths whose files differ, with the right kind', () => {
  fc.assert(fc.property(fileSet, fileSet, (left, right) => {
    const blobs = new MemoryBlobs();
    const trees = new WorkspaceTrees(blobs);
    const a = buildTree(blobs, left.map((file) => ({ path: file.path, bytes: bytes(file.text) })));
    const b = buildTree(blobs, right.map((file) => ({ path: file.path, bytes: bytes(file.text) })));
    const before = model(left);
    const after = model(right);
    const expected = [...new Set([...before.keys(), ...after.keys()])]
      .filter((path) => before.get(path) !== after.get(path))
      .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
      .map((path) => [path, !before.has(path) ? 'added' : !after.has(path) ? 'removed' : 'modified']);
    assert.deepEqual(trees.diff(a, b, null).map((change) => [change.path, change.kind]), expected);
  }), { numRuns: 200 });
});
