// Encode + hash throughput of a ~1 KB record, the size of a typical journal entry or workflow state.
import { decodeCanonical, encodeCanonical, hashBytes, hashValue } from '../src/cbor/index.ts';
import type { CborValue } from '../src/cbor/index.ts';
import type { BenchResult } from './report.ts';

const WARMUP_ITERATIONS = 2_000;
const MEASURE_MS = 2_000;

function record(): CborValue {
  const items: CborValue[] = [];
  for (let i = 0; i < 12; i += 1) items.push({ id: i, name: `item-${i}`, qty: 1000 + i, tags: ['alpha', 'beta'], ok: i % 2 === 0 });
  return { $kind: 'record', world: 'bench/Counter@1', height: 123_456_789, payload: new Uint8Array(200).fill(7), items };
}

function measure(work: () => void): number {
  for (let i = 0; i < WARMUP_ITERATIONS; i += 1) work();
  let count = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(MEASURE_MS) * 1_000_000n;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < 200; i += 1) work();
    count += 200;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - started) / 1e9);
}

export async function run(): Promise<BenchResult> {
  const value = record();
  const bytes = encodeCanonical(value);
  const encodePerS = measure(() => { encodeCanonical(value); });
  const encodeHashPerS = measure(() => { hashValue(value); });
  const hashOnlyPerS = measure(() => { hashBytes(bytes); });
  const decodePerS = measure(() => { decodeCanonical(bytes); });
  return {
    name: 'cbor',
    metrics: {
      record_bytes: bytes.length,
      encode_per_s: Math.round(encodePerS),
      encode_hash_per_s: Math.round(encodeHashPerS),
      encode_hash_mb_per_s: Number(((encodeHashPerS * bytes.length) / 1e6).toFixed(2)),
      sha256_only_per_s: Math.round(hashOnlyPerS),
      strict_decode_per_s: Math.round(decodePerS),
    },
    params: { measure_ms: MEASURE_MS, warmup_iterations: WARMUP_ITERATIONS },
  };
}
