// Bounds of the node's secrets: the local vault and the .env reader. Kept apart from limits.ts
// until the lead folds them in (that file is being edited concurrently).
import { assert } from '../cbor/index.ts';

/** Largest secret value the vault stores: API keys and tokens are far smaller. */
export const VAULT_VALUE_BYTES_MAX = 64 * 1024;
/** Longest vault entry name (a binding_id such as `llm/openai_api`). */
export const VAULT_NAME_CHARS_MAX = 128;
/** Most versions one entry keeps: each put adds one, and none are dropped. */
export const VAULT_VERSIONS_MAX = 1_000;
/** Most entries a vault lists or scans. */
export const VAULT_ENTRIES_MAX = 10_000;
/** Largest vault file read back: a sealed value in base64 plus its metadata. */
export const VAULT_FILE_BYTES_MAX = 2 * VAULT_VALUE_BYTES_MAX + 4 * 1024;
/** Largest `.env` file read. */
export const DOTENV_BYTES_MAX = 1024 * 1024;

assert(VAULT_FILE_BYTES_MAX > Math.ceil(VAULT_VALUE_BYTES_MAX * 4 / 3), 'an entry file holds the base64 of the largest value');
assert(VAULT_VERSIONS_MAX >= 1 && VAULT_ENTRIES_MAX >= 1, 'a vault holds at least one entry of one version');
