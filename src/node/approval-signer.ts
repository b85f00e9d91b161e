// A principal's signing key for effect approvals (DESIGN §8): it signs a decision on an intent
// waiting for approval. As with ReceiptSigner, the private key never leaves this object: printing,
// inspecting or serialising it shows only its name and public key id.
import { sign as cryptoSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { assert } from '../cbor/index.ts';
import { approvalSigningBytes, governanceSigningBytes, publicKeyId, rawPublicKey, RECEIPT_SIGNATURE_BYTES } from '../kernel/index.ts';
import type { ApprovalInput, ApprovalSigningFields, GovernanceDecisionInput, GovernanceSigningFields, PublicKeyId } from '../kernel/index.ts';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Signs approval decisions with one principal's ed25519 private key. */
export class ApprovalSigner {
  /** The principal's public key id, as the manifest's approval_policy lists it. */
  readonly keyId: PublicKeyId;
  readonly #privateKey: KeyObject;

  constructor(readonly name: string, privateKey: KeyObject) {
    assert(privateKey.type === 'private' && privateKey.asymmetricKeyType === 'ed25519', 'an approval signer holds an ed25519 private key (the key store checks the file)');
    this.#privateKey = privateKey;
    this.keyId = publicKeyId(rawPublicKey(privateKey));
  }

  /** The signed approval input for these fields. */
  sign(fields: ApprovalSigningFields): ApprovalInput {
    const signature = new Uint8Array(cryptoSign(null, approvalSigningBytes(fields), this.#privateKey));
    assert(signature.length === RECEIPT_SIGNATURE_BYTES, 'an ed25519 signature is 64 bytes');
    return { intent_hash: fields.intent_hash, decision: fields.decision, principal: this.keyId, signature };
  }

  /** The signed decision on a proposal for these fields (governance: approve or reject a patch). */
  signGovernance(fields: GovernanceSigningFields): GovernanceDecisionInput {
    const signature = new Uint8Array(cryptoSign(null, governanceSigningBytes(fields), this.#privateKey));
    assert(signature.length === RECEIPT_SIGNATURE_BYTES, 'an ed25519 signature is 64 bytes');
    return { proposal_id: fields.proposal_id, decision: fields.decision, principal: this.keyId, ...(fields.reason !== null ? { reason: fields.reason } : {}), signature };
  }

  toString(): string {
    return `ApprovalSigner(${this.name}, ${this.keyId})`;
  }

  toJSON(): { name: string; public_key: PublicKeyId } {
    return { name: this.name, public_key: this.keyId };
  }

  [INSPECT](): string {
    return this.toString();
  }
}
