// The node's encrypted local vault on the embedded default, in <root>/.aos/vault/ (mode 0700):
//   <hex of name>/<version>.json   one sealed version, written once ('wx', 0600, fsync), never changed
//   <hex of name>/active.json      the sealed number of the version in use, replaced atomically
// Each value is sealed with AES-256-GCM under the vault key (vault-key.ts), with the entry's
// name and version as additional authenticated data (vault-seal.ts). put adds version n+1 and
// makes it active; activate (vault.rotate) makes an earlier or later version active again after
// checking its digest. Old versions are kept. Values never appear in errors or listings.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { lstatOrNull, modeText, PRIVATE_KEY_MODE, syncFolder, writeNewFile } from './key-files.ts';
import { NodeError } from './errors.ts';
import { loadVaultKey, VAULT_KEY_ENV } from './vault-key.ts';
import type { VaultKey } from './vault-key.ts';
import { VAULT_ENTRIES_MAX, VAULT_FILE_BYTES_MAX, VAULT_NAME_CHARS_MAX, VAULT_VALUE_BYTES_MAX, VAULT_VERSIONS_MAX } from './limits.ts';
import { open, seal } from './vault-seal.ts';
import { dropStaged, readStaged, STAGED_FOLDER_NAME, stageValue } from './vault-staging.ts';
import type { SealedRecord } from './vault-seal.ts';

const ENTRY_FORMAT = 'aos-vault-entry@1';
const ACTIVE_FORMAT = 'aos-vault-active@1';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
const VERSION_FILE = /^([1-9][0-9]{0,8})\.json$/;
const FOLDER_MODE = 0o700;

/** One version of an entry, as put or activate report it: never the value. */
export interface VaultVersion {
  readonly name: string;
  readonly version: number;
  /** sha256 of the value (what a defsecret's expected_digest holds). */
  readonly digest: Hash;
}

/** One entry as the vault lists it: names and numbers only. */
export interface VaultEntryInfo {
  readonly name: string;
  readonly versions: readonly number[];
  readonly active: number;
}

/** The vault's entries and what is wrong with its files. */
export interface VaultListing {
  readonly directory: string;
  readonly entries: readonly VaultEntryInfo[];
  readonly warnings: readonly string[];
}

/** How a vault is opened: the environment (for AOS_VAULT_KEY) defaults to process.env. */
export interface VaultOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The folder of a root's vault. */
export function vaultDirectory(root: string): string {
  return join(root, '.aos', 'vault');
}

/** Checks a vault entry name (a binding_id): printable, bounded, no path syntax that matters (names are hex on disk). */
export function checkVaultName(name: string): string {
  if (name.length === 0 || name.length > VAULT_NAME_CHARS_MAX || !NAME_PATTERN.test(name)) {
    throw new NodeError('VAULT_BAD_INPUT', `vault entry name ${JSON.stringify(name.slice(0, VAULT_NAME_CHARS_MAX))} is not valid`,
      `use 1–${VAULT_NAME_CHARS_MAX} characters: letters, digits and . _ : / @ -, starting with a letter or digit (e.g. llm/openai_api)`);
  }
  return name;
}

/** The encrypted vault of one world root. */
export class Vault {
  readonly directory: string;
  readonly #root: string;
  readonly #env: Readonly<Record<string, string | undefined>>;
  #key: VaultKey | null = null;

  constructor(root: string, options: VaultOptions = {}) {
    this.#root = root;
    this.#env = options.env ?? process.env;
    this.directory = vaultDirectory(root);
  }

  /** Stores `value` as the entry's next version and makes it active. With `requestId`, a retried put returns the version it made. */
  put(name: string, value: Uint8Array, requestId?: string): VaultVersion {
    checkVaultName(name);
    if (value.byteLength > VAULT_VALUE_BYTES_MAX) {
      throw new NodeError('VAULT_BAD_INPUT', `the value for vault entry ${name} has ${value.byteLength} bytes; the vault holds at most ${VAULT_VALUE_BYTES_MAX} (VAULT_VALUE_BYTES_MAX)`, 'store large material as a blob and keep its key here');
    }
    const key = this.#keyFor(true);
    const folder = this.#entryFolder(name);
    mkdirSync(folder, { recursive: true, mode: FOLDER_MODE });
    const versions = this.#versions(name);
    // Refuse to add a version under another key than the entry's (a wrong AOS_VAULT_KEY would split the entry).
    if (versions.length > 0 && lstatOrNull(join(folder, 'active.json')) !== null) this.#activeVersion(name, key);
    if (requestId !== undefined) {
      const earlier = versions.find((version) => this.#readVersionFile(name, version).request_id === requestId);
      if (earlier !== undefined) return this.#activateChecked(name, earlier, null, key);
    }
    for (let version = (versions.at(-1) ?? 0) + 1, tries = 0; tries < VAULT_VERSIONS_MAX; version += 1, tries += 1) {
      if (version > VAULT_VERSIONS_MAX) break;
      const record = { format: ENTRY_FORMAT, name, version, ...(requestId !== undefined ? { request_id: requestId } : {}), ...seal(key, entryAad(name, version), value) };
      try {
        writeNewFile(join(folder, `${version}.json`), `${JSON.stringify(record)}\n`, PRIVATE_KEY_MODE);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // a concurrent put took this number
        throw fileError(`cannot write vault entry ${name} version ${version} in ${folder}`, error);
      }
      syncFolder(folder);
      this.#writeActive(name, version, key);
      return { name, version, digest: hashBytes(value) };
    }
    throw new NodeError('VAULT_BAD_INPUT', `vault entry ${name} already has ${VAULT_VERSIONS_MAX} versions (VAULT_VERSIONS_MAX)`, `move ${folder} aside and put the value again`);
  }

  /** Makes an existing version active (vault.rotate), refusing it when its value's digest is not `expectedDigest`. */
  activate(name: string, version: number, expectedDigest: Hash | null): VaultVersion {
    checkVaultName(name);
    return this.#activateChecked(name, version, expectedDigest, this.#keyFor(false));
  }

  /** The active version's value (or the given version's); refuses a tampered file, naming it. */
  read(name: string, version?: number): { readonly version: VaultVersion; readonly value: Uint8Array } {
    checkVaultName(name);
    const key = this.#keyFor(false);
    const chosen = version ?? this.#activeVersion(name, key);
    const value = this.#openVersion(name, chosen, key);
    return { version: { name, version: chosen, digest: hashBytes(value) }, value };
  }

  /** Seals `value` as staged for a vault.put (vault-staging.ts); returns the value_ref to put it by. */
  stage(value: Uint8Array): Hash {
    if (value.byteLength > VAULT_VALUE_BYTES_MAX) {
      throw new NodeError('VAULT_BAD_INPUT', `the value has ${value.byteLength} bytes; the vault holds at most ${VAULT_VALUE_BYTES_MAX} (VAULT_VALUE_BYTES_MAX)`, 'store large material as a blob and keep its key here');
    }
    return stageValue(this.directory, this.#keyFor(true), value);
  }

  /** The staged value named `digest`, or null when none is staged. */
  staged(digest: Hash): Uint8Array | null {
    return lstatOrNull(this.directory) === null ? null : readStaged(this.directory, this.#keyFor(false), digest);
  }

  /** Removes a staged value (a put consumed it). */
  dropStaged(digest: Hash): void {
    dropStaged(this.directory, digest);
  }

  /** The version an earlier put with `requestId` made of entry `name`, or null: a retried put returns it without its value. */
  earlierPut(name: string, requestId: string): VaultVersion | null {
    checkVaultName(name);
    const earlier = this.#versions(name).find((version) => this.#readVersionFile(name, version).request_id === requestId);
    return earlier === undefined ? null : this.#activateChecked(name, earlier, null, this.#keyFor(false));
  }

  /** True when the vault has an entry of this name. */
  has(name: string): boolean {
    return this.#versions(checkVaultName(name)).length > 0;
  }

  /** The entries, sorted by name: names and version numbers only, with warnings for loose modes or stray files. */
  list(): VaultListing {
    const directory = this.directory;
    const stats = lstatOrNull(directory);
    if (stats === null) return { directory, entries: [], warnings: [] };
    const warnings: string[] = [];
    if ((stats.mode & 0o077) !== 0) warnings.push(`vault folder ${directory} has mode ${modeText(stats.mode)}: chmod 700 ${directory}`);
    const entries: VaultEntryInfo[] = [];
    for (const folder of readdirSync(directory).sort().slice(0, VAULT_ENTRIES_MAX)) {
      if (folder === STAGED_FOLDER_NAME) continue;
      const name = nameFromFolder(folder);
      if (name === null) {
        warnings.push(`${join(directory, folder)} is not a vault entry folder; move it out of the vault`);
        continue;
      }
      const versions = this.#versions(name);
      const activeFile = join(this.#entryFolder(name), 'active.json');
      const active = lstatOrNull(activeFile) === null ? (versions.at(-1) ?? 0) : this.#activePointer(name).version;
      for (const version of versions) {
        const fileStats = lstatOrNull(join(this.#entryFolder(name), `${version}.json`));
        if (fileStats !== null && (fileStats.mode & 0o077) !== 0) warnings.push(`${join(this.#entryFolder(name), `${version}.json`)} has mode ${modeText(fileStats.mode)}: chmod 600 it`);
      }
      entries.push({ name, versions, active });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { directory, entries, warnings };
  }

  #keyFor(create: boolean): VaultKey {
    this.#key ??= loadVaultKey(this.#root, this.#env, create);
    return this.#key;
  }

  #entryFolder(name: string): string {
    return join(this.directory, Buffer.from(name, 'utf8').toString('hex'));
  }

  #versions(name: string): number[] {
    const folder = this.#entryFolder(name);
    if (lstatOrNull(folder) === null) return [];
    const versions: number[] = [];
    for (const file of readdirSync(folder)) {
      const match = VERSION_FILE.exec(file);
      if (match?.[1] !== undefined) versions.push(Number(match[1]));
    }
    return versions.sort((a, b) => a - b).slice(0, VAULT_VERSIONS_MAX);
  }

  #activateChecked(name: string, version: number, expectedDigest: Hash | null, key: VaultKey): VaultVersion {
    const digest = hashBytes(this.#openVersion(name, version, key));
    if (expectedDigest !== null && digest !== expectedDigest) {
      throw new NodeError('SECRET_DIGEST_MISMATCH', `vault entry ${name} version ${version} has digest ${digest}, not the expected ${expectedDigest}`,
        'rotate to the version whose digest you expect (`aos vault ls` lists the versions), or put the value first');
    }
    this.#writeActive(name, version, key);
    return { name, version, digest };
  }

  #activeVersion(name: string, key: VaultKey): number {
    const pointer = this.#activePointer(name);
    const plain = open(key, activeAad(name), pointer.record);
    if (plain === null) throw tampered(name, pointer.path, pointer.record, key);
    return Number(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  }

  #activePointer(name: string): { readonly path: string; readonly version: number; readonly record: SealedRecord } {
    const path = join(this.#entryFolder(name), 'active.json');
    if (lstatOrNull(path) === null) {
      throw new NodeError('VAULT_NO_ENTRY', `the vault has no entry ${name} (looked in ${this.#entryFolder(name)})`, `store it with \`aos vault put --root ${this.#root} --name ${name} --value-stdin\``);
    }
    const parsed = readJsonFile(path, name);
    if (parsed['format'] !== ACTIVE_FORMAT || typeof parsed['version'] !== 'number') throw damaged(name, path, 'it is not an active-version record');
    return { path, version: parsed['version'], record: sealedFields(parsed, name, path) };
  }

  #writeActive(name: string, version: number, key: VaultKey): void {
    const folder = this.#entryFolder(name);
    const target = join(folder, 'active.json');
    const temporary = join(folder, `active.${process.pid}.${Date.now()}.tmp`);
    const record = { format: ACTIVE_FORMAT, name, version, ...seal(key, activeAad(name), new TextEncoder().encode(String(version))) };
    try {
      writeNewFile(temporary, `${JSON.stringify(record)}\n`, PRIVATE_KEY_MODE);
      renameSync(temporary, target);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw fileError(`cannot record the active version of vault entry ${name} in ${folder}`, error);
    }
    syncFolder(folder);
  }

  #readVersionFile(name: string, version: number): { readonly path: string; readonly record: SealedRecord; readonly request_id: string | null } {
    const path = join(this.#entryFolder(name), `${version}.json`);
    if (lstatOrNull(path) === null) {
      throw new NodeError('VAULT_NO_ENTRY', `the vault has no version ${version} of entry ${name} (looked for ${path})`, `list the versions with \`aos vault ls --root ${this.#root}\``);
    }
    const parsed = readJsonFile(path, name);
    if (parsed['format'] !== ENTRY_FORMAT) throw damaged(name, path, 'it is not a vault entry record');
    const requestId = parsed['request_id'];
    return { path, record: sealedFields(parsed, name, path), request_id: typeof requestId === 'string' ? requestId : null };
  }

  #openVersion(name: string, version: number, key: VaultKey): Uint8Array {
    const file = this.#readVersionFile(name, version);
    const value = open(key, entryAad(name, version), file.record);
    if (value === null) throw tampered(name, file.path, file.record, key, version);
    return value;
  }
}

function entryAad(name: string, version: number): string {
  return `${ENTRY_FORMAT}\0${name}\0${version}`;
}

function activeAad(name: string): string {
  return `${ACTIVE_FORMAT}\0${name}`;
}

function nameFromFolder(folder: string): string | null {
  if (!/^(?:[0-9a-f]{2})+$/.test(folder)) return null;
  const name = Buffer.from(folder, 'hex').toString('utf8');
  return name.length <= VAULT_NAME_CHARS_MAX && NAME_PATTERN.test(name) && Buffer.from(name, 'utf8').toString('hex') === folder ? name : null;
}

function readJsonFile(path: string, name: string): Record<string, unknown> {
  const stats = lstatOrNull(path);
  if (stats === null || !stats.isFile() || stats.size > VAULT_FILE_BYTES_MAX) throw damaged(name, path, `it is not a regular file of at most ${VAULT_FILE_BYTES_MAX} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    // The parser's message quotes the file; keep it out (the file holds ciphertext, but say nothing of its bytes).
    throw damaged(name, path, 'it is not valid JSON', error instanceof SyntaxError ? undefined : error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw damaged(name, path, 'it is not a JSON object');
  return parsed as Record<string, unknown>;
}

function sealedFields(parsed: Record<string, unknown>, name: string, path: string): SealedRecord {
  const { key_id: keyId, nonce, ciphertext, tag } = parsed;
  if (typeof keyId !== 'string' || typeof nonce !== 'string' || typeof ciphertext !== 'string' || typeof tag !== 'string') throw damaged(name, path, 'its key_id, nonce, ciphertext or tag is missing');
  return { key_id: keyId, nonce, ciphertext, tag };
}

function tampered(name: string, path: string, record: SealedRecord, key: VaultKey, version?: number): NodeError {
  const what = version === undefined ? `the active-version record of vault entry ${name}` : `vault entry ${name} version ${version}`;
  if (record.key_id !== key.id) {
    return new NodeError('VAULT_KEY', `${what} (${path}) was written under vault key ${record.key_id}, but the key from ${key.source} is ${key.id}`,
      `use the vault key it was written with (set ${VAULT_KEY_ENV}, or restore the key file .aos/vault.key); nothing was decrypted`);
  }
  return new NodeError('VAULT_TAMPERED', `${what} (${path}) failed authentication: it was altered, or moved from another entry or version`,
    'restore the vault from a backup, or put the value again; nothing was decrypted');
}

function damaged(name: string, path: string, why: string, cause?: unknown): NodeError {
  return new NodeError('VAULT_TAMPERED', `vault file ${path} of entry ${name} is damaged: ${why}`, 'restore the vault from a backup, or put the value again', cause === undefined ? undefined : { cause });
}

function fileError(what: string, error: unknown): NodeError {
  return new NodeError('VAULT_BAD_INPUT', `${what} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, 'check that the folder is writable', { cause: error });
}
