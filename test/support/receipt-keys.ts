// Receipt signing for tests: adapter keys derived from fixed seeds (so runs are reproducible),
// the trusted-keys map a World is created with, and receipts signed as an adapter would sign them.
import { createPrivateKey } from 'node:crypto';
import { ReceiptSigner } from '../../src/adapters/index.ts';
import { hashBytes } from '../../src/cbor/index.ts';
import type { Hash } from '../../src/cbor/index.ts';
import type { ReceiptInput, ReceiptUsage, TrustedReceiptKeys } from '../../src/kernel/index.ts';

/** DER prefix of a PKCS#8 ed25519 private key (RFC 8410); the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The signer of `adapterId` whose key is derived from `seed` (the same seed always gives the same key). */
export function testSigner(adapterId: string, seed = 1): ReceiptSigner {
  const raw = Buffer.alloc(32, seed & 0xff);
  raw.write(adapterId.slice(0, 16), 'utf8');
  return new ReceiptSigner(adapterId, createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, raw]), format: 'der', type: 'pkcs8' }));
}

/** The trusted keys of these signers, by adapter_id. */
export function trustedFor(...signers: readonly ReceiptSigner[]): TrustedReceiptKeys {
  const trusted = new Map<string, Uint8Array[]>();
  for (const signer of signers) trusted.set(signer.adapterId, [...(trusted.get(signer.adapterId) ?? []), signer.publicKey]);
  return trusted;
}

/** What a test says of a receipt; the signer adds adapter_id and the signature. */
export interface ReceiptBody {
  readonly intent_hash: Hash;
  readonly status: ReceiptInput['status'];
  readonly payload: Uint8Array;
  readonly cost_cents?: number;
  readonly usage?: ReceiptUsage;
}

/** A receipt signed by `signer` over exactly these fields. */
export function signedReceipt(signer: ReceiptSigner, body: ReceiptBody): ReceiptInput {
  const signature = signer.sign({
    intent_hash: body.intent_hash, adapter_id: signer.adapterId, status: body.status, payload_hash: hashBytes(body.payload),
    cost_cents: body.cost_cents ?? null, usage: body.usage ?? null,
  });
  return { ...body, adapter_id: signer.adapterId, signature };
}
