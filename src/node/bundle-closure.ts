// The CAS closure of a world: every object reachable from its journal records and its meta
// entries (manifest, built-in module bundles).
//
// How it is walked: every CAS reference in AgentOS is a hash text ("sha256:" + 64 hex digits)
// somewhere in canonical CBOR — in a record, an AIR node, a snapshot root, a cell index node, an
// effect's params or a receipt's payload (byte strings holding CBOR keep their text verbatim) —
// or in a JSON document (a patch doc). CBOR stores text as raw UTF-8, so scanning the raw bytes
// of each record and object for that pattern finds every reference without decoding each record
// kind. The scan is conservative: a hash that names no stored object (an intent hash, a record
// hash) is simply not followed, and a blob that happens to contain hash text pulls in at most
// the objects it names. Hashes kept as raw 32-byte digests (cell keys) are not CAS references.
import type { Hash } from '../cbor/index.ts';
import { NodeError } from './errors.ts';
import { BUNDLE_OBJECTS_MAX } from './limits.ts';

const HASH_TEXT = /sha256:[0-9a-f]{64}/g;

/** Every hash text in `bytes`, deduplicated (latin1 keeps one character per byte, so offsets and ASCII match). */
function hashesIn(bytes: Uint8Array): Set<Hash> {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return new Set(text.match(HASH_TEXT) as Hash[] | null ?? []);
}

/** Where the walk reads objects: a CAS (the source world's) or the objects of a bundle. */
export interface ClosureSource {
  has(hash: Hash): boolean;
  get(hash: Hash): Uint8Array;
}

/**
 * The objects reachable from `roots` (bytes to scan: records, meta values), sorted by hash.
 * Iterative with an explicit work list, bounded by BUNDLE_OBJECTS_MAX.
 */
export function casClosure(roots: Iterable<Uint8Array>, source: ClosureSource): Hash[] {
  const found = new Set<Hash>();
  const pending: Hash[] = [];
  const follow = (bytes: Uint8Array) => {
    for (const hash of hashesIn(bytes)) {
      if (found.has(hash) || !source.has(hash)) continue;
      if (found.size >= BUNDLE_OBJECTS_MAX) {
        throw new NodeError('BUNDLE_INVALID', `the world references more than ${BUNDLE_OBJECTS_MAX} CAS objects (BUNDLE_OBJECTS_MAX)`, 'a world this large cannot be moved as one bundle');
      }
      found.add(hash);
      pending.push(hash);
    }
  };
  for (const bytes of roots) follow(bytes);
  for (let hash = pending.pop(); hash !== undefined; hash = pending.pop()) follow(source.get(hash));
  return [...found].sort();
}
