// File handling for the key store: new files are created with their final mode from the
// start and fsynced; private keys are read through one descriptor that is checked (regular
// file, owner-only mode, size) before a byte is read, so no check races the read.
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { NodeError } from './errors.ts';
import { KEY_FILE_BYTES_MAX } from './limits.ts';

/** Mode of a private key file: read and write by its owner only. */
export const PRIVATE_KEY_MODE = 0o600;
/** Mode of public key and metadata files. */
export const PUBLIC_FILE_MODE = 0o644;
/** Mode of the keys folder. */
export const KEYS_FOLDER_MODE = 0o700;

/**
 * Creates a file that must not exist yet ('wx': O_CREAT|O_EXCL), with `mode` from the start
 * (the umask can only tighten it), writes it whole and fsyncs it. EEXIST is left to the caller.
 */
export function writeNewFile(path: string, text: string | Uint8Array, mode: number): void {
  const descriptor = openSync(path, 'wx', mode);
  try {
    writeFileSync(descriptor, text);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** Makes a folder's entries durable (a new file is not durable until its folder is synced). */
export function syncFolder(folder: string): void {
  const descriptor = openSync(folder, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** Why a private key file may not be used, or null: not a regular file, or readable by others. */
export function findPrivateKeyFileProblem(path: string, stats: Stats): { message: string; hint: string } | null {
  if (stats.isSymbolicLink()) return { message: `private key ${path} is a symbolic link`, hint: `replace it with the key file itself, with mode 0600 (chmod 600 ${path})` };
  if (!stats.isFile()) return { message: `private key ${path} is not a regular file`, hint: 'remove it and generate the key again' };
  const loose = stats.mode & 0o077;
  if (loose !== 0) {
    return { message: `private key ${path} has mode ${modeText(stats.mode)}; group or others can ${loose & 0o044 ? 'read' : 'use'} it`, hint: `make it readable by its owner only: chmod 600 ${path}` };
  }
  return null;
}

/** Reads a private key file through O_NOFOLLOW, refusing a loose mode or an oversized file. */
export function readPrivateKeyFile(path: string): string {
  let descriptor: number;
  try {
    descriptor = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw insecure({ message: `private key ${path} is a symbolic link`, hint: `replace it with the key file itself, with mode 0600 (chmod 600 ${path})` }, error);
    if (code === 'ENOENT') throw new NodeError('KEY_CORRUPT', `private key ${path} is missing`, 'its metadata is there but the key is not: restore it from a backup, or delete the key\'s files and generate a new one', { cause: error });
    throw new NodeError('KEY_CORRUPT', `cannot open private key ${path} (${code ?? 'unknown error'})`, 'check the file and its permissions', { cause: error });
  }
  try {
    const stats = fstatSync(descriptor);
    const problem = findPrivateKeyFileProblem(path, stats);
    if (problem !== null) throw insecure(problem);
    if (stats.size > KEY_FILE_BYTES_MAX) throw new NodeError('KEY_CORRUPT', `private key ${path} is ${stats.size} bytes; a key file is at most ${KEY_FILE_BYTES_MAX}`, 'it is not a key this node wrote: restore it or generate a new one');
    return readFileSync(descriptor, 'utf8');
  } finally {
    closeSync(descriptor);
  }
}

/** lstat, or null when nothing is there. */
export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A mode's permission bits as four octal digits, e.g. 0644. */
export function modeText(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

function insecure(problem: { message: string; hint: string }, cause?: unknown): NodeError {
  return new NodeError('KEY_INSECURE', problem.message, problem.hint, cause === undefined ? undefined : { cause });
}
