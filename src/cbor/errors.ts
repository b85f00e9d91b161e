/** Stable codes for everything the CBOR layer refuses. */
export type CborErrorCode =
  | 'INPUT_TOO_LARGE'
  | 'MALFORMED'
  | 'TRAILING_BYTES'
  | 'NOT_CANONICAL'
  | 'INDEFINITE_LENGTH'
  | 'UNDEFINED'
  | 'FLOAT'
  | 'DUPLICATE_KEY'
  | 'UNKNOWN_TAG'
  | 'BAD_TAG_CONTENT'
  | 'TOO_DEEP'
  | 'UNSUPPORTED_VALUE'
  | 'BAD_HEX'
  | 'BAD_HASH'
  | 'BAD_JSON';

/** The one error class of the CBOR layer; `code` is stable, the message is for people. */
export class CborError extends Error {
  override readonly name: string = 'CborError';
  constructor(readonly code: CborErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A refusal while decoding bytes, with the byte offset where the problem is. */
export class CborDecodeError extends CborError {
  override readonly name = 'CborDecodeError';
  constructor(code: CborErrorCode, readonly offset: number, what: string, options?: { cause?: unknown }) {
    super(code, `CBOR decode error at byte ${offset}: ${what}`, options);
  }
}

/** A refusal while encoding a value, with the path to the offending part. */
export class CborEncodeError extends CborError {
  override readonly name = 'CborEncodeError';
  constructor(code: CborErrorCode, readonly path: string, what: string) {
    super(code, `CBOR encode error at ${path === '' ? 'the root' : path}: ${what}`);
  }
}
