/** Stable codes of the adapter layer's refusals (an adapter's failures at execution are error receipts, not these). */
export type AdapterErrorCode =
  | 'BAD_OPTION'
  // Workspace trees (src/adapters/workspace): a bad path or name, a missing or wrong-kind entry,
  // a node that is not a workspace tree, an operation over a named bound.
  | 'WORKSPACE_PATH_INVALID'
  | 'WORKSPACE_NAME_INVALID'
  | 'WORKSPACE_ENTRY_MISSING'
  | 'WORKSPACE_ENTRY_KIND'
  | 'WORKSPACE_TREE_INVALID'
  | 'WORKSPACE_TOO_LARGE'
  // introspect.*: an unknown workflow, a key that does not fit it, a consistency the head cannot serve.
  | 'INTROSPECT_INVALID'
  // host.* (src/adapters/host): each becomes the receipt's error_code, lower case without the
  // HOST_ prefix (HOST_PATH_ESCAPE → "path_escape").
  | 'HOST_INVALID_PARAMS'
  | 'HOST_PATH_ESCAPE'
  | 'HOST_INVALID_PATH'
  | 'HOST_NOT_FOUND'
  | 'HOST_EXISTS'
  | 'HOST_NOT_A_FILE'
  | 'HOST_NOT_A_DIRECTORY'
  | 'HOST_SESSION_NOT_FOUND'
  | 'HOST_SESSION_EXPIRED'
  | 'HOST_SESSION_CLOSED'
  | 'HOST_WORKDIR_NOT_ALLOWED'
  | 'HOST_UNSUPPORTED'
  | 'HOST_TOO_LARGE'
  | 'HOST_NO_MATCH'
  | 'HOST_AMBIGUOUS_MATCH'
  | 'HOST_PATCH_INVALID'
  | 'HOST_PATCH_CONFLICT'
  | 'HOST_SPAWN_FAILED'
  | 'HOST_PATTERN_TIMEOUT';

/**
 * The one error class of the adapter layer: a misconfigured adapter, refused when it is built, or
 * a request an adapter's library refuses (the adapter turns those into error receipts).
 */
export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  constructor(readonly code: AdapterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
