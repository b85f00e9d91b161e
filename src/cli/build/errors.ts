// Errors of the module build (bundling and the world's aos.sync.json).

/** Stable codes of build refusals. */
export type BuildErrorCode = 'BUNDLE_FAILED' | 'SYNC_CONFIG_INVALID' | 'MODULE_SOURCE_MISSING' | 'MODULE_NOT_IN_AIR';

/** The one error class of the build library; match on `code`. */
export class BuildError extends Error {
  override readonly name = 'BuildError';
  constructor(readonly code: BuildErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
