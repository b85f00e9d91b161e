// The host side of the natives a module may call (protocol.ts): SHA-256 (HASH_GLOBAL), the
// UTF-8 codec (UTF8_ENCODE_GLOBAL, UTF8_DECODE_GLOBAL) and the CBOR decoder (CBOR_DECODE_GLOBAL).
// Interpreted in QuickJS these cost ~1 ms per 100 bytes (hashing), ~1 µs a character (encoding)
// and ~40 µs a receipt payload (decoding), which dominated agent and receipt steps. Each
// is a pure function of its input, so steps stay deterministic; every byte one handles is charged
// to the step's fuel, so a module that calls them in a loop still meets its budget. The prelude
// wraps each (checking its argument) and removes these raw globals before module code runs.
import { hashBytes } from '../../cbor/index.ts';
import { NATIVE_BYTES_PER_TICK, NATIVE_CALL_BYTES_CHARGED, STEP_INPUT_BYTES_MAX } from '../limits.ts';
import { valueJson } from './json-input.ts';
import { CBOR_DECODE_GLOBAL, HASH_GLOBAL, UTF8_DECODE_GLOBAL, UTF8_ENCODE_GLOBAL } from './protocol.ts';
import { installHostFunctions } from './quickjs.ts';
import type { QuickJSContext } from './quickjs.ts';

/** Counts the bytes the natives handled in a step and turns them into ticks of the step's fuel. */
export interface NativeFuel {
  /** Charges `bytes`; false once the step is over its budget (it is then interrupted). */
  charge(bytes: number): boolean;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Sets the raw globals the prelude wraps: each takes exactly the bytes (an ArrayBuffer) or the
 * text to work on. Texts cross as JSON text both ways: the FFI passes C strings, which end at a
 * NUL character (and its reader drops a leading BOM); JSON escapes both. They are called on
 * quickjs.ts's fast path for host functions.
 */
export function installHostNatives(context: QuickJSContext, fuel: NativeFuel): void {
  const charged = <T extends { readonly length: number }>(what: string, input: T): T => {
    if (input.length > STEP_INPUT_BYTES_MAX) throw new RangeError(`${what} of ${input.length} bytes: at most ${STEP_INPUT_BYTES_MAX} at once`);
    if (!fuel.charge(input.length + NATIVE_CALL_BYTES_CHARGED)) throw new RangeError(`the step used its instruction budget in ${what}`);
    return input;
  };
  installHostFunctions(context, [
    { name: HASH_GLOBAL, takes: 'bytes', run: (input) => hashBytes(charged('sha256Hash', input)) },
    {
      name: UTF8_DECODE_GLOBAL, takes: 'bytes',
      run: (input) => {
        const bytes = charged('utf8Decode', input);
        let text: string;
        try {
          text = STRICT_UTF8.decode(bytes);
        } catch {
          throw new TypeError('the bytes are not valid UTF-8');
        }
        return JSON.stringify(text);
      },
    },
    {
      name: UTF8_ENCODE_GLOBAL, takes: 'text',
      run: (input) => {
        let text: unknown;
        try {
          text = JSON.parse(input);
        } catch {
          text = undefined;
        }
        if (typeof text !== 'string') throw new TypeError('utf8Encode is called through the prelude, with the text as JSON');
        // Lone surrogates become U+FFFD, as TextEncoder (and the SDK's own encoder) do.
        const bytes = charged('utf8Encode', Buffer.from(text, 'utf8'));
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
    },
    // The wire text of the value, its byte markers pointing into the caller's own buffer; null
    // leaves the bytes to the SDK's interpreted decoder (which then gives the value or the refusal).
    { name: CBOR_DECODE_GLOBAL, takes: 'bytes', run: (input) => valueJson(charged('cborDecode', input)) },
  ]);
}

/** Ticks for `bytes` handled so far in a step (whole ticks; the rest carries over). */
export function nativeTicks(bytes: number): number {
  return Math.floor(bytes / NATIVE_BYTES_PER_TICK);
}
