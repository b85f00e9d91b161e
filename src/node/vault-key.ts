// The vault key: 32 bytes from the environment (AOS_VAULT_KEY, base64) or from the key file
// <root>/.aos/vault.key, created mode 0600 from the start ('wx' + fsync) and refused when its
// mode is looser. The key's bytes never appear in an error; a key id (a one-way digest) names it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lstatOrNull, PRIVATE_KEY_MODE, readPrivateKeyFile, syncFolder, writeNewFile } from './key-files.ts';
import { NodeError } from './errors.ts';

/** The environment variable that holds the vault key (32 bytes, base64); it wins over the key file. */
export const VAULT_KEY_ENV = 'AOS_VAULT_KEY';
/** Bytes of an AES-256 key. */
export const VAULT_KEY_BYTES = 32;

// 32 bytes in standard base64: 43 characters and one '='. Buffer.from(…, 'base64') ignores junk, so check first.
const KEY_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** A loaded vault key and where it came from. */
export interface VaultKey {
  readonly bytes: Buffer;
  /** Where the key came from, for messages: `environment variable AOS_VAULT_KEY` or the key file's path. */
  readonly source: string;
  /** A one-way id of the key (16 hex), recorded in each entry to tell a wrong key from tampering. */
  readonly id: string;
}

/** The key file of a root. */
export function vaultKeyFile(root: string): string {
  return join(root, '.aos', 'vault.key');
}

/**
 * The vault key: from the environment, else the key file. With `create`, a missing key file is
 * generated; without it, a missing key is VAULT_KEY (reads never create a key).
 */
export function loadVaultKey(root: string, env: Readonly<Record<string, string | undefined>>, create: boolean): VaultKey {
  const fromEnv = env[VAULT_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return parseKey(fromEnv.trim(), `environment variable ${VAULT_KEY_ENV}`);
  const file = vaultKeyFile(root);
  if (lstatOrNull(file) === null) {
    if (!create) {
      throw new NodeError('VAULT_KEY', `no vault key: ${VAULT_KEY_ENV} is not set and ${file} does not exist`,
        `set ${VAULT_KEY_ENV} to the key the vault was written with, or restore ${file}; a key file is created by the first \`aos vault put\``);
    }
    createKeyFile(file);
  }
  return parseKey(readPrivateKeyFile(file).trim(), file);
}

function createKeyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeNewFile(file, `${randomBytes(VAULT_KEY_BYTES).toString('base64')}\n`, PRIVATE_KEY_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return; // another process created it first: use theirs
    throw new NodeError('VAULT_KEY', `cannot create the vault key file ${file} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
      'check that the folder is writable', { cause: error });
  }
  syncFolder(dirname(file));
}

function parseKey(text: string, source: string): VaultKey {
  if (!KEY_BASE64.test(text)) {
    throw new NodeError('VAULT_KEY', `the vault key in ${source} is not ${VAULT_KEY_BYTES} bytes in base64 (44 characters ending in "=")`,
      `generate one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"`);
  }
  const bytes = Buffer.from(text, 'base64');
  const id = createHash('sha256').update('aos-vault-key-id\0').update(bytes).digest('hex').slice(0, 16);
  return { bytes, source, id };
}
