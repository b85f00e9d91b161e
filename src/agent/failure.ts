// Refusals: a session event that cannot apply fails the step with a typed code, so the kernel
// journals a workflow_fault and keeps the state exactly as it was (upstream's SessionReduceError).
import { ModuleFailure } from 'agentos/sdk';

/** Codes of refused session events (upstream's SessionReduceError variants, snake_case). */
export type RefusalCode =
  | 'invalid_lifecycle_transition' | 'host_command_rejected' | 'missing_provider' | 'missing_model'
  | 'run_already_active' | 'run_not_active' | 'tool_profile_unknown' | 'unknown_tool_override'
  | 'invalid_tool_registry' | 'too_many_pending_texts' | 'wrong_session' | 'invalid_limits';

export function refuse(code: RefusalCode, message: string): never {
  throw new ModuleFailure(code, message);
}

/**
 * Why a run failed (upstream's canonical FailureCode, plus the workflow's own run-level codes).
 * Retries have one owner per code: the workflow retries the retryable ones (RETRYABLE_CODES).
 */
export type FailureCode =
  | 'policy_denied' | 'capability_denied' | 'validation_error' | 'adapter_timeout' | 'adapter_error'
  | 'provider_retryable' | 'provider_terminal' | 'tool_not_found' | 'tool_invalid_args' | 'invariant_violation'
  | 'unknown_failure' | 'budget_exhausted' | 'turn_cap_reached';

const CANONICAL: ReadonlySet<string> = new Set<FailureCode>([
  'policy_denied', 'capability_denied', 'validation_error', 'adapter_timeout', 'adapter_error', 'provider_retryable',
  'provider_terminal', 'tool_not_found', 'tool_invalid_args', 'invariant_violation', 'unknown_failure', 'budget_exhausted', 'turn_cap_reached',
]);

/** Codes a later attempt of the same request may get past. */
const RETRYABLE_CODES: ReadonlySet<FailureCode> = new Set<FailureCode>(['provider_retryable', 'adapter_timeout', 'adapter_error']);

/** The LLM adapter's codes (src/adapters/llm/llm-reply.ts, in finish_reason.raw of a failed receipt), canonically. */
const LLM_ADAPTER_CODES: Readonly<Record<string, FailureCode>> = Object.freeze({
  TIMEOUT: 'adapter_timeout',
  RATE_LIMITED: 'provider_retryable',
  PROVIDER_ERROR: 'provider_retryable',
  NETWORK_FAILED: 'adapter_error',
  MALFORMED_RESPONSE: 'provider_terminal',
  RESPONSE_TOO_LARGE: 'provider_terminal',
  PROVIDER_FAILED: 'provider_terminal',
  BAD_REQUEST: 'provider_terminal',
  AUTH_FAILED: 'provider_terminal',
  UNSUPPORTED: 'provider_terminal',
  SCRIPT_EXHAUSTED: 'provider_terminal',
  SCRIPTED_ERROR: 'provider_terminal',
  INVALID_PARAMS: 'validation_error',
  BAD_MESSAGE: 'validation_error',
  BAD_TOOL: 'validation_error',
  BAD_OPTIONS: 'validation_error',
  BLOB_MISSING: 'validation_error',
  UNKNOWN_PROVIDER: 'validation_error',
  LITERAL_API_KEY: 'capability_denied',
  NO_API_KEY: 'capability_denied',
  SECRET_UNAVAILABLE: 'capability_denied',
});

export function isRetryable(code: FailureCode): boolean {
  return RETRYABLE_CODES.has(code);
}

/** A failed LLM call, canonically: its code and what the receipt said. */
export interface LlmFailureOf { readonly code: FailureCode; readonly detail: string }

/**
 * The failure an llm.generate receipt reports, or null when it succeeded. The adapter writes its
 * code into finish_reason.raw (a canonical code there, in any case, is taken as is); a receipt the
 * executor wrote itself (its payload a message) has only its status: timeout or adapter error.
 */
export function llmFailureOf(status: string, payload: unknown): LlmFailureOf | null {
  const record = typeof payload === 'object' && payload !== null ? payload as { output_ref?: unknown; finish_reason?: { reason?: unknown; raw?: unknown } } : null;
  const raw = typeof record?.finish_reason?.raw === 'string' ? record.finish_reason.raw : null;
  if (status === 'ok') {
    if (record !== null && typeof record.output_ref === 'string') return null;
    return { code: 'invariant_violation', detail: 'an ok llm.generate receipt names no output_ref' };
  }
  const message = typeof payload === 'string' ? payload : raw ?? status;
  if (raw !== null) {
    const lower = raw.toLowerCase();
    const code = CANONICAL.has(lower) ? lower as FailureCode : LLM_ADAPTER_CODES[raw];
    if (code !== undefined) return { code, detail: `llm.generate ${status}: ${raw}` };
  }
  if (status === 'timeout') return { code: 'adapter_timeout', detail: `llm.generate timed out: ${message}` };
  if (typeof payload === 'string') return { code: 'adapter_error', detail: `llm.generate failed: ${message}` };
  return { code: 'unknown_failure', detail: `llm.generate ${status} with code ${raw ?? 'none'}` };
}
