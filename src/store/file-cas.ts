// Content-addressed storage in files: `<root>/.aos/cas/<2 hex>/<62 hex>`. Writes go to a
// temp file that is fsynced, renamed into place and its directory fsynced, so a crash
// leaves either nothing or the whole object; reads verify the hash.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { assert, hashBytes, parseHash } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';

/** Stable codes of store refusals. */
export type StoreErrorCode = 'CAS_CORRUPT' | 'CAS_MISSING' | 'IO';

/** The one error class of the store layer; match on `code`. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(readonly code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A file CAS rooted at a world folder. */
export class FileCas {
  readonly directory: string;

  constructor(worldRoot: string) {
    this.directory = join(worldRoot, '.aos', 'cas');
  }

  /** Stores bytes and returns their hash; storing the same bytes again changes nothing. */
  put(bytes: Uint8Array): Hash {
    const hash = hashBytes(bytes);
    const file = this.fileOf(hash);
    if (this.has(hash)) return hash;
    const folder = join(file, '..');
    mkdirSync(folder, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    try {
      const descriptor = openSync(temp, 'w');
      try {
        writeSync(descriptor, bytes);
        fsyncSync(descriptor);
      } finally {
        closeSync(descriptor);
      }
      renameSync(temp, file);
      syncDirectory(folder);
    } catch (error) {
      rmSync(temp, { force: true });
      throw new StoreError('IO', `cannot write ${file}: ${(error as Error).message}`, { cause: error });
    }
    assert(hashBytes(readFileSync(file)) === hash, 'CAS put: the stored file matches its name');
    return hash;
  }

  /** The bytes named by `hash`; refuses a missing object or one whose bytes no longer match. */
  get(hash: Hash): Uint8Array {
    const file = this.fileOf(hash);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StoreError('CAS_MISSING', `${hash} is not in the CAS at ${this.directory}`);
      throw new StoreError('IO', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
    }
    if (hashBytes(bytes) !== hash) {
      throw new StoreError('CAS_CORRUPT', `${file} no longer matches ${hash}; it was changed on disk: restore it from a backup or another replica`);
    }
    return bytes;
  }

  /** True when an object named `hash` is stored (without verifying its bytes). */
  has(hash: Hash): boolean {
    try {
      return statSync(this.fileOf(hash)).isFile();
    } catch {
      return false; // missing or unreadable: get() reports which
    }
  }

  private fileOf(hash: Hash): string {
    const digits = parseHash(hash, 'CAS hash').slice('sha256:'.length);
    return join(this.directory, digits.slice(0, 2), digits.slice(2));
  }
}

function syncDirectory(folder: string): void {
  const descriptor = openSync(folder, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
