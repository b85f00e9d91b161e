// What the key commands do; loaded only when one of them runs. Output shows public ids and paths, never private bytes.
import { resolve } from 'node:path';
import { EmbeddedWorld, generateKey, listKeys, rotateAdapterKey } from '../../node/index.ts';
import type { KeyRotation } from '../../node/index.ts';
import { nodeRequest, nodeTarget, worldPath } from '../node-client.ts';
import { emit } from '../output.ts';
import type { OutputOptions } from '../output.ts';
import type { NodeOptions } from './world.ts';

export interface KeyRootOptions extends OutputOptions { readonly root: string }
export interface GenOptions extends KeyRootOptions { readonly name: string; readonly role: string }

export function gen(options: GenOptions): void {
  const key = generateKey(resolve(options.root), { name: options.name, role: options.role });
  emit(options, key, () => [
    `created ${key.role} key ${key.name}: ${key.public_key}`,
    `  private key ${key.private_key_file} (mode 0600; keep it secret, back it up)`,
    `  public key  ${key.public_key_file}`,
  ].join('\n'));
}

export function ls(options: KeyRootOptions): void {
  const root = resolve(options.root);
  const listing = listKeys(root);
  emit(options, listing, () => {
    const rows = listing.keys.map((key) => `${key.name.padEnd(20)} ${key.role.padEnd(9)} ${key.public_key}  ${key.created_at}`);
    const body = rows.length === 0 ? [`no keys in ${listing.directory}; create one with \`aos key gen --root ${options.root} --name <name> --role adapter|principal\``] : [`${'NAME'.padEnd(20)} ${'ROLE'.padEnd(9)} ${'PUBLIC KEY'.padEnd(72)}  CREATED`, ...rows];
    return [...body, ...listing.warnings.map((warning) => `warning: ${warning}`)].join('\n');
  });
}

/**
 * Rotation journals a key_rotation, so while a node serves the world it is the node that rotates
 * (a second writer beside it would fork the journal): it moves the key files of the world's
 * folder it shares with this CLI, and restarts its executor so receipts are signed with the new key.
 */
export async function rotate(name: string, options: NodeOptions): Promise<void> {
  const target = await nodeTarget(options);
  if (target !== null) {
    emitRotation(options, await nodeRequest<KeyRotation>(target, 'POST', worldPath(target, `/keys/${encodeURIComponent(name)}/rotate`)));
    return;
  }
  const world = await EmbeddedWorld.open(resolve(options.root));
  try {
    emitRotation(options, rotateAdapterKey(world, name));
  } finally {
    world.close();
  }
}

function emitRotation(options: OutputOptions, done: KeyRotation): void {
  emit(options, done, () => [
    `rotated adapter key ${done.adapter_id}: now ${done.trusted}`,
    done.retired === null ? '  the world did not trust the old key; it now trusts the new one' : `  retired ${done.retired}${done.height === null ? '' : ` from height ${done.height}`}: receipts it signs from now on are refused`,
    ...(done.retired_files === null ? [] : [`  old key files kept in ${done.retired_files}.{key,pub,json}`]),
    '  restart any running executor so it signs with the new key (a node that rotated it restarted its own)',
  ].join('\n'));
}
