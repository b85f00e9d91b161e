// Refusals: a session event that cannot apply fails the step with a typed code, so the kernel
// journals a workflow_fault and keeps the state exactly as it was (upstream's SessionReduceError).
import { ModuleFailure } from 'agentos/sdk';

/** Codes of refused session events (upstream's SessionReduceError variants, snake_case). */
export type RefusalCode =
  | 'invalid_lifecycle_transition' | 'host_command_rejected' | 'missing_provider' | 'missing_model'
  | 'run_already_active' | 'run_not_active' | 'tool_profile_unknown' | 'unknown_tool_override'
  | 'invalid_tool_registry' | 'too_many_pending_texts' | 'wrong_session';

export function refuse(code: RefusalCode, message: string): never {
  throw new ModuleFailure(code, message);
}
