/** Stable codes of the node layer's refusals. */
export type NodeErrorCode = 'WORLD_EXISTS' | 'NO_WORLD' | 'AIR_INVALID' | 'AIR_MISMATCH' | 'MODULE_ARTIFACT_MISSING' | 'REPLAY_FAILED' | 'BAD_INPUT' | 'READ_ONLY'
  | 'KEY_EXISTS' | 'NO_KEY' | 'BAD_KEY_NAME' | 'KEY_INSECURE' | 'KEY_CORRUPT' | 'KEY_ROLE'
  /** A receipt failed admission; its refusal is journaled as receipt_rejected. */
  | 'RECEIPT_REJECTED'
  /** No governance proposal has the id asked about (aos gov show, the control API). */
  | 'NO_PROPOSAL'
  /** No receipt settles the intent asked about (aos receipts show). */
  | 'NO_RECEIPT'
  // Secrets (vault, .env, secret resolution): no message or hint ever holds a secret's value.
  /** The vault key is missing, malformed, or not the key an entry was written with. */
  | 'VAULT_KEY'
  /** A vault file failed authentication or is damaged: never decrypted into garbage. */
  | 'VAULT_TAMPERED'
  /** No such vault entry or version. */
  | 'VAULT_NO_ENTRY'
  /** A name, value or digest given to the vault does not fit. */
  | 'VAULT_BAD_INPUT'
  /** The secret is not declared in the manifest, or the grant may not use it. */
  | 'SECRET_NOT_ALLOWED'
  /** The secret's binding gave no value (unset variable, missing .env entry or vault entry). */
  | 'SECRET_UNAVAILABLE'
  /** The value does not match the defsecret's expected_digest. */
  | 'SECRET_DIGEST_MISMATCH'
  /** The `.env` file cannot be read or parsed. */
  | 'DOTENV_INVALID'
  /** A proposal's patch did not compile; the rejection (with its reasons) is journaled. */
  | 'PROPOSAL_REJECTED'
  /** A shadow run could not be done (see the message). */
  | 'SHADOW_FAILED'
  /** A world bundle is malformed or was altered: the message names the byte offset, height, object or field. */
  | 'BUNDLE_INVALID'
  /** A fork was asked at a height or snapshot the source world cannot be cut at. */
  | 'FORK_INVALID'
  /** The folder an import or fork would write already holds a world. */
  | 'TARGET_EXISTS'
  /** A world could not write what it admitted (receipts written after the fact): it refuses all further use. */
  | 'WORLD_STOPPED';

/** The one error class of the node layer: what is wrong, where, and what to do. */
export class NodeError extends Error {
  override readonly name = 'NodeError';
  constructor(readonly code: NodeErrorCode, message: string, readonly hint?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
