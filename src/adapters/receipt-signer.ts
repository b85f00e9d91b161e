// An adapter's signing key: it signs the receipts of the effects that adapter executed
// (DESIGN §7). The private key stays inside this object: nothing reads it back, and printing,
// inspecting or serialising the signer shows only its adapter_id and public key id.
import { sign as cryptoSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { assert } from '../cbor/index.ts';
import { publicKeyId, rawPublicKey, receiptSigningBytes, RECEIPT_SIGNATURE_BYTES, streamFrameSigningBytes } from '../kernel/index.ts';
import type { PublicKeyId, ReceiptSigningFields, StreamFrameSigningFields } from '../kernel/index.ts';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Signs receipts for one adapter_id with one ed25519 private key. */
export class ReceiptSigner {
  /** The raw 32-byte public key that verifies this signer's receipts. */
  readonly publicKey: Uint8Array;
  /** The public key's id, as the world's trusted keys and `aos key ls` show it. */
  readonly keyId: PublicKeyId;
  // A true private field: not enumerable, not reachable by reflection, not shown by inspect.
  readonly #privateKey: KeyObject;

  constructor(readonly adapterId: string, privateKey: KeyObject) {
    assert(adapterId.length > 0, 'a receipt signer has an adapter_id');
    assert(privateKey.type === 'private' && privateKey.asymmetricKeyType === 'ed25519', 'a receipt signer holds an ed25519 private key (the key store checks the file)');
    this.#privateKey = privateKey;
    this.publicKey = rawPublicKey(privateKey);
    this.keyId = publicKeyId(this.publicKey);
  }

  /** The 64-byte ed25519 signature over the receipt's canonical signing bytes. */
  sign(fields: ReceiptSigningFields): Uint8Array {
    assert(fields.adapter_id === this.adapterId, `the signer of adapter ${this.adapterId} signs only its own receipts (this one names ${fields.adapter_id})`);
    const signature = new Uint8Array(cryptoSign(null, receiptSigningBytes(fields), this.#privateKey));
    assert(signature.length === RECEIPT_SIGNATURE_BYTES, 'an ed25519 signature is 64 bytes');
    return signature;
  }

  /** The 64-byte ed25519 signature over a stream frame's canonical signing bytes (kernel/stream-frames.ts). */
  signFrame(fields: StreamFrameSigningFields): Uint8Array {
    assert(fields.adapter_id === this.adapterId, `the signer of adapter ${this.adapterId} signs only its own frames (this one names ${fields.adapter_id})`);
    const signature = new Uint8Array(cryptoSign(null, streamFrameSigningBytes(fields), this.#privateKey));
    assert(signature.length === RECEIPT_SIGNATURE_BYTES, 'an ed25519 signature is 64 bytes');
    return signature;
  }

  toString(): string {
    return `ReceiptSigner(${this.adapterId}, ${this.keyId})`;
  }

  toJSON(): { adapter_id: string; public_key: PublicKeyId } {
    return { adapter_id: this.adapterId, public_key: this.keyId };
  }

  [INSPECT](): string {
    return this.toString();
  }
}
