// Bounds of the session workflow, named once (DESIGN: limits live in the layer's limits.ts).

/** LLM turns one run may take; the turn after the last is refused and the run fails with `turn_cap_reached`. */
export const RUN_TURNS_MAX = 32;
/** Tool calls one LLM turn may ask for; more are answered with a `too_many_tool_calls` error result each. */
export const TOOL_CALLS_PER_TURN_MAX = 64;
/** Bytes of one tool result shown to the model as text; longer results are cut and marked truncated. */
export const TOOL_RESULT_TEXT_BYTES_MAX = 8 * 1024;
/** Length of an LLM-visible tool name (upstream: `[A-Za-z0-9_-]{1,64}`). */
export const TOOL_NAME_LENGTH_MAX = 64;
/** Steer or follow-up texts queued at once; more are refused so a flood cannot grow the state. */
export const PENDING_TEXTS_MAX = 32;

/** llm.generate calls one turn may make when they fail with a retryable code; the last failure fails the run. */
export const LLM_ATTEMPTS_MAX = 4;
/** Backoff before the second attempt; each later one doubles it (logical time, through timer.set). */
export const LLM_RETRY_DELAY_BASE_MS = 1_000;
/** Longest backoff between two attempts, however many came before. */
export const LLM_RETRY_DELAY_CAP_MS = 30_000;

/** Context window assumed for a model the table below does not name and no run limit sets. */
export const CONTEXT_TOKENS_DEFAULT = 128_000;
/** Context windows of the models the agent is usually run with (tokens of prompt and history). */
export const CONTEXT_TOKENS_BY_MODEL: Readonly<Record<string, number>> = Object.freeze({
  'gpt-5.2': 400_000, 'gpt-5.3-codex': 400_000, 'gpt-5-mini': 400_000, 'claude-sonnet-4-5': 200_000,
});
/** Percent of the window the estimate may reach before older turns are summarised. */
export const CONTEXT_HIGH_WATER_PERCENT = 80;
/** Bytes of JSON counted as one token when no receipt has measured the messages yet. */
export const CONTEXT_BYTES_PER_TOKEN = 4;
/** Compactions the session remembers; older records are dropped (the transcript keeps everything). */
export const COMPACTION_RECORDS_MAX = 16;
/**
 * Summarised transcript messages the session state keeps before moving them out, as one
 * transcript segment blob: without this the state grows with every message (and every step
 * carries it across the sandbox edge) until it passes the module's output limit.
 */
export const TRANSCRIPT_ARCHIVE_REFS_MIN = 32;
/** Messages at least in the older part for a compaction to be worth its llm.generate call. */
export const COMPACTION_MESSAGES_MIN = 2;
/** Output tokens the summarisation call may take. */
export const COMPACTION_SUMMARY_TOKENS_MAX = 2_048;

// Checked at import: a base above the cap would make every backoff the cap, and a run must try once.
if (LLM_RETRY_DELAY_BASE_MS > LLM_RETRY_DELAY_CAP_MS || LLM_ATTEMPTS_MAX < 1) throw new Error('agent limits: retry base exceeds its cap, or no attempt allowed');
if (CONTEXT_HIGH_WATER_PERCENT <= 0 || CONTEXT_HIGH_WATER_PERCENT >= 100) throw new Error('agent limits: the context high-water mark must be a percent strictly between 0 and 100');

/** Patch ops one propose_change may carry: a change an approver can still read in one sitting. */
export const PROPOSAL_PATCH_OPS_MAX = 64;
