// The node's signing keys on the embedded default, in <root>/.aos/keys/ (folder mode 0700):
//   <name>.key   the ed25519 private key, PKCS8 PEM, mode 0600 from creation
//   <name>.pub   the public key, SPKI PEM (for tools such as openssl)
//   <name>.json  metadata {name, role, public_key, created_at}, written last: a key exists once it does
// An adapter key's name is the adapter_id its receipts carry. Private key bytes never leave
// this file except inside a ReceiptSigner or an ApprovalSigner (principal keys); listings and errors show paths and public ids only.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ReceiptSigner } from '../adapters/receipt-signer.ts';
import { firstDifference, InvariantError } from '../cbor/index.ts';
import { isPublicKeyId, parsePublicKeyId, publicKeyId, rawPublicKey } from '../kernel/index.ts';
import type { PublicKeyId } from '../kernel/index.ts';
import { ApprovalSigner } from './approval-signer.ts';
import { NodeError } from './errors.ts';
import { findPrivateKeyFileProblem, KEYS_FOLDER_MODE, lstatOrNull, modeText, PRIVATE_KEY_MODE, PUBLIC_FILE_MODE, readPrivateKeyFile, syncFolder, writeNewFile } from './key-files.ts';
import { checkKeyName, checkKeyRole, isKeyName } from './key-name.ts';
import type { KeyRole } from './key-name.ts';
import { KEY_FILE_BYTES_MAX } from './limits.ts';

export type { KeyRole } from './key-name.ts';

const PUBLIC_PEM_HEADER = '-----BEGIN PUBLIC KEY-----';

/** One key as the store lists it: never its private bytes. */
export interface KeyInfo {
  readonly name: string;
  readonly role: KeyRole;
  readonly public_key: PublicKeyId;
  /** When the key was generated, by the node's clock (RFC 3339, UTC). */
  readonly created_at: string;
  readonly private_key_file: string;
  readonly public_key_file: string;
}

/** The keys in a root, and what is wrong with the folder (loose modes, stray or damaged files). */
export interface KeyListing {
  readonly directory: string;
  readonly keys: readonly KeyInfo[];
  readonly warnings: readonly string[];
}

/** What `generateKey` needs; `now` is the node's clock (tests pass a fixed one). */
export interface GenerateKeyOptions {
  readonly name: string;
  readonly role: string;
  readonly now?: () => Date;
}

/** The folder that holds a root's keys. */
export function keysDirectory(root: string): string {
  return join(root, '.aos', 'keys');
}

/** The suffix of a private key file in a keys folder. */
const KEY_FILE_SUFFIX = '.key';

/** The three files of key `name` in `folder` (the keys folder, or one of its rotation folders). */
export function keyFiles(root: string, name: string, folder = keysDirectory(root)): { readonly private: string; readonly public: string; readonly meta: string } {
  const base = join(folder, name);
  return { private: `${base}${KEY_FILE_SUFFIX}`, public: `${base}.pub`, meta: `${base}.json` };
}

/** Generates an ed25519 key pair under `name`; refuses to replace an existing key. */
export function generateKey(root: string, options: GenerateKeyOptions): KeyInfo {
  return generateKeyIn(root, keysDirectory(root), options);
}

/** generateKey into `folder` (the keys folder, or a subfolder of it such as the one a rotation stages its next key in). */
export function generateKeyIn(root: string, folder: string, options: GenerateKeyOptions): KeyInfo {
  const name = checkKeyName(options.name);
  const role = checkKeyRole(options.role);
  if (!statOrNull(root)?.isDirectory()) throw new NodeError('BAD_INPUT', `root ${root} is not a folder`, 'pass --root the world folder (it must exist)');
  const files = keyFiles(root, name, folder);
  refuseExisting(name, files);
  const pair = generateKeyPairSync('ed25519');
  const info: KeyInfo = {
    name, role, public_key: publicKeyId(rawPublicKey(pair.publicKey)), created_at: (options.now ?? (() => new Date()))().toISOString(),
    private_key_file: files.private, public_key_file: files.public,
  };
  const created: string[] = [];
  try {
    mkdirSync(folder, { recursive: true, mode: KEYS_FOLDER_MODE });
    // The private key first, exclusively: two concurrent `key gen`s of one name cannot both pass here.
    writeNewFile(files.private, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }), PRIVATE_KEY_MODE);
    created.push(files.private);
    writeNewFile(files.public, pair.publicKey.export({ format: 'pem', type: 'spki' }), PUBLIC_FILE_MODE);
    created.push(files.public);
    writeNewFile(files.meta, `${JSON.stringify({ name, role, public_key: info.public_key, created_at: info.created_at }, null, 2)}\n`, PUBLIC_FILE_MODE);
    created.push(files.meta);
    syncFolder(folder);
    syncFolder(dirname(folder));
  } catch (error) {
    for (const file of created) rmSync(file, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    if (code === 'EEXIST') refuseExisting(name, files);
    throw new NodeError('BAD_INPUT', `cannot write key ${name} in ${folder} (${code})`, 'check that the folder is writable; nothing was kept', { cause: error });
  }
  return info;
}

function refuseExisting(name: string, files: { readonly private: string; readonly public: string; readonly meta: string }): void {
  const present = [files.private, files.public, files.meta].filter((file) => lstatOrNull(file) !== null);
  if (present.length === 0) return;
  throw new NodeError('KEY_EXISTS', `a key named ${name} already exists (${present.join(', ')})`,
    'choose another --name; to replace this key, first remove the world\'s trust in it, then delete those files yourself (keys are never overwritten)');
}

/** The keys in a root, sorted by name, with a warning for every file that is not as the store left it. */
export function listKeys(root: string): KeyListing {
  const directory = keysDirectory(root);
  const stats = statOrNull(directory);
  if (stats === null) return { directory, keys: [], warnings: [] };
  const warnings: string[] = [];
  if ((stats.mode & 0o022) !== 0) warnings.push(`keys folder ${directory} has mode ${modeText(stats.mode)}; others can add or replace keys: chmod 700 ${directory}`);
  const entries = readdirSync(directory).sort();
  const keys: KeyInfo[] = [];
  for (const entry of entries.filter((file) => file.endsWith('.json'))) {
    const name = entry.slice(0, -'.json'.length);
    try {
      keys.push(readKeyInfo(root, name));
    } catch (error) {
      if (!(error instanceof NodeError)) throw error;
      warnings.push(`${error.message}${error.hint !== undefined ? ` (${error.hint})` : ''}`);
      continue;
    }
    const privateFile = keyFiles(root, name).private;
    const privateStats = lstatOrNull(privateFile);
    const problem = privateStats === null ? { message: `private key ${privateFile} is missing`, hint: `restore it from a backup, or delete ${name}.pub and ${name}.json` } : findPrivateKeyFileProblem(privateFile, privateStats);
    if (problem !== null) warnings.push(`${problem.message}: ${problem.hint}`);
  }
  for (const entry of entries.filter((file) => file.endsWith('.key'))) {
    const name = entry.slice(0, -'.key'.length);
    if (!entries.includes(`${name}.json`)) warnings.push(`${join(directory, entry)} has no metadata file (an interrupted \`aos key gen\`?); delete it, or restore ${name}.json from a backup`);
  }
  return { directory, keys, warnings };
}

/** Loads an adapter key as the signer of its receipts (adapter_id = key name); refuses a loose or damaged key file. */
export function loadSigner(root: string, name: string): ReceiptSigner {
  const info = readKeyInfo(root, checkKeyName(name));
  if (info.role !== 'adapter') {
    throw new NodeError('KEY_ROLE', `key ${name} is a ${info.role} key; receipts are signed with adapter keys`, `generate one with \`aos key gen --root ${root} --name <adapter_id> --role adapter\``);
  }
  return new ReceiptSigner(name, loadPrivateKey(info));
}

/**
 * Loads a principal key as the signer of approvals; refuses an adapter key, or a loose or damaged
 * key file. `key` is a key name in `root`'s keys, or the path of a private key file `aos key gen`
 * made in any root (`<other root>/.aos/keys/<name>.key`): a person's key need not live in the
 * world it approves for.
 */
export function loadApprovalSigner(root: string, key: string): ApprovalSigner {
  const { keyRoot, name } = principalKeyLocation(root, key);
  const info = readKeyInfo(keyRoot, checkKeyName(name));
  if (info.role !== 'principal') {
    throw new NodeError('KEY_ROLE', `key ${name} is an ${info.role} key; approvals are signed with principal keys`, `generate one with \`aos key gen --root ${root} --name <name> --role principal\` and list its public key in the manifest's approval_policy`);
  }
  return new ApprovalSigner(name, loadPrivateKey(info));
}

/** Where a principal key named on the command line lives: a name in `root`, or a key file's own root. */
function principalKeyLocation(root: string, key: string): { readonly keyRoot: string; readonly name: string } {
  if (!key.includes(sep) && !key.endsWith(KEY_FILE_SUFFIX)) return { keyRoot: root, name: key };
  const file = resolve(key);
  const folder = dirname(file);
  if (!file.endsWith(KEY_FILE_SUFFIX) || basename(folder) !== 'keys' || basename(dirname(folder)) !== '.aos') {
    throw new NodeError('BAD_INPUT', `${key} is not a private key file made by aos key gen (those are <root>/.aos/keys/<name>${KEY_FILE_SUFFIX})`,
      'pass a key name from this root\'s `aos key ls`, or the path of a .key file in another root\'s .aos/keys');
  }
  return { keyRoot: dirname(dirname(folder)), name: basename(file, KEY_FILE_SUFFIX) };
}


function loadPrivateKey(info: KeyInfo): KeyObject {
  const privateKey = parsePrivateKey(info.private_key_file, readPrivateKeyFile(info.private_key_file));
  if (firstDifference(rawPublicKey(privateKey), parsePublicKeyId(info.public_key)) !== -1) {
    throw new NodeError('KEY_CORRUPT', `private key ${info.private_key_file} does not match the public key ${info.public_key} recorded for ${info.name}`,
      'one of the key\'s files was replaced: restore them from a backup, or delete them and generate a new key');
  }
  return privateKey;
}

function parsePrivateKey(path: string, pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    // The parser's message is kept as the cause only: it never quotes the key, but the message needs no detail.
    throw new NodeError('KEY_CORRUPT', `private key ${path} is not a PEM private key`, 'restore it from a backup, or delete the key\'s files and generate a new key', { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new NodeError('KEY_CORRUPT', `private key ${path} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; AgentOS keys are ed25519`, 'generate one with `aos key gen`');
  }
  return key;
}

/** The metadata of key `name` in `folder` (by default the keys folder), checked against its public key file. */
export function readKeyInfo(root: string, name: string, folder = keysDirectory(root)): KeyInfo {
  const files = keyFiles(root, name, folder);
  if (!isKeyName(name)) throw new NodeError('KEY_CORRUPT', `${files.meta} is not named after a valid key name`, 'it was not written by `aos key gen`: move it out of the keys folder');
  const text = readMetadata(files.meta, root, name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the text around the error, and a misplaced private key must not be quoted: keep only the position.
    const at = error instanceof SyntaxError ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    throw new NodeError('KEY_CORRUPT', `key metadata ${files.meta} is not valid JSON${at === undefined ? '' : ` (at character ${at})`}`, 'restore it from a backup, or delete the key\'s files and generate a new key');
  }
  const meta = parsed as Record<string, unknown>;
  const bad = typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) ? 'it is not a JSON object'
    : meta.name !== name ? `its name is ${JSON.stringify(meta.name)}, not ${JSON.stringify(name)}`
      : meta.role !== 'adapter' && meta.role !== 'principal' ? `its role ${JSON.stringify(meta.role)} is not adapter or principal`
        : !isPublicKeyId(meta.public_key) ? 'its public_key is not an ed25519:<64 hex> id'
          : typeof meta.created_at !== 'string' || Number.isNaN(Date.parse(meta.created_at)) ? 'its created_at is not a time' : null;
  if (bad !== null) throw new NodeError('KEY_CORRUPT', `key metadata ${files.meta} is damaged: ${bad}`, 'restore it from a backup, or delete the key\'s files and generate a new key');
  checkPublicFile(files.public, meta.public_key as PublicKeyId);
  return {
    name, role: meta.role as KeyRole, public_key: meta.public_key as PublicKeyId, created_at: meta.created_at as string,
    private_key_file: files.private, public_key_file: files.public,
  };
}

function readMetadata(path: string, root: string, name: string): string {
  const stats = statOrNull(path);
  if (stats === null) throw new NodeError('NO_KEY', `no key named ${name} in ${keysDirectory(root)}`, `list the keys with \`aos key ls --root ${root}\`, or create it with \`aos key gen --root ${root} --name ${name} --role adapter\``);
  if (!stats.isFile() || stats.size > KEY_FILE_BYTES_MAX) throw new NodeError('KEY_CORRUPT', `key metadata ${path} is not a small regular file`, 'it was not written by `aos key gen`: move it out of the keys folder');
  return readFileSync(path, 'utf8');
}

function checkPublicFile(path: string, expected: PublicKeyId): void {
  const stats = statOrNull(path);
  if (stats === null || !stats.isFile() || stats.size > KEY_FILE_BYTES_MAX) {
    throw new NodeError('KEY_CORRUPT', `public key ${path} is missing or not a small regular file`, `rewrite it from the metadata's public key ${expected}, or delete the key's files and generate a new key`);
  }
  if (publicKeyFromPem(readFileSync(path, 'utf8')) !== expected) throw new NodeError('KEY_CORRUPT', `public key ${path} does not hold ${expected}, the key its metadata records`, 'one of the key\'s files was replaced: restore them from a backup, or delete them and generate a new key');
}

/** The id of the ed25519 public key in a PEM text, or null when it holds none (a private key does not count). */
function publicKeyFromPem(pem: string): PublicKeyId | null {
  if (!pem.startsWith(PUBLIC_PEM_HEADER)) return null;
  try {
    return publicKeyId(rawPublicKey(createPublicKey({ key: pem, format: 'pem' })));
  } catch (error) {
    if (error instanceof InvariantError) throw error;
    return null; // node:crypto refused the PEM, or the key is not ed25519: the caller reports it as a mismatch
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
}
