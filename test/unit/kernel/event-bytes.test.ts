// Goal: keyed routing reads an event's key, and wraps an event for a variant-typed module,
// straight from its canonical bytes, with exactly the bytes decoding and re-encoding would give.
// Method: random nested records as canonical CBOR; the byte path is compared with the decoded
// value's part re-encoded, and the wrapping with encoding {$tag, $value} whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCanonical, encodeCanonical, isCborObject } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { bytesAtPath, wrapInVariant } from '../../../src/kernel/event-bytes.ts';

const leaf = fc.oneof(fc.string(), fc.integer(), fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), fc.uint8Array({ maxLength: 40 }), fc.boolean(), fc.constant(null));
const value = fc.letrec<{ node: CborValue }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 5 })) as fc.Arbitrary<CborValue>,
})).node;
const record = fc.dictionary(fc.string({ maxLength: 8 }), value, { minKeys: 1, maxKeys: 6 });

function partAt(root: CborValue, path: readonly string[]): CborValue | undefined {
  let node: CborValue | undefined = root;
  for (const segment of path) node = node !== undefined && isCborObject(node) && Object.hasOwn(node, segment) ? node[segment] : undefined;
  return node;
}

function pathsOf(root: CborValue, prefix: string[] = []): string[][] {
  if (!isCborObject(root)) return [];
  return Object.keys(root).flatMap((key) => [[...prefix, key], ...pathsOf((root as Record<string, CborValue>)[key] as CborValue, [...prefix, key])]);
}

test('the bytes at a record path are the part of the decoded value, re-encoded', () => {
  fc.assert(fc.property(record, fc.string({ maxLength: 8 }), (root, stray) => {
    const bytes = encodeCanonical(root as CborValue, { selfDescribe: false });
    const decoded = decodeCanonical(bytes);
    for (const path of pathsOf(decoded)) {
      const part = partAt(decoded, path);
      assert.deepEqual(bytesAtPath(bytes, path), encodeCanonical(part as CborValue, { selfDescribe: false }), `path ${path.join('.')}`);
    }
    if (!Object.hasOwn(root, stray)) assert.equal(bytesAtPath(bytes, [stray]), undefined, 'an absent field');
    assert.equal(bytesAtPath(encodeCanonical(5, { selfDescribe: false }), ['x']), undefined, 'not a record');
  }), { numRuns: 2_000 });
});

test('wrapping canonical value bytes in a variant gives the canonical bytes of {$tag, $value}', () => {
  fc.assert(fc.property(fc.string({ maxLength: 30 }), value, (tag, inner) => {
    const bytes = encodeCanonical(inner, { selfDescribe: false });
    assert.deepEqual(wrapInVariant(tag, bytes), encodeCanonical({ $tag: tag, $value: decodeCanonical(bytes) }, { selfDescribe: false }));
  }), { numRuns: 2_000 });
});
