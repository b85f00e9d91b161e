// The outer framing of a world bundle: a CBOR sequence (RFC 8742) of definite-length byte
// strings, each head in shortest form. A bundle is one file holding a whole world, and one CBOR
// value for all of it would hit the decoder's input limit (CBOR_INPUT_BYTES_MAX) on any world
// with large blobs; as a sequence of byte strings every part is decoded (or hashed) on its own,
// and the framing is simple enough to parse here without a decoder.
import { MAJOR_BYTES } from '../cbor/index.ts';
import { NodeError } from './errors.ts';

/** Additional-information values of a CBOR head whose argument follows in 1, 2, 4 or 8 bytes. */
const ARGUMENT_BYTES: ReadonlyMap<number, number> = new Map([[24, 1], [25, 2], [26, 4], [27, 8]]);
/** The smallest argument each argument width may carry in shortest form. */
const ARGUMENT_MIN: ReadonlyMap<number, number> = new Map([[1, 24], [2, 0x100], [4, 0x1_0000], [8, 0x1_0000_0000]]);

/** The CBOR head of a byte string of `length` bytes, in shortest form. */
export function byteStringHead(length: number): Uint8Array {
  const major = MAJOR_BYTES << 5;
  if (length < 24) return Uint8Array.of(major | length);
  if (length < 0x100) return Uint8Array.of(major | 24, length);
  if (length < 0x1_0000) return Uint8Array.of(major | 25, length >> 8, length & 0xff);
  if (length < 0x1_0000_0000) {
    const head = new Uint8Array(5);
    head[0] = major | 26;
    new DataView(head.buffer).setUint32(1, length);
    return head;
  }
  const head = new Uint8Array(9);
  head[0] = major | 27;
  new DataView(head.buffer).setBigUint64(1, BigInt(length));
  return head;
}

/** One framed item: where its content starts in the file, and the content. */
export interface FramedItem {
  readonly offset: number;
  readonly bytes: Uint8Array;
}

/** Reads the byte string that starts at `offset`; BUNDLE_INVALID names the offset and what is wrong. */
export function readItem(file: Uint8Array, offset: number, what: string): FramedItem {
  const initial = file[offset];
  if (initial === undefined) throw framingError(offset, `${what} is missing: the file ends here`);
  if (initial >> 5 !== MAJOR_BYTES) throw framingError(offset, `${what} should be a CBOR byte string (major type 2), found major type ${initial >> 5}`);
  const info = initial & 0x1f;
  let length = info;
  let start = offset + 1;
  if (info >= 24) {
    const width = ARGUMENT_BYTES.get(info);
    if (width === undefined) throw framingError(offset, `${what} has additional information ${info}, which is not a definite length`);
    if (start + width > file.length) throw framingError(offset, `${what}'s length is cut off by the end of the file`);
    const view = new DataView(file.buffer, file.byteOffset + start, width);
    const value = width === 1 ? view.getUint8(0) : width === 2 ? view.getUint16(0) : width === 4 ? view.getUint32(0) : Number(view.getBigUint64(0));
    if (value < (ARGUMENT_MIN.get(width) ?? 0)) throw framingError(offset, `${what}'s length ${value} is not in shortest form`);
    length = value;
    start += width;
  }
  if (!Number.isSafeInteger(length) || start + length > file.length) {
    throw framingError(offset, `${what} says it holds ${length} bytes, but only ${file.length - start} remain in the file: the file is truncated or its length was altered`);
  }
  return { offset: start, bytes: file.subarray(start, start + length) };
}

function framingError(offset: number, what: string): NodeError {
  return new NodeError('BUNDLE_INVALID', `bundle byte ${offset}: ${what}`, 'the file is not a whole AgentOS bundle: export the world again, or use an untouched copy');
}
