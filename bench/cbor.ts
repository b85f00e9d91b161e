// Encode + hash throughput of a ~1 KB record, the size of a typical journal entry or workflow state,
// and decode throughput of it and of a journal-shaped record: our decoder (decoder.ts) against the
// cborg decoder it replaced (cborg-decoder.ts), strict (decodeCanonical) and verified (decodeVerified).
import { decodeCanonical, decodeVerified, encodeCanonical, hashBytes, hashValue } from '../src/cbor/index.ts';
import type { CborValue } from '../src/cbor/index.ts';
import { decodeCanonicalCborg, decodeVerifiedCborg } from '../src/cbor/cborg-decoder.ts';
import type { BenchResult } from './report.ts';

const WARMUP_ITERATIONS = 2_000;
const MEASURE_MS = 2_000;
/** Before/after pairs are measured in alternating slices of this length, so a change in machine load hits both alike. */
const PAIR_SLICE_MS = 250;

function record(): CborValue {
  const items: CborValue[] = [];
  for (let i = 0; i < 12; i += 1) items.push({ id: i, name: `item-${i}`, qty: 1000 + i, tags: ['alpha', 'beta'], ok: i % 2 === 0 });
  return { $kind: 'record', world: 'bench/Counter@1', height: 123_456_789, payload: new Uint8Array(200).fill(7), items };
}

/** A domain-event journal record as src/kernel/records.ts seals it (without an ingress stamp). */
function journalRecord(): CborValue {
  const hash = `sha256:${'3f'.repeat(32)}`;
  return {
    kind: 'domain_event', schema: 'bench/Counter.Event@1', value: new Uint8Array(24).fill(3), event_hash: hash,
    origin: { kind: 'workflow', module: 'bench/Counter@1' }, height: 123_456, prev: hash,
  };
}

function runFor(work: () => void, durationMs: number): { count: number; seconds: number } {
  let count = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(durationMs) * 1_000_000n;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < 200; i += 1) work();
    count += 200;
    now = process.hrtime.bigint();
  }
  return { count, seconds: Number(now - started) / 1e9 };
}

function measure(work: () => void): number {
  for (let i = 0; i < WARMUP_ITERATIONS; i += 1) work();
  const { count, seconds } = runFor(work, MEASURE_MS);
  return count / seconds;
}

/** Operations per second of `before` and `after`, each run for MEASURE_MS in alternating slices. */
function measurePair(before: () => void, after: () => void): readonly [number, number] {
  for (let i = 0; i < WARMUP_ITERATIONS; i += 1) { before(); after(); }
  const totalBefore = { count: 0, seconds: 0 };
  const totalAfter = { count: 0, seconds: 0 };
  for (let slice = 0; slice < MEASURE_MS / PAIR_SLICE_MS; slice += 1) {
    for (const [work, total] of [[before, totalBefore], [after, totalAfter]] as const) {
      const { count, seconds } = runFor(work, PAIR_SLICE_MS);
      total.count += count;
      total.seconds += seconds;
    }
  }
  return [totalBefore.count / totalBefore.seconds, totalAfter.count / totalAfter.seconds];
}

interface DecodeRates {
  readonly strictCborg: number;
  readonly strict: number;
  readonly verifiedCborg: number;
  readonly verified: number;
}

/** Strict and verified decodes per second of one payload: cborg's (before) and ours (after). */
function decodeRates(bytes: Uint8Array): DecodeRates {
  const [strictCborg, strict] = measurePair(() => { decodeCanonicalCborg(bytes); }, () => { decodeCanonical(bytes); });
  const [verifiedCborg, verified] = measurePair(() => { decodeVerifiedCborg(bytes); }, () => { decodeVerified(bytes); });
  return { strictCborg: Math.round(strictCborg), strict: Math.round(strict), verifiedCborg: Math.round(verifiedCborg), verified: Math.round(verified) };
}

export async function run(): Promise<BenchResult> {
  const value = record();
  const bytes = encodeCanonical(value);
  const journalBytes = encodeCanonical(journalRecord());
  const encodePerS = measure(() => { encodeCanonical(value); });
  const encodeHashPerS = measure(() => { hashValue(value); });
  const hashOnlyPerS = measure(() => { hashBytes(bytes); });
  const recordRates = decodeRates(bytes);
  const journalRates = decodeRates(journalBytes);
  return {
    name: 'cbor',
    metrics: {
      record_bytes: bytes.length,
      encode_per_s: Math.round(encodePerS),
      encode_hash_per_s: Math.round(encodeHashPerS),
      encode_hash_mb_per_s: Number(((encodeHashPerS * bytes.length) / 1e6).toFixed(2)),
      sha256_only_per_s: Math.round(hashOnlyPerS),
      strict_decode_cborg_per_s: recordRates.strictCborg,
      strict_decode_per_s: recordRates.strict,
      verified_decode_cborg_per_s: recordRates.verifiedCborg,
      verified_decode_per_s: recordRates.verified,
      journal_record_bytes: journalBytes.length,
      journal_strict_cborg_per_s: journalRates.strictCborg,
      journal_strict_per_s: journalRates.strict,
      journal_verified_cborg_per_s: journalRates.verifiedCborg,
      journal_verified_per_s: journalRates.verified,
    },
    params: { measure_ms: MEASURE_MS, warmup_iterations: WARMUP_ITERATIONS, pair_slice_ms: PAIR_SLICE_MS },
  };
}
