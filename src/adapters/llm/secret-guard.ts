// The last line of defence for an API key: every byte and string the adapter writes (blobs,
// the receipt payload, error messages) passes through here, and any copy of the key's value
// is replaced by REDACTED. A provider that echoes a key in an error body, or a model that
// repeats one, therefore cannot put it into the CAS or the journal. Values shorter than
// LLM_SECRET_REDACT_CHARS_MIN are placeholders, not keys, and pass unchanged.
import { assert } from '../../cbor/index.ts';
import { LLM_SECRET_REDACT_CHARS_MIN } from './limits.ts';

/** What replaces a secret's value. */
export const REDACTED = '[redacted]';

const ENCODER = new TextEncoder();
const REDACTED_BYTES = ENCODER.encode(REDACTED);

/** Redacts one secret value (the execution's API key) wherever it appears. */
export class SecretGuard {
  readonly #secret: string | null;
  readonly #secretBytes: Buffer | null;

  constructor(secret: string | null) {
    assert(secret !== '', 'an empty secret is refused before a guard is built');
    const guarded = secret !== null && secret.length >= LLM_SECRET_REDACT_CHARS_MIN ? secret : null;
    this.#secret = guarded;
    this.#secretBytes = guarded === null ? null : Buffer.from(ENCODER.encode(guarded));
  }

  /** The text with every copy of the secret replaced. */
  text(text: string): string {
    return this.#secret === null || !text.includes(this.#secret) ? text : text.split(this.#secret).join(REDACTED);
  }

  /** The bytes with every copy of the secret's UTF-8 bytes replaced (the same array when there is none). */
  bytes(bytes: Uint8Array): Uint8Array {
    const needle = this.#secretBytes;
    if (needle === null) return bytes;
    const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let found = haystack.indexOf(needle);
    if (found === -1) return bytes;
    const pieces: Uint8Array[] = [];
    let start = 0;
    while (found !== -1) {
      pieces.push(bytes.subarray(start, found), REDACTED_BYTES);
      start = found + needle.byteLength;
      found = haystack.indexOf(needle, start);
    }
    pieces.push(bytes.subarray(start));
    return new Uint8Array(Buffer.concat(pieces));
  }

  /** True when the bytes hold the secret (a test of the guard's own output). */
  appearsIn(bytes: Uint8Array): boolean {
    return this.#secretBytes !== null && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(this.#secretBytes) !== -1;
  }
}
