// Cost of a receipt signature (DESIGN §7): canonical signing bytes, ed25519 sign, and verify
// per receipt, with the public KeyObject cached (the usual case: few adapter keys) and without
// (every receipt from a key not seen recently), next to node:crypto alone on the same bytes.
import { generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { ReceiptSigner } from '../src/adapters/index.ts';
import { assert, hashBytes } from '../src/cbor/index.ts';
import { checkReceiptSignature, PUBLIC_KEY_OBJECTS_CACHED_MAX, receiptSigningBytes, verifyReceiptSignature } from '../src/kernel/index.ts';
import type { ReceiptSigningFields } from '../src/kernel/index.ts';
import type { BenchResult } from './report.ts';

const WARMUP_ITERATIONS = 2_000;
const MEASURE_MS = 2_000;
/** More keys than the KeyObject cache holds, visited in turn, so every verification misses it. */
const COLD_KEYS = PUBLIC_KEY_OBJECTS_CACHED_MAX * 2;

function measure(work: (index: number) => void): number {
  for (let i = 0; i < WARMUP_ITERATIONS; i += 1) work(i);
  let count = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(MEASURE_MS) * 1_000_000n;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < 100; i += 1) work(count + i);
    count += 100;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - started) / 1e9);
}

function receipt(index: number): ReceiptSigningFields {
  return {
    intent_hash: hashBytes(Uint8Array.of(index & 0xff, index >> 8)), adapter_id: 'llm.openai-chat', status: 'ok',
    payload_hash: hashBytes(Uint8Array.of(7)), cost_cents: 12, usage: { prompt_tokens: 1_200, completion_tokens: 340 },
  };
}

export async function run(): Promise<BenchResult> {
  const signer = new ReceiptSigner('llm.openai-chat', generateKeyPairSync('ed25519').privateKey);
  const fields = receipt(1);
  const signature = signer.sign(fields);
  const trusted = new Map([[signer.adapterId, [signer.publicKey]]]);
  const coldSigners = Array.from({ length: COLD_KEYS }, () => new ReceiptSigner('llm.openai-chat', generateKeyPairSync('ed25519').privateKey));
  const coldSignatures = coldSigners.map((cold) => cold.sign(fields));

  // node:crypto alone on the same bytes: what the wrapping (fields check, encoding, cache) adds is the difference.
  const { privateKey: rawPrivate, publicKey: rawPublic } = generateKeyPairSync('ed25519');
  const bytes = receiptSigningBytes(fields);
  const rawSignature = cryptoSign(null, bytes, rawPrivate);
  const rawSignPerS = measure(() => { cryptoSign(null, bytes, rawPrivate); });
  const rawVerifyPerS = measure(() => { cryptoVerify(null, bytes, rawPublic, rawSignature); });
  const bytesPerS = measure(() => { receiptSigningBytes(fields); });
  const signPerS = measure((i) => { signer.sign(receipt(i)); });
  const verifyPerS = measure(() => { assert(verifyReceiptSignature(signer.publicKey, fields, signature), 'the bench receipt verifies'); });
  const checkPerS = measure(() => { assert(checkReceiptSignature(trusted, fields, signature).ok, 'the bench receipt verifies'); });
  const coldPerS = measure((i) => {
    const cold = coldSigners[i % COLD_KEYS];
    assert(cold !== undefined && verifyReceiptSignature(cold.publicKey, fields, coldSignatures[i % COLD_KEYS] ?? new Uint8Array()), 'the bench receipt verifies');
  });
  const us = (perS: number) => Number((1e6 / perS).toFixed(2));
  return {
    name: 'signing',
    metrics: {
      signing_bytes: bytes.length,
      node_crypto_sign_us: us(rawSignPerS),
      node_crypto_verify_us: us(rawVerifyPerS),
      signing_bytes_us: us(bytesPerS),
      sign_us: us(signPerS),
      sign_per_s: Math.round(signPerS),
      verify_us: us(verifyPerS),
      verify_per_s: Math.round(verifyPerS),
      check_trusted_us: us(checkPerS),
      verify_uncached_key_us: us(coldPerS),
      verify_uncached_key_per_s: Math.round(coldPerS),
    },
    params: { measure_ms: MEASURE_MS, warmup_iterations: WARMUP_ITERATIONS, uncached_keys: COLD_KEYS, key_objects_cached_max: PUBLIC_KEY_OBJECTS_CACHED_MAX },
  };
}
