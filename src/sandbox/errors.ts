// Errors of the sandbox layer itself: a module that cannot be loaded, limits out of
// range, a worker that broke. A step that fails is not an error: it is a StepFailure.

/** Stable codes of sandbox refusals. */
export type SandboxErrorCode =
  | 'MODULE_TOO_LARGE'
  | 'MODULE_INIT_FAILED'
  | 'NO_ENTRY'
  | 'WRONG_MODULE_KIND'
  | 'WASM_INVALID'
  | 'WASM_IMPORTS_FORBIDDEN'
  | 'WASM_EXPORTS_MISSING'
  | 'WASM_MEMORY_TOO_LARGE'
  | 'LIMIT_ABOVE_MAX'
  | 'INPUT_TOO_LARGE'
  | 'INPUT_INVALID'
  | 'DISPOSED'
  | 'WORKER_FAILED';

/** The one error class of the sandbox layer; match on `code`. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  constructor(readonly code: SandboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
