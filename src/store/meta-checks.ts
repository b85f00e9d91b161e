import { StoreError } from './errors.ts';
import { META_ENTRIES_MAX, META_KEY_CHARS_MAX, META_VALUE_BYTES_MAX } from './limits.ts';

/** Checks a meta key: non-empty and within META_KEY_CHARS_MAX. */
export function checkMetaKey(scope: string, key: string): void {
  if (key.length === 0 || key.length > META_KEY_CHARS_MAX) {
    throw new StoreError('LIMIT_EXCEEDED', `${scope} meta: a key must have 1 to ${META_KEY_CHARS_MAX} characters (META_KEY_CHARS_MAX), got ${key.length}`);
  }
}

/** Checks a put: the value within META_VALUE_BYTES_MAX, and room for a new key. */
export function checkMetaPut(scope: string, key: string, value: Uint8Array, isNewKey: boolean, entryCount: number): void {
  checkMetaKey(scope, key);
  if (value.length > META_VALUE_BYTES_MAX) {
    throw new StoreError('LIMIT_EXCEEDED', `${scope} meta "${key}": a ${value.length}-byte value exceeds META_VALUE_BYTES_MAX (${META_VALUE_BYTES_MAX}); store it in CAS and keep its hash here`);
  }
  if (isNewKey && entryCount >= META_ENTRIES_MAX) {
    throw new StoreError('LIMIT_EXCEEDED', `${scope} meta: already ${entryCount} entries (META_ENTRIES_MAX); delete unused keys before adding "${key}"`);
  }
}
