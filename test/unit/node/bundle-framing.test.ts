// Goal: the bundle's outer framing (a CBOR sequence of byte strings) round-trips any content, and
// any bytes either read as an item or fail with BUNDLE_INVALID naming the byte offset — never a
// crash, never an item that reaches past the end of the file.
// Method: fast-check properties over random contents and random files, plus named failures
// (non-shortest length, wrong major type, truncation, indefinite length).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { byteStringHead, readItem } from '../../../src/node/bundle-framing.ts';
import { NodeError } from '../../../src/node/index.ts';

function framed(...items: Uint8Array[]): Uint8Array {
  return Buffer.concat(items.flatMap((item) => [byteStringHead(item.length), item]));
}

test('framed items read back exactly, one after another', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 70_000 }), { maxLength: 4 }), (items) => {
    const file = framed(...items);
    let offset = 0;
    for (const [index, item] of items.entries()) {
      const read = readItem(file, offset, `item ${index}`);
      assert.deepEqual(Buffer.from(read.bytes), Buffer.from(item));
      offset = read.offset + read.bytes.length;
    }
    assert.equal(offset, file.length);
  }), { numRuns: 200 });
});

test('any bytes: an item inside the file, or BUNDLE_INVALID naming the offset', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (file) => {
    try {
      const item = readItem(file, 0, 'the header');
      assert.ok(item.offset + item.bytes.length <= file.length);
    } catch (error) {
      assert.ok(error instanceof NodeError && error.code === 'BUNDLE_INVALID', String(error));
      assert.match(error.message, /^bundle byte 0: the header\b/);
    }
  }), { numRuns: 5_000 });
});

test('named failures: non-shortest length, another major type, indefinite length, truncation', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['non-shortest', Uint8Array.of(0x58, 0x05, 1, 2, 3, 4, 5), /length 5 is not in shortest form/],
    ['text string', Uint8Array.of(0x61, 0x41), /should be a CBOR byte string \(major type 2\), found major type 3/],
    ['indefinite', Uint8Array.of(0x5f, 0x41, 0x00, 0xff), /additional information 31, which is not a definite length/],
    ['truncated', Uint8Array.of(0x45, 1, 2), /says it holds 5 bytes, but only 2 remain/],
    ['empty', new Uint8Array(0), /is missing: the file ends here/],
  ];
  for (const [name, file, message] of cases) {
    assert.throws(() => readItem(file, 0, 'the header'), (error: unknown) => error instanceof NodeError && error.code === 'BUNDLE_INVALID' && message.test(error.message), name);
  }
});
