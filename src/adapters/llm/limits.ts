// The bounds of the llm.generate adapter: each caps memory, time or work per execution.
import { assert } from '../../cbor/index.ts';
import { CAS_OBJECT_BYTES_MAX } from '../../store/index.ts';

/**
 * Largest provider response body the adapter reads (after fetch decoded any content-encoding).
 * The body is read in chunks and the read stops as soon as the total passes this bound, so
 * memory is bounded by it plus one chunk; the raw bytes become one CAS blob.
 */
export const LLM_RESPONSE_BYTES_MAX = 16 * 1024 * 1024;
/**
 * Per-request deadline the SDKs get. The executor's abort signal (the intent's deadline) is
 * the real bound and normally fires first; this keeps a forgotten deadline finite. It equals
 * the SDKs' own default, and passing it explicitly also stops the Anthropic SDK from refusing
 * a large max_tokens without streaming.
 */
export const LLM_REQUEST_TIMEOUT_MS = 10 * 60 * 1000;
/** max_tokens sent to Anthropic when the intent gives none (the Messages API requires one; upstream uses 4096). */
export const ANTHROPIC_MAX_TOKENS_DEFAULT = 4096;
/** Most messages one request may hold, over all its message blobs. */
export const LLM_MESSAGES_MAX = 10_000;
/** Most tool definitions one request may hold, over all its tool blobs. */
export const LLM_TOOLS_MAX = 1_000;
/** Longest error message (in UTF-16 units) kept in an error document; a provider's longer text is cut. */
export const LLM_ERROR_MESSAGE_CHARS_MAX = 2_000;
/** Largest script file the scripted provider reads. */
export const LLM_SCRIPT_BYTES_MAX = 16 * 1024 * 1024;
/** Longest delay a scripted reply may ask for. */
export const LLM_SCRIPT_DELAY_MS_MAX = 10 * 60 * 1000;
/** Deepest nesting of arrays and objects the adapter writes as JSON text (tool arguments, scripts). */
export const LLM_JSON_DEPTH_MAX = 128;
/**
 * Shortest API key the adapter redacts from what it writes. A shorter value is a placeholder
 * (local servers take "none" or "ollama"), and redacting it would mangle ordinary text and the
 * hashes inside the adapter's JSON blobs; real provider keys are 40 characters and more.
 */
export const LLM_SECRET_REDACT_CHARS_MIN = 8;
/** Decimal places a price (cents per million tokens) may have: prices are held exactly as micro-cents. */
export const LLM_PRICE_DECIMALS_MAX = 6;

assert(LLM_RESPONSE_BYTES_MAX <= CAS_OBJECT_BYTES_MAX, 'a raw response that fits the cap fits one CAS object');
assert(LLM_SCRIPT_BYTES_MAX <= CAS_OBJECT_BYTES_MAX, 'a script entry fits one CAS object');
assert(LLM_REQUEST_TIMEOUT_MS > 0 && LLM_REQUEST_TIMEOUT_MS <= 2_147_483_647, 'the request deadline fits a timer');
assert(LLM_SCRIPT_DELAY_MS_MAX <= 2_147_483_647, 'a scripted delay fits a timer');
assert(ANTHROPIC_MAX_TOKENS_DEFAULT > 0, 'the default max_tokens is positive');
