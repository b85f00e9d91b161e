// The aos.agent/* values as the session workflow holds them in memory (SDK value model: records
// are objects, options are null, variants are {$tag, $value}, nats are number or bigint; maps with
// text or hash keys decode as objects). Field names are the AIR schemas' (air/agent/air).

export type Nat = number | bigint;
export type Hash = string;
export type Unit<Tag extends string> = { readonly $tag: Tag; readonly $value?: null };
export type Arm<Tag extends string, Value> = { readonly $tag: Tag; readonly $value: Value };

export type LifecycleTag = 'Idle' | 'Running' | 'WaitingInput' | 'Paused' | 'Cancelling' | 'Completed' | 'Failed' | 'Cancelled';
export type Lifecycle = Unit<LifecycleTag>;

export interface RunId { session_id: string; run_seq: Nat }
export interface ToolBatchId { run_id: RunId; batch_seq: Nat }

export type ReasoningEffort = Unit<'Low' | 'Medium' | 'High'>;
export interface SessionConfig {
  provider: string; model: string; reasoning_effort: ReasoningEffort | null; max_tokens: Nat | null;
  default_prompt_refs: Hash[] | null; default_tool_profile: string | null;
  default_tool_enable: string[] | null; default_tool_disable: string[] | null; default_tool_force: string[] | null;
}
export interface RunConfig {
  provider: string; model: string; reasoning_effort: ReasoningEffort | null; max_tokens: Nat | null;
  prompt_refs: Hash[] | null; tool_profile: string | null;
  tool_enable: string[] | null; tool_disable: string[] | null; tool_force: string[] | null;
}

export type MapperTag =
  | 'HostSessionOpen' | 'HostExec' | 'HostSessionSignal' | 'HostFsReadFile' | 'HostFsWriteFile' | 'HostFsEditFile'
  | 'HostFsApplyPatch' | 'HostFsGrep' | 'HostFsGlob' | 'HostFsStat' | 'HostFsExists' | 'HostFsListDir'
  | 'InspectWorld' | 'InspectWorkflow' | 'WorkspaceInspect' | 'WorkspaceList' | 'WorkspaceRead' | 'WorkspaceApply'
  | 'WorkspaceDiff' | 'WorkspaceCommit'
  | 'GovernancePropose' | 'GovernanceShadow' | 'GovernanceApply' | 'RequestApproval' | 'HostBuildModule';
export type ToolMapper = Unit<MapperTag>;
export type ToolExecutor =
  | Arm<'Effect', { effect_kind: string; cap_slot: string | null }>
  | Arm<'DomainEvent', { schema: string }>
  | Arm<'HostLoop', { bridge: string }>;
export type AvailabilityRule = Unit<'Always' | 'HostSessionReady' | 'HostSessionNotReady'>;

export interface ToolSpec {
  tool_id: string; tool_name: string; tool_ref: Hash; description: string; args_schema_json: string;
  mapper: ToolMapper; executor: ToolExecutor; availability_rules: AvailabilityRule[];
  parallelism_hint: { parallel_safe: boolean; resource_key: string | null };
}
export interface EffectiveTool {
  tool_id: string; tool_name: string; tool_ref: Hash; description: string; args_schema_json: string;
  mapper: ToolMapper; executor: ToolExecutor; parallel_safe: boolean; resource_key: string | null;
}
/** aos.agent/EffectiveToolRef@1: an offered tool as the session keeps it; the rest of it is in the registry (offeredTools). */
export interface EffectiveToolRef { tool_id: string; tool_ref: Hash }
/** aos.agent/EffectiveToolSet@2: upstream's @1 with each tool kept as its id and materialised ref. */
export interface EffectiveToolSet { profile_id: string; profile_requires_host_session: boolean; ordered_tools: EffectiveToolRef[] }

export type HostSessionStatusTag = 'Ready' | 'Closed' | 'Expired' | 'Error';
export interface ToolRuntimeContext { host_session_id: string | null; host_session_status: Unit<HostSessionStatusTag> | null }

export interface ToolCallObserved { call_id: string; tool_name: string; arguments_json: string; arguments_ref: Hash | null; provider_call_id: string | null }
export interface ToolCallLlmResult { call_id: string; tool_id: string; tool_name: string; is_error: boolean; output_json: string }
export interface PlannedToolCall {
  call_id: string; tool_id: string; tool_name: string; arguments_json: string; arguments_ref: Hash | null; provider_call_id: string | null;
  mapper: ToolMapper; executor: ToolExecutor; parallel_safe: boolean; resource_key: string | null; accepted: boolean;
}
export interface ToolBatchPlan { observed_calls: ToolCallObserved[]; planned_calls: PlannedToolCall[]; execution_plan: { groups: string[][] } }
export type ToolCallStatus =
  | Unit<'Queued' | 'Pending' | 'Succeeded' | 'Ignored' | 'Cancelled'>
  | Arm<'Failed', { code: string; detail: string }>;

export interface PendingEffect {
  effect_kind: string; params_hash: Hash; intent_id: Hash | null; issuer_ref: string | null; cap_slot: string | null;
  emitted_at_ns: Nat; last_stream_seq: Nat;
}
export interface PendingBatchGroup { keys: string[]; terminal_keys: string[] }
export interface ActiveToolBatch {
  tool_batch_id: ToolBatchId; intent_id: Hash; params_hash: Hash | null; plan: ToolBatchPlan;
  call_status: Record<string, ToolCallStatus>; pending_effects: Record<string, PendingEffect>;
  execution: { groups: PendingBatchGroup[]; next_group_index: Nat };
  llm_results: Record<string, ToolCallLlmResult>; results_ref: Hash | null;
}

export type PendingBlobGetKind =
  | Unit<'LlmOutputEnvelope' | 'LlmToolCalls' | 'CompactionOutput'>
  | Arm<'ToolCallArguments', { tool_batch_id: ToolBatchId; call_id: string }>
  | Arm<'ToolResultBlob', { tool_batch_id: ToolBatchId; call_id: string; blob_ref: string }>;
export type PendingBlobPutKind =
  | Arm<'ToolDefinition', { tool_id: string }> | Arm<'FollowUpMessage', { index: Nat }> | Unit<'CompactionPrompt'> | Unit<'CompactionSummary'> | Unit<'TranscriptSegment'>;
export interface SharedPendingBlobGet { pending: PendingEffect; waiters: Array<{ kind: PendingBlobGetKind; emitted_at_ns: Nat }> }
export interface SharedPendingBlobPut { pending: PendingEffect; waiters: Array<{ kind: PendingBlobPutKind; emitted_at_ns: Nat }> }
/** aos.agent/PendingFollowUpTurn@2: upstream's @1 with the transcript's length where @1 copies its refs. */
export interface PendingFollowUpTurn {
  tool_batch_id: ToolBatchId; base_message_count: Nat; expected_messages: Nat;
  /** nat-keyed: a Map once written; an empty one decodes as a record. */
  blob_refs_by_index: Map<Nat, Hash> | Record<string, never>;
}

/** aos.agent/RunLimits@1: a run's token and cost budget and its context window; null fields are unlimited (or, for the window, the model's). */
export interface RunLimits { max_total_tokens: Nat | null; max_cost_cents: Nat | null; context_tokens_max: Nat | null }
/** aos.agent/RunUsage@1: what the run's llm.generate receipts reported, summed. */
export interface RunUsage { llm_calls: Nat; prompt_tokens: Nat; completion_tokens: Nat; total_tokens: Nat; cost_cents: Nat }
/** aos.agent/LlmRetry@1: the turn waiting out a backoff after `attempt` failed calls, the last with `code`. */
export interface LlmRetry { turn: Nat; attempt: Nat; code: string; timer_key: Hash | null; deliver_at_ns: Nat }
/** aos.agent/RunFailure@1: why the last failed run failed. */
export interface RunFailure { run_id: RunId; code: string; detail: string }
/**
 * aos.agent/CompactionRecord@2: one summarisation. In the active window its summary replaced the
 * previous summary (when there was one) and the transcript's messages [summarised_from,
 * summarised_upto), numbered from the start of the whole transcript (archived part included).
 * @1 listed those refs, so 16 records could hold 16 windows' worth of refs.
 */
export interface CompactionRecord { run_id: RunId; turn: Nat; previous_summary_ref: Hash | null; summarised_from: Nat; summarised_upto: Nat; summary_ref: Hash; tokens_before: Nat }
/** aos.agent/PendingCompaction@1: a summarisation under way (its llm.generate key once emitted). */
export interface PendingCompaction { turn: Nat; summarised_refs: Hash[]; summarised_count: Nat; tokens_before: Nat; generate_key: Hash | null }
/**
 * aos.agent/ContextState@2: the active window is the prompt, then `summary_ref` (when set), then
 * the transcript from `summarised_count` on; the transcript itself is never cut. Its first
 * `archived_count` messages (all summarised, so outside the window) have moved out of the state
 * into transcript segments (compaction.ts), the newest at `archive_ref`; `archiving_count` is a
 * segment being written. Counts and positions (summarised_count, group_start, the records' ranges,
 * a pending follow-up turn's base_message_count) number the whole transcript.
 */
export interface ContextState {
  tokens_estimate: Nat; group_start: Nat; summary_ref: Hash | null; summarised_count: Nat;
  compactions: CompactionRecord[]; pending: PendingCompaction | null;
  archived_count: Nat; archive_ref: Hash | null; archiving_count: Nat | null;
}

export interface SessionState {
  session_id: string;
  lifecycle: Lifecycle;
  next_run_seq: Nat;
  next_tool_batch_seq: Nat;
  session_config: SessionConfig;
  active_run_id: RunId | null;
  active_run_config: RunConfig | null;
  active_tool_batch: ActiveToolBatch | null;
  pending_effects: Record<Hash, PendingEffect>;
  pending_blob_gets: Record<Hash, SharedPendingBlobGet>;
  pending_blob_puts: Record<Hash, SharedPendingBlobPut>;
  pending_follow_up_turn: PendingFollowUpTurn | null;
  queued_llm_message_refs: Hash[] | null;
  conversation_message_refs: Hash[];
  last_output_ref: Hash | null;
  tool_refs_materialized: boolean;
  in_flight_effects: Nat;
  tool_registry: Record<string, ToolSpec>;
  tool_profiles: Record<string, string[]>;
  tool_profile: string;
  tool_runtime_context: ToolRuntimeContext;
  effective_tools: EffectiveToolSet;
  last_tool_plan_hash: Hash | null;
  pending_steer: string[];
  pending_follow_up: string[];
  created_at: Nat;
  updated_at: Nat;
  // SessionState@2 (our extension of upstream's @1): budgets, retries, failures, context.
  session_limits: RunLimits;
  run_limits: RunLimits | null;
  run_usage: RunUsage;
  llm_retry: LlmRetry | null;
  run_failure: RunFailure | null;
  context: ContextState;
}

export type HostCommandKind =
  | Arm<'Steer', { text: string }> | Arm<'FollowUp', { text: string }> | Unit<'Pause'> | Unit<'Resume'>
  | Arm<'Cancel', { reason: string | null }> | Unit<'Noop'>;

export type SessionIngressKind =
  | Arm<'RunRequested', { input_ref: Hash; run_overrides: SessionConfig | null }>
  | Arm<'HostCommandReceived', { command_id: string; issued_at: Nat; command: HostCommandKind }>
  | Arm<'ToolRegistrySet', { registry: Record<string, ToolSpec>; profiles: Record<string, string[]> | null; default_profile: string | null }>
  | Arm<'ToolProfileSelected', { profile_id: string }>
  | Arm<'ToolOverridesSet', { scope: Unit<'Session' | 'Run'>; enable: string[] | null; disable: string[] | null; force: string[] | null }>
  | Arm<'HostSessionUpdated', { host_session_id: string | null; host_session_status: Unit<HostSessionStatusTag> | null }>
  | Unit<'RunCompleted'>
  | Arm<'RunFailed', { code: string; detail: string }>
  | Arm<'RunCancelled', { reason: string | null }>
  | { readonly $tag: 'Noop'; readonly $value?: unknown };

export interface SessionIngress { session_id: string; observed_at_ns: Nat; ingress: SessionIngressKind }

/** aos.agent/SessionLimitsSet@1: a budget and context window for the session's next runs, or for the active run. */
export interface SessionLimitsSet { session_id: string; observed_at_ns: Nat; scope: Unit<'Session' | 'Run'>; limits: RunLimits }
