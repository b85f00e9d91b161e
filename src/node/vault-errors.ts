// The errors of the node's secrets (vault, .env, secret resolution). Shaped like NodeError (code,
// message, hint, cause) so the lead can fold these codes into NodeErrorCode; kept here while
// errors.ts is being edited concurrently. No message or hint ever holds a secret's value.

/** Stable codes of refusals about secrets. */
export type VaultErrorCode =
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
  | 'DOTENV_INVALID';

/** A refusal about secrets: what is wrong, where it was looked for, what to do; never the value. */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(readonly code: VaultErrorCode, message: string, readonly hint?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
