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
