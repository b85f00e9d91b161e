// Values staged for a vault.put, sealed, in <root>/.aos/vault/staged/<64 hex of sha256>.json.
//
// Why: sys/vault.put@1 takes its value by reference (value_ref, a sha256), as upstream. Were that
// a blob in the world's CAS, the plaintext would sit unencrypted next to the journal (and, for
// small objects, inside node.sqlite3 and its WAL, where deleting a row does not erase its bytes).
// So the vault adapter resolves value_ref only here: `aos vault stage` seals the value under the
// vault key at once (AES-256-GCM, bound to its digest), prints the ref to pass in the event that
// asks for the vault.put, and the put consumes the staged file. The plaintext never touches the
// world's CAS or journal: only its hash does.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { lstatOrNull, PRIVATE_KEY_MODE, readPrivateKeyFile, syncFolder, writeNewFile } from './key-files.ts';
import { NodeError } from './errors.ts';
import type { VaultKey } from './vault-key.ts';
import { VAULT_FILE_BYTES_MAX, VAULT_STAGED_VALUES_MAX } from './limits.ts';
import { open, seal } from './vault-seal.ts';

const STAGED_FORMAT = 'aos-vault-staged@1';
const FOLDER_MODE = 0o700;
const STAGED_FILE = /^([0-9a-f]{64})\.json$/;

/** The name of the folder of staged values inside the vault (not an entry: entry folders are hex). */
export const STAGED_FOLDER_NAME = 'staged';

/** The folder of a vault's staged values. */
export function stagedDirectory(vaultDirectory: string): string {
  return join(vaultDirectory, STAGED_FOLDER_NAME);
}

/** Seals `value` under `key` as a staged value; returns its ref (sha256). Staging the same value again changes nothing. */
export function stageValue(vaultDirectory: string, key: VaultKey, value: Uint8Array): Hash {
  const digest = hashBytes(value);
  const folder = stagedDirectory(vaultDirectory);
  mkdirSync(folder, { recursive: true, mode: FOLDER_MODE });
  const file = fileOf(folder, digest);
  if (lstatOrNull(file) !== null) return digest;
  const staged = readdirSync(folder).filter((name) => STAGED_FILE.test(name)).length;
  if (staged >= VAULT_STAGED_VALUES_MAX) {
    throw new NodeError('VAULT_BAD_INPUT', `the vault already holds ${staged} staged values (VAULT_STAGED_VALUES_MAX)`, `let the pending vault.put effects run, or delete stale files in ${folder}`);
  }
  try {
    writeNewFile(file, `${JSON.stringify({ format: STAGED_FORMAT, digest, ...seal(key, stagedAad(digest), value) })}\n`, PRIVATE_KEY_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return digest; // staged concurrently: the same value
    throw new NodeError('VAULT_BAD_INPUT', `cannot stage a value in ${folder} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, 'check that the folder is writable', { cause: error });
  }
  syncFolder(folder);
  return digest;
}

/** The staged value named `digest`, or null when none is staged; refuses a file that fails authentication or its digest. */
export function readStaged(vaultDirectory: string, key: VaultKey, digest: Hash): Uint8Array | null {
  const file = fileOf(stagedDirectory(vaultDirectory), digest);
  const stats = lstatOrNull(file);
  if (stats === null) return null;
  if (!stats.isFile() || stats.size > VAULT_FILE_BYTES_MAX) throw damaged(file, `it is not a regular file of at most ${VAULT_FILE_BYTES_MAX} bytes`);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readPrivateKeyFile(file)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof NodeError) throw error;
    throw damaged(file, 'it is not valid JSON');
  }
  const { key_id: keyId, nonce, ciphertext, tag } = parsed;
  if (parsed.format !== STAGED_FORMAT || parsed.digest !== digest || typeof keyId !== 'string' || typeof nonce !== 'string' || typeof ciphertext !== 'string' || typeof tag !== 'string') {
    throw damaged(file, 'it is not a staged value record for this digest');
  }
  const value = open(key, stagedAad(digest), { key_id: keyId, nonce, ciphertext, tag });
  if (value === null || hashBytes(value) !== digest) throw damaged(file, keyId !== key.id ? `it was sealed under vault key ${keyId}, not ${key.id}` : 'it failed authentication');
  return value;
}

/** Removes a staged value once a put has stored it. */
export function dropStaged(vaultDirectory: string, digest: Hash): void {
  const folder = stagedDirectory(vaultDirectory);
  rmSync(fileOf(folder, digest), { force: true });
  syncFolder(folder);
}

function fileOf(folder: string, digest: Hash): string {
  return join(folder, `${digest.slice('sha256:'.length)}.json`);
}

function stagedAad(digest: Hash): string {
  return `${STAGED_FORMAT}\0${digest}`;
}

function damaged(file: string, why: string): NodeError {
  return new NodeError('VAULT_TAMPERED', `staged vault value ${file} is damaged: ${why}`, 'stage the value again (aos vault stage); nothing was decrypted');
}
