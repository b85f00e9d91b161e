// Reading and checking a world bundle before anything of it is trusted (`aos world import`,
// `aos audit verify <bundle>`). In this order, each failure naming where it is:
// 1. the framing (byte offsets), the header's fields, every record decoding at its height, and
//    every CAS object hashing to the name the header lists for it;
// 2. the journal audit (audit.ts: hash chain up to the header's head, every receipt signature
//    against the keys the journal trusts, settlements, refusals) and the approval audit
//    (audit-approvals.ts: every principal's signature);
// 3. when both are clean: that the header agrees with the journal (genesis, manifest, trusted
//    keys, principals), that the objects are exactly the closure of the journal and meta, and
//    last the trailer's sha256 over everything before it, which catches a change anywhere else.
// Replay-or-die comes after, on the world written to a temporary folder (bundle-install.ts).
import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { CborError, hashBytes } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { KernelError, openRecord } from '../kernel/index.ts';
import type { SealedRecord } from '../kernel/index.ts';
import { auditJournal } from './audit.ts';
import type { AuditReport } from './audit.ts';
import { auditApprovals } from './audit-approvals.ts';
import type { ApprovalAuditReport } from './audit-approvals.ts';
import { casClosure } from './bundle-closure.ts';
import { decodeHeader, decodeTrailer, invalid, journalPrincipals, journalTrustedKeys } from './bundle-format.ts';
import type { BundleHeader } from './bundle-format.ts';
import { readItem } from './bundle-framing.ts';
import { recordShapeProblem } from './bundle-record-shape.ts';
import type { ProgressListener, WorldParts } from './bundle-source.ts';
import { NodeError } from './errors.ts';
import { BUNDLE_BYTES_MAX } from './limits.ts';

/** A bundle read whole, with its audits. */
export interface CheckedBundle {
  readonly header: BundleHeader;
  readonly parts: WorldParts;
  /** The trailer's hash. */
  readonly sha256: Hash;
  readonly journal: AuditReport;
  readonly approvals: ApprovalAuditReport;
}

/** Reads a bundle file; BUNDLE_INVALID when it cannot be read as one. */
export function readBundleFile(file: string): Uint8Array {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    throw new NodeError('BAD_INPUT', `cannot read the bundle ${file}: ${(error as Error).message}`, 'pass the path of a file written by `aos world export`', { cause: error });
  }
  if (size > BUNDLE_BYTES_MAX) throw invalid(`${file} is ${size} bytes, more than a bundle may be (${BUNDLE_BYTES_MAX}, BUNDLE_BYTES_MAX)`);
  return readFileSync(file);
}

/** Checks a bundle's bytes (steps 1–3 of the file comment); throws BUNDLE_INVALID for what is malformed, returns the audits. */
export function checkBundle(file: Uint8Array, onProgress?: ProgressListener): CheckedBundle {
  const headerItem = readItem(file, 0, 'the header');
  const header = decodeHeader(headerItem.bytes, headerItem.offset);
  let offset = headerItem.offset + headerItem.bytes.length;
  const records: SealedRecord[] = [];
  for (let height = 0; height < header.records; height += 1) {
    const item = readItem(file, offset, `journal record ${height}`);
    records.push(recordAt(item.bytes, height, item.offset));
    offset = item.offset + item.bytes.length;
    if (height % 1024 === 0) onProgress?.('checking records', height, header.records);
  }
  const objects = new Map<Hash, Uint8Array>();
  header.objects.forEach((expected, index) => {
    const item = readItem(file, offset, `CAS object ${index} (${expected})`);
    const actual = hashBytes(item.bytes);
    if (actual !== expected) throw invalid(`CAS object ${index} at byte ${item.offset} should be ${expected}, but its bytes hash to ${actual}: the object was altered`);
    objects.set(expected, item.bytes);
    offset = item.offset + item.bytes.length;
    if (index % 256 === 0) onProgress?.('checking CAS objects', index, header.objects.length);
  });
  const trailerStart = offset;
  const trailerItem = readItem(file, offset, 'the trailer');
  const sha256 = decodeTrailer(trailerItem.bytes);
  if (trailerItem.offset + trailerItem.bytes.length !== file.length) throw invalid(`${file.length - trailerItem.offset - trailerItem.bytes.length} bytes follow the trailer: the file was appended to`);
  const parts: WorldParts = { records, meta: header.meta, objects: header.objects, object: (hash) => objectOf(objects, hash) };
  onProgress?.('auditing the journal', 0, 0);
  const journal = auditOrInvalid(() => auditJournal(records, { height: header.world.head_height, hash: header.world.head_hash }));
  const approvals = auditOrInvalid(() => auditApprovals(records));
  if (journal.ok && approvals.ok) {
    checkAgreement(header, parts, objects);
    const digest = `sha256:${createHash('sha256').update(file.subarray(0, trailerStart)).digest('hex')}`;
    if (digest !== sha256) throw invalid(`the trailer records sha256 ${sha256}, but the bundle's content hashes to ${digest}: a byte outside the journal and the objects (the header or the trailer) was altered`);
  }
  return { header, parts, sha256, journal, approvals };
}

/** Throws BUNDLE_INVALID naming the first finding of the audits, if they found anything. */
export function failUnlessSound(checked: CheckedBundle): void {
  const first = checked.journal.findings[0] ?? checked.approvals.findings[0];
  if (first === undefined) return;
  const total = checked.journal.findings_total + checked.approvals.findings_total;
  throw invalid(`its journal fails the audit at height ${first.height} (${first.kind}) ${first.code}: ${first.message}${total > 1 ? ` (and ${total - 1} more finding(s): run \`aos audit verify\` on the bundle to see them)` : ''}`);
}

/** An audit that refuses a malformed record outright (a key that is no key id) instead of reporting a finding. */
function auditOrInvalid<T>(audit: () => T): T {
  try {
    return audit();
  } catch (error) {
    if (!(error instanceof KernelError || error instanceof CborError)) throw error;
    throw invalid(`its journal cannot be audited: ${error.message}`, error);
  }
}

function recordAt(bytes: Uint8Array, height: number, offset: number): SealedRecord {
  let record: SealedRecord;
  try {
    record = openRecord(bytes, height);
  } catch (error) {
    // openRecord converts a stamp's times with BigInt(), which throws a bare SyntaxError or
    // TypeError on a stamp that holds no integer; from a bundle, that is outside bytes to refuse.
    if (!(error instanceof KernelError || error instanceof CborError || error instanceof SyntaxError || error instanceof TypeError || error instanceof RangeError)) throw error;
    throw invalid(`journal record ${height} at byte ${offset}: ${error.message}`, error);
  }
  const problem = recordShapeProblem(record);
  if (problem !== null) throw invalid(`journal record ${height} at byte ${offset} (${String(record.body.kind).slice(0, 40)}) is malformed: ${problem}`);
  return record;
}

function objectOf(objects: ReadonlyMap<Hash, Uint8Array>, hash: Hash): Uint8Array {
  const bytes = objects.get(hash);
  if (bytes === undefined) throw new NodeError('BUNDLE_INVALID', `the world needs CAS object ${hash}, which the bundle does not hold`, 'export the world again: its bundle is incomplete');
  return bytes;
}

/** Step 3: the header agrees with the journal, and the objects are the closure. */
function checkAgreement(header: BundleHeader, parts: WorldParts, objects: ReadonlyMap<Hash, Uint8Array>): void {
  const genesis = parts.records[0];
  if (genesis === undefined || genesis.hash !== header.world.genesis) throw invalid(`header field world.genesis is ${header.world.genesis}, but the record at height 0 hashes to ${genesis?.hash ?? 'nothing (no records)'}`);
  if (genesis.body.kind !== 'manifest' || genesis.body.manifest_hash !== header.world.manifest_hash) throw invalid(`header field world.manifest_hash is ${header.world.manifest_hash}, but the journal's genesis record installs ${genesis.body.kind === 'manifest' ? genesis.body.manifest_hash : `no manifest (it is a ${genesis.body.kind} record)`}`);
  const manifestMeta = header.meta.find(([key]) => key === 'manifest_hash')?.[1];
  if (manifestMeta === undefined || new TextDecoder().decode(manifestMeta) !== header.world.manifest_hash) throw invalid(`header field meta.manifest_hash does not name the genesis manifest ${header.world.manifest_hash}`);
  const keys = JSON.stringify(journalTrustedKeys(parts.records));
  if (keys !== JSON.stringify(header.trusted_keys)) throw invalid(`header field trusted_keys lists ${JSON.stringify(header.trusted_keys)}, but the journal trusts ${keys}`);
  const principals = JSON.stringify(journalPrincipals(parts.records));
  if (principals !== JSON.stringify(header.principals)) throw invalid(`header field principals lists ${JSON.stringify(header.principals)}, but the journal's signed decisions are by ${principals}`);
  const closure = casClosure([...parts.records.map((record) => record.bytes), ...header.meta.map(([, value]) => value)], { has: (hash) => objects.has(hash), get: (hash) => objectOf(objects, hash) });
  const reachable = new Set(closure);
  const extra = header.objects.find((hash) => !reachable.has(hash));
  if (extra !== undefined) throw invalid(`CAS object ${extra} is not referenced by the world's journal or meta; a bundle holds only the world's closure`);
}
