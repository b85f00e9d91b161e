// Errors the SDK raises inside a module. They are module bugs (bad values, a malformed
// envelope), so the runtime reports them as `trapped`; a deliberate failure is a ModuleFailure.

/** Stable codes of SDK refusals. */
export type SdkErrorCode = 'CBOR_ENCODE' | 'CBOR_DECODE' | 'BAD_ENVELOPE' | 'BAD_RESULT' | 'NOT_A_RECEIPT';

/** The one error class of the SDK; match on `code`, read the message. */
export class SdkError extends Error {
  override readonly name = 'SdkError';
  constructor(readonly code: SdkErrorCode, message: string) {
    super(message);
  }
}
