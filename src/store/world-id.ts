import { StoreError } from './errors.ts';
import { WORLD_ID_CHARS_MAX } from './limits.ts';

// Letters, digits, '.', '_' and '-', not starting with punctuation: safe in file names, URLs
// and shell arguments without quoting.
const WORLD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Checks a world id from outside, saying what is wrong with a bad one. */
export function checkWorldId(worldId: string): void {
  if (worldId.length > WORLD_ID_CHARS_MAX) {
    throw new StoreError('BAD_WORLD_ID', `world id "${worldId.slice(0, 40)}…" has ${worldId.length} characters; WORLD_ID_CHARS_MAX is ${WORLD_ID_CHARS_MAX}`);
  }
  if (!WORLD_ID_PATTERN.test(worldId)) {
    throw new StoreError('BAD_WORLD_ID', `world id "${worldId}" may use only letters, digits, ".", "_" and "-", and must start with a letter or digit`);
  }
}
