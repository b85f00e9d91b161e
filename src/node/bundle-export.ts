// `aos world export`: writes a world folder's whole world as one bundle file (bundle-format.ts).
// The file is written beside its destination and renamed into place once complete and synced,
// so a crash never leaves a half-written bundle under the requested name.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Hash } from '../cbor/index.ts';
import { byteStringHead } from './bundle-framing.ts';
import { BUNDLE_FORMAT, BUNDLE_VERSION, encodeHeader, encodeTrailer, journalPrincipals, journalTrustedKeys } from './bundle-format.ts';
import type { BundleHeader } from './bundle-format.ts';
import { openWorldSource, readWorldParts } from './bundle-source.ts';
import type { ProgressListener, WorldParts } from './bundle-source.ts';
import { EMBEDDED_WORLD_ID } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { BUNDLE_BYTES_MAX } from './limits.ts';

/** What an export wrote. */
export interface ExportSummary {
  readonly file: string;
  readonly bytes: number;
  readonly records: number;
  readonly objects: number;
  readonly head_height: number;
  readonly head_hash: Hash;
  /** The trailer's hash: a fingerprint of the whole bundle. */
  readonly sha256: Hash;
}

/** Exports the world of folder `dir` to `file`. */
export function exportWorld(dir: string, file: string, onProgress?: ProgressListener): ExportSummary {
  const source = openWorldSource(dir);
  try {
    const parts = readWorldParts(source.world, undefined, onProgress);
    return writeBundle(file, headerOf(parts), parts, onProgress);
  } finally {
    source.store.close();
  }
}

/** The header describing `parts`. */
function headerOf(parts: WorldParts): BundleHeader {
  const first = parts.records[0];
  const last = parts.records.at(-1);
  const manifest = parts.meta.find(([key]) => key === 'manifest_hash')?.[1];
  if (first === undefined || last === undefined || manifest === undefined) {
    throw new NodeError('NO_WORLD', 'the world has no journal or no manifest yet, so there is nothing to export', 'create the world first (`aos world create`)');
  }
  return {
    format: BUNDLE_FORMAT, version: BUNDLE_VERSION,
    world: { id: EMBEDDED_WORLD_ID, genesis: first.hash, manifest_hash: new TextDecoder().decode(manifest) as Hash, head_height: last.height + 1, head_hash: last.hash },
    meta: parts.meta, records: parts.records.length, objects: parts.objects,
    trusted_keys: journalTrustedKeys(parts.records), principals: journalPrincipals(parts.records),
  };
}

function writeBundle(file: string, header: BundleHeader, parts: WorldParts, onProgress?: ProgressListener): ExportSummary {
  const temporary = `${file}.partial-${process.pid}`;
  const descriptor = openSync(temporary, 'w', 0o644);
  const digest = createHash('sha256');
  let bytes = 0;
  let open = true;
  const write = (content: Uint8Array, hashed: boolean) => {
    for (const chunk of [byteStringHead(content.length), content]) {
      if (hashed) digest.update(chunk);
      writeSync(descriptor, chunk);
      bytes += chunk.length;
    }
    if (bytes > BUNDLE_BYTES_MAX) throw new NodeError('BAD_INPUT', `the bundle would exceed ${BUNDLE_BYTES_MAX} bytes (BUNDLE_BYTES_MAX)`, 'a world this large cannot be moved as one bundle');
  };
  try {
    write(encodeHeader(header), true);
    parts.records.forEach((record, index) => {
      write(record.bytes, true);
      if (index % 1024 === 0) onProgress?.('writing records', index, parts.records.length);
    });
    parts.objects.forEach((hash, index) => {
      write(parts.object(hash), true);
      if (index % 256 === 0) onProgress?.('writing CAS objects', index, parts.objects.length);
    });
    const sha256 = `sha256:${digest.digest('hex')}` as Hash;
    write(encodeTrailer(sha256), false);
    fsyncSync(descriptor);
    closeSync(descriptor);
    open = false;
    renameSync(temporary, file);
    return { file, bytes, records: header.records, objects: header.objects.length, head_height: header.world.head_height, head_hash: header.world.head_hash, sha256 };
  } catch (error) {
    if (open) closeSync(descriptor);
    rmSync(temporary, { force: true });
    throw error;
  }
}
