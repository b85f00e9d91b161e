// The bounds of the built-in adapters: each one caps memory, time or work per execution.
import { assert } from '../cbor/index.ts';
import { CAS_OBJECT_BYTES_MAX, JOURNAL_RECORD_BYTES_MAX } from '../store/index.ts';

/**
 * Largest HTTP response body the adapter reads (after fetch has decoded any gzip, deflate or br
 * content-encoding, so a compression bomb stops here too). The body is read in chunks and the
 * read is cancelled as soon as the total passes this bound: memory is bounded by it plus one chunk.
 */
export const HTTP_RESPONSE_BYTES_MAX = 16 * 1024 * 1024;
/**
 * Per-request deadline of the HTTP adapter when its options give none; the executor's abort
 * signal (the intent's own deadline) applies as well, whichever comes first. Upstream uses 30 s.
 */
export const HTTP_TIMEOUT_MS_DEFAULT = 30_000;
/** Most redirects an HTTP adapter may be configured to follow (fetch's own limit is 20). */
export const HTTP_REDIRECT_HOPS_MAX = 20;
/**
 * Largest blob `blob.get` returns. Its bytes travel inline in the receipt payload, which is
 * journaled and delivered to the workflow, so this stays well under one journal record.
 */
export const BLOB_GET_BYTES_MAX = 4 * 1024 * 1024;

assert(HTTP_RESPONSE_BYTES_MAX <= CAS_OBJECT_BYTES_MAX, 'a response body that fits the cap fits one CAS object');
assert(HTTP_TIMEOUT_MS_DEFAULT > 0, 'the default HTTP deadline is positive');
assert(HTTP_REDIRECT_HOPS_MAX >= 1, 'redirects can be enabled');
// Leaves room in the record for the receipt envelope, the signature and the ingress stamp.
assert(BLOB_GET_BYTES_MAX * 2 <= JOURNAL_RECORD_BYTES_MAX, 'a blob.get receipt fits one journal record');
