// Choosing the root of a trace (upstream-kernel §7): by event hash, the first domain event with
// that hash; by correlation, the latest event of a schema whose value at a path of record fields
// has given canonical bytes. Pure.
import type { Hash } from '../cbor/index.ts';
import { bytesAtPath } from './event-bytes.ts';
import type { SealedRecord } from './records.ts';

/** The first domain event journaled with this event hash, if any. */
export function firstEventWithHash(records: Iterable<SealedRecord>, eventHash: Hash): SealedRecord | undefined {
  for (const record of records) {
    if (record.body.kind === 'domain_event' && record.body.event_hash === eventHash) return record;
  }
  return undefined;
}

/**
 * The latest domain event of `schema` whose canonical value bytes at `path` (record fields) equal
 * `expected`, and how many events matched in all. Typed values are canonical, so equal values
 * have equal bytes.
 */
export function latestEventWhere(records: Iterable<SealedRecord>, schema: string, path: readonly string[], expected: Uint8Array): { latest: SealedRecord | undefined; matches: number } {
  let latest: SealedRecord | undefined;
  let matches = 0;
  for (const record of records) {
    const body = record.body;
    if (body.kind !== 'domain_event' || body.schema !== schema) continue;
    const found = bytesAtPath(body.value, path);
    if (found === undefined || !sameBytes(found, expected)) continue;
    matches += 1;
    if (latest === undefined || record.height > latest.height) latest = record;
  }
  return { latest, matches };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}
