// The keys of the ABI envelopes as canonical CBOR text items, encoded once for the writer of
// input envelopes and the reader that turns them into JSON.
import { encodedText } from './cbor-writer.ts';

export const KEY_CTX = encodedText('ctx');
export const KEY_EVENT = encodedText('event');
export const KEY_KEY = encodedText('key');
export const KEY_VALUE = encodedText('value');
export const KEY_SCHEMA = encodedText('schema');
export const KEY_STATE = encodedText('state');
export const KEY_VERSION = encodedText('version');
export const KEY_INPUT = encodedText('input');
