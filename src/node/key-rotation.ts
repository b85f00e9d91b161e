// `aos key rotate <name>`: replaces an adapter key and moves the world's trust with it
// (kernel/trusted-keys.ts). Three steps, each safe to repeat, so an interrupted rotation is
// finished by running it again:
//   1. stage: generate the next key into <root>/.aos/keys/rotating/ (private key 0600 from
//      creation, like every key), or reuse the one an interrupted rotation staged;
//   2. journal: a key_rotation record trusts the next key and retires the current one from its
//      height on (skipped when the world already trusts the next key);
//   3. swap files: the current key's files move to <root>/.aos/keys/retired/<name>@<16 hex of its
//      public key>.*, kept for the record (its receipts stay verifiable from the journal alone),
//      and the staged key takes the name, so adapters sign with it from then on.
// Receipts the old key signs after step 2 are refused as KEY_RETIRED, so the executor of a
// running node must be restarted after a rotation (it loads its signers at start).
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { PublicKeyId } from '../kernel/index.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { KEYS_FOLDER_MODE, lstatOrNull, syncFolder } from './key-files.ts';
import { checkKeyName } from './key-name.ts';
import { generateKeyIn, keyFiles, keysDirectory, readKeyInfo } from './keys.ts';
import type { KeyInfo } from './keys.ts';

/** What a rotation did. */
export interface KeyRotation {
  readonly adapter_id: string;
  /** The key now named `adapter_id`, trusted by the world. */
  readonly trusted: PublicKeyId;
  /** The key retired (null when the world did not trust the old one). */
  readonly retired: PublicKeyId | null;
  /** Where the old key's files were moved. */
  readonly retired_files: string | null;
  /** The height of the key_rotation record (null when an interrupted rotation had journaled it). */
  readonly height: number | null;
}

/** The folder a rotation stages its next key in. */
export function rotatingDirectory(root: string): string {
  return join(keysDirectory(root), 'rotating');
}

/** The folder retired keys are kept in. */
export function retiredDirectory(root: string): string {
  return join(keysDirectory(root), 'retired');
}

/** Rotates adapter key `name` of the world's root (see the file comment); `now` is the node's clock. */
export function rotateAdapterKey(world: EmbeddedWorld, name: string, now: () => Date = () => new Date()): KeyRotation {
  const root = world.dir;
  checkKeyName(name);
  const current = lstatOrNull(keyFiles(root, name).meta) === null ? null : readKeyInfo(root, name);
  if (current !== null && current.role !== 'adapter') {
    throw new NodeError('KEY_ROLE', `key ${name} is a ${current.role} key; only adapter keys sign receipts and are rotated here`, 'principal keys are changed in the manifest\'s approval_policy, by governance');
  }
  const staged = lstatOrNull(keyFiles(root, name, rotatingDirectory(root)).meta) === null ? null : readKeyInfo(root, name, rotatingDirectory(root));
  if (current === null && staged === null) {
    throw new NodeError('NO_KEY', `no adapter key named ${name} in ${keysDirectory(root)}`, `list the keys with \`aos key ls --root ${root}\``);
  }
  const next = staged ?? generateKeyIn(root, rotatingDirectory(root), { name, role: 'adapter', now });
  const trustedNow = new Set((world.trustedKeys().get(name) ?? []).map((raw) => Buffer.from(raw).toString('hex')));
  const isTrusted = (key: PublicKeyId) => trustedNow.has(key.slice('ed25519:'.length));
  let height: number | null = null;
  const retiring = current !== null && isTrusted(current.public_key) ? current.public_key : null;
  if (!isTrusted(next.public_key)) {
    const records = world.rotateKeys({ adapter_id: name, trust: [next.public_key], retire: retiring === null ? [] : [retiring] });
    height = records[0]?.height ?? null;
  }
  const retiredFiles = current === null ? null : retireFiles(root, current);
  moveKey(keyFiles(root, name, rotatingDirectory(root)), keyFiles(root, name), 'last');
  syncFolder(rotatingDirectory(root));
  syncFolder(keysDirectory(root));
  return { adapter_id: name, trusted: next.public_key, retired: retiring, retired_files: retiredFiles, height };
}

function retireFiles(root: string, key: KeyInfo): string {
  const folder = retiredDirectory(root);
  mkdirSync(folder, { recursive: true, mode: KEYS_FOLDER_MODE });
  const base = `${key.name}@${key.public_key.slice('ed25519:'.length, 'ed25519:'.length + 16)}`;
  const target = { private: join(folder, `${base}.key`), public: join(folder, `${base}.pub`), meta: join(folder, `${base}.json`) };
  moveKey(keyFiles(root, key.name), target, 'first');
  syncFolder(folder);
  return join(folder, base);
}

/**
 * Moves a key's three files (renames keep the private key's 0600 mode). A key exists once its
 * metadata does, so the metadata moves first out of a name and last into one.
 */
function moveKey(from: { readonly private: string; readonly public: string; readonly meta: string }, to: { readonly private: string; readonly public: string; readonly meta: string }, meta: 'first' | 'last'): void {
  for (const part of ['meta', 'public', 'private'] as const) {
    if (lstatOrNull(to[part]) !== null) {
      throw new NodeError('KEY_EXISTS', `cannot move ${from[part]} to ${to[part]}: a file is already there`, 'move it aside, then run the rotation again');
    }
  }
  try {
    const order = meta === 'first' ? (['meta', 'public', 'private'] as const) : (['private', 'public', 'meta'] as const);
    for (const part of order) renameSync(from[part], to[part]);
  } catch (error) {
    throw new NodeError('BAD_INPUT', `cannot move key files from ${from.meta} to ${to.meta} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, 'check the keys folder, then run the rotation again to finish it', { cause: error });
  }
}
