// Content-addressed storage in files: `<root>/.aos/cas/<2 hex>/<62 hex>`. Writes go to a
// temp file that is fsynced, renamed into place and its directory fsynced, so a crash
// leaves either nothing or the whole object; reads verify the hash.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assert, hashBytes, parseHash } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { StoreError } from './errors.ts';
import { CAS_OBJECT_BYTES_MAX, CAS_PUT_MANY_OBJECTS_MAX } from './limits.ts';
import type { CasStore } from './types.ts';

// Kept here too so that `import { StoreError } from './file-cas.ts'` goes on working.
export { StoreError } from './errors.ts';
export type { StoreErrorCode } from './errors.ts';

/** A file CAS rooted at a world folder. */
export class FileCas implements CasStore {
  readonly directory: string;

  constructor(worldRoot: string) {
    this.directory = join(worldRoot, '.aos', 'cas');
  }

  /** Stores bytes and returns their hash; storing the same bytes again changes nothing. */
  put(bytes: Uint8Array): Hash {
    const hash = hashBytes(bytes);
    const folder = this.writeObject(hash, bytes);
    if (folder !== null) syncDirectory(folder);
    return hash;
  }

  /** Files have no cheaper path than a durable put. */
  stage(bytes: Uint8Array): Hash {
    return this.put(bytes);
  }

  /**
   * Stores several objects: each is written, fsynced and renamed, then each folder touched
   * is fsynced once, so a batch of n objects spread over k folders costs n + k fsyncs.
   */
  putMany(batch: readonly Uint8Array[]): Hash[] {
    if (batch.length > CAS_PUT_MANY_OBJECTS_MAX) {
      throw new StoreError('LIMIT_EXCEEDED', `putMany of ${batch.length} objects into ${this.directory} exceeds CAS_PUT_MANY_OBJECTS_MAX (${CAS_PUT_MANY_OBJECTS_MAX}); split the batch`);
    }
    const folders = new Set<string>();
    const hashes = batch.map((bytes) => {
      const hash = hashBytes(bytes);
      const folder = this.writeObject(hash, bytes);
      if (folder !== null) folders.add(folder);
      return hash;
    });
    for (const folder of folders) syncDirectory(folder);
    return hashes;
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

  // Writes one object durably except for its folder's entry; returns the folder to fsync,
  // or null when the object was already stored.
  private writeObject(hash: Hash, bytes: Uint8Array): string | null {
    if (bytes.length > CAS_OBJECT_BYTES_MAX) {
      throw new StoreError('LIMIT_EXCEEDED', `a ${bytes.length}-byte object exceeds CAS_OBJECT_BYTES_MAX (${CAS_OBJECT_BYTES_MAX}); split it into chunks`);
    }
    const file = this.fileOf(hash);
    if (this.has(hash)) return null;
    const folder = dirname(file);
    mkdirSync(folder, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    try {
      const descriptor = openSync(temp, 'w');
      try {
        writeFully(descriptor, bytes);
        fsyncSync(descriptor);
      } finally {
        closeSync(descriptor);
      }
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw new StoreError('IO', `cannot write ${file}: ${(error as Error).message}`, { cause: error });
    }
    assert(hashBytes(readFileSync(file)) === hash, 'CAS put: the stored file matches its name');
    return folder;
  }

  private fileOf(hash: Hash): string {
    const digits = parseHash(hash, 'CAS hash').slice('sha256:'.length);
    return join(this.directory, digits.slice(0, 2), digits.slice(2));
  }
}

// writeSync may write less than asked (a full disk, a signal); each pass writes at least one
// byte or throws, so the loop ends within bytes.length passes.
function writeFully(descriptor: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length; ) {
    const written = writeSync(descriptor, bytes, offset, bytes.length - offset);
    assert(written > 0, 'writeSync makes progress or throws');
    offset += written;
  }
}

function syncDirectory(folder: string): void {
  try {
    const descriptor = openSync(folder, 'r');
    try {
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
  } catch (error) {
    throw new StoreError('IO', `cannot fsync folder ${folder}: ${(error as Error).message}`, { cause: error });
  }
}
