// The world bundle, version 1 (`aos world export` / `aos world import`): one deterministic,
// self-describing file holding a whole world. It is a CBOR sequence of byte strings
// (bundle-framing.ts):
//
//   header    canonical CBOR {format: "aos-bundle", version: 1,
//               world: {id, genesis, manifest_hash, head_height, head_hash},
//               meta: [[key, bytes], …] (the world's meta table, by key),
//               records: <count>, objects: [hash, …] (ascending),
//               trusted_keys: [[adapter_id, [key id, …]], …] (every key the journal ever trusts),
//               principals: [key id, …] (every principal whose signed decision is journaled)}
//   records   the journal's record bytes, height 0 first, one item each
//   objects   the CAS closure (bundle-closure.ts), one item each, in the header's order
//   trailer   canonical CBOR {sha256: <hash of every byte before the trailer item>}
//
// Nothing in it depends on when or where it was exported, so one world exports to the same
// bytes every time. The keys and principals are a readable copy of what the hash-chained journal
// already binds; import checks that they agree with it.
import { decodeCanonical, encodeCanonical, isCborObject, isHash } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import { isPublicKeyId } from '../kernel/index.ts';
import type { SealedRecord } from '../kernel/index.ts';
import { NodeError } from './errors.ts';
import { BUNDLE_OBJECTS_MAX, BUNDLE_RECORDS_MAX } from './limits.ts';

export const BUNDLE_FORMAT = 'aos-bundle';
export const BUNDLE_VERSION = 1;

/** Who the bundled world is and where its journal ends. */
export interface BundleWorld {
  readonly id: string;
  /** The hash of the journal's record at height 0: the world's lineage (a fork shares it). */
  readonly genesis: Hash;
  readonly manifest_hash: Hash;
  readonly head_height: number;
  readonly head_hash: Hash;
}

/** The bundle's header: what follows it, and the keys the journal trusts. */
export interface BundleHeader {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: typeof BUNDLE_VERSION;
  readonly world: BundleWorld;
  readonly meta: ReadonlyArray<readonly [string, Uint8Array]>;
  readonly records: number;
  readonly objects: readonly Hash[];
  readonly trusted_keys: ReadonlyArray<readonly [string, readonly string[]]>;
  readonly principals: readonly string[];
}

/** The header's canonical bytes. */
export function encodeHeader(header: BundleHeader): Uint8Array {
  return encodeCanonical(header as unknown as CborValue);
}

/** Decodes and checks the header's shape; BUNDLE_INVALID names the field. */
export function decodeHeader(bytes: Uint8Array, offset: number): BundleHeader {
  let value: CborValue;
  try {
    value = decodeCanonical(bytes);
  } catch (error) {
    throw invalid(`the header (bundle bytes ${offset} to ${offset + bytes.length - 1}) is not canonical CBOR: ${(error as Error).message}`, error);
  }
  if (!isCborObject(value)) throw invalid('the header is not a CBOR map');
  if (value.format !== BUNDLE_FORMAT) throw invalid(`header field format is ${JSON.stringify(String(value.format))}, expected "${BUNDLE_FORMAT}": this is not an AgentOS world bundle`);
  if (value.version !== BUNDLE_VERSION) throw invalid(`header field version is ${String(value.version)}; this AgentOS reads version ${BUNDLE_VERSION} (a newer AgentOS wrote it?)`);
  const world = value.world;
  if (world === undefined || !isCborObject(world) || typeof world.id !== 'string' || !isHash(world.genesis) || !isHash(world.manifest_hash) || !isHash(world.head_hash) || !isCount(world.head_height, BUNDLE_RECORDS_MAX)) {
    throw invalid('header field world must hold id, genesis, manifest_hash, head_height and head_hash');
  }
  if (!isCount(value.records, BUNDLE_RECORDS_MAX) || value.records !== world.head_height) throw invalid(`header field records (${String(value.records)}) must equal world.head_height (${String(world.head_height)})`);
  checkSortedList(value.objects, 'objects', isHash, BUNDLE_OBJECTS_MAX);
  checkSortedList(value.principals, 'principals', isPublicKeyId, BUNDLE_OBJECTS_MAX);
  checkPairs(value.meta, 'meta', (entry) => entry instanceof Uint8Array);
  checkPairs(value.trusted_keys, 'trusted_keys', (keys) => Array.isArray(keys) && keys.every(isPublicKeyId));
  return value as unknown as BundleHeader;
}

/** The trailer's canonical bytes: the hash of everything before it. */
export function encodeTrailer(sha256: Hash): Uint8Array {
  return encodeCanonical({ sha256 });
}

/** The hash a trailer records; BUNDLE_INVALID when it is not a trailer. */
export function decodeTrailer(bytes: Uint8Array): Hash {
  let value: CborValue;
  try {
    value = decodeCanonical(bytes);
  } catch (error) {
    throw invalid(`the trailer is not canonical CBOR: ${(error as Error).message}`, error);
  }
  if (!isCborObject(value) || !isHash(value.sha256) || Object.keys(value).length !== 1) throw invalid('the trailer must be {sha256: <hash>}');
  return value.sha256;
}

/** The keys a journal trusts at any height (its trusted_keys record and every rotation's trust), by adapter. */
export function journalTrustedKeys(records: Iterable<SealedRecord>): Array<[string, string[]]> {
  const keys = new Map<string, Set<string>>();
  const add = (adapter: string, key: string) => keys.set(adapter, (keys.get(adapter) ?? new Set()).add(key));
  for (const record of records) {
    const body = record.body;
    if (body.kind === 'trusted_keys') for (const entry of body.keys) add(entry.adapter_id, entry.public_key);
    if (body.kind === 'key_rotation') for (const key of body.trust) add(body.adapter_id, key);
  }
  return [...keys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([adapter, set]) => [adapter, [...set].sort()]);
}

/** Every principal whose signed decision (effect approval or governance decision) the journal holds. */
export function journalPrincipals(records: Iterable<SealedRecord>): string[] {
  const principals = new Set<string>();
  for (const record of records) {
    const body = record.body;
    if (body.kind === 'approval') principals.add(body.principal);
    if (body.kind === 'governance' && body.principal !== undefined) principals.add(body.principal);
  }
  return [...principals].sort();
}

function isCount(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

function checkSortedList(value: CborValue | undefined, field: string, check: (item: unknown) => boolean, max: number): void {
  if (!Array.isArray(value) || value.length > max) throw invalid(`header field ${field} must be a list of at most ${max} entries`);
  value.forEach((item, index) => {
    if (!check(item)) throw invalid(`header field ${field}[${index}] is ${JSON.stringify(String(item)).slice(0, 90)}, which is not valid there`);
    const before = value[index - 1];
    if (index > 0 && !(String(before) < String(item))) throw invalid(`header field ${field} is not in ascending order without repeats at entry ${index}`);
  });
}

function checkPairs(value: CborValue | undefined, field: string, check: (second: unknown) => boolean): void {
  if (!Array.isArray(value)) throw invalid(`header field ${field} must be a list of [name, value] pairs`);
  value.forEach((pair, index) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !check(pair[1])) throw invalid(`header field ${field}[${index}] is not a valid [name, value] pair`);
    const before = value[index - 1];
    if (index > 0 && !(Array.isArray(before) && String(before[0]) < pair[0])) throw invalid(`header field ${field} is not sorted by name without repeats at entry ${index}`);
  });
}

/** A BUNDLE_INVALID error: what is wrong, and what to do. */
export function invalid(what: string, cause?: unknown): NodeError {
  return new NodeError('BUNDLE_INVALID', `the bundle is invalid: ${what}`, 'the file was altered or damaged after export: export the world again, or use an untouched copy', cause === undefined ? undefined : { cause });
}
