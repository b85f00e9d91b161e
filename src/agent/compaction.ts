// Context compaction (upstream-agent.md §7 P11, done the simple way: through llm.generate). The
// active window a turn sends is the prompt, then the latest summary (when there is one), then
// the transcript from the first message the summary does not cover. Before a turn, when the
// token estimate reaches CONTEXT_HIGH_WATER_PERCENT of the context window, the older part of
// the window (everything before the newest group of messages) is summarised by one llm.generate
// call: the older refs, then an instruction. The summary becomes a user message blob that
// replaces them in the window for later turns; a CompactionRecord says which refs it replaced.
// The transcript is never cut, but it does not all stay in the state: once
// TRANSCRIPT_ARCHIVE_REFS_MIN summarised messages (outside the window, so never sent again)
// have gathered, they move into a transcript segment blob, and conversation_message_refs keeps
// the rest. Each segment names the one before it, so the newest (context.archive_ref) leads back
// through the whole archived transcript (transcriptSegmentOf reads one). Positions in the
// transcript always count from its first message, archived or not.
//
// The estimate: the last turn's receipt measured its prompt and completion in tokens; messages
// the session wrote since add their JSON bytes / CONTEXT_BYTES_PER_TOKEN. A receipt without usage
// (prompt 0) leaves the bytes-based estimate as it was.
//
// Steps: put the instruction blob → llm.generate → read its output → put the summary message →
// the window moves. A failed summarisation is retried like a turn (retry.ts), then fails the run.
import { sha256Hash } from 'agentos/sdk';
import { COMPACTION_MESSAGES_MIN, COMPACTION_RECORDS_MAX, COMPACTION_SUMMARY_TOKENS_MAX, CONTEXT_BYTES_PER_TOKEN, CONTEXT_HIGH_WATER_PERCENT, CONTEXT_TOKENS_BY_MODEL, CONTEXT_TOKENS_DEFAULT, TRANSCRIPT_ARCHIVE_REFS_MIN } from './limits.ts';
import { jsonBytes, parseJsonBytes } from './json-text.ts';
import { emitSessionEffect, getBlob, putBlob } from './pending.ts';
import { natOf } from './reduction.ts';
import type { Reduction } from './reduction.ts';
import { endRun } from './run-end.ts';
import type { ContextState, Hash, SessionState } from './types.ts';

/** What the summarising call is asked, after the older messages. */
export const COMPACTION_INSTRUCTION = {
  role: 'user',
  content: 'Summarise the conversation above for your own later use: the task, what was decided, what was done '
    + '(tools called and what they showed), files and names that matter, and what is left to do. Be concise and '
    + 'keep every fact needed to continue. Answer with the summary only.',
};

/** What a transcript segment blob holds: the messages from position `from` on, after the segment `previous`. */
export interface TranscriptSegment {
  readonly segment: typeof TRANSCRIPT_SEGMENT_KIND;
  readonly previous: Hash | null;
  readonly from: number;
  readonly refs: readonly Hash[];
}

const TRANSCRIPT_SEGMENT_KIND = 'aos.agent/TranscriptSegment@1';

export function emptyContext(): ContextState {
  return { tokens_estimate: 0, group_start: 0, summary_ref: null, summarised_count: 0, compactions: [], pending: null, archived_count: 0, archive_ref: null, archiving_count: null };
}

/** How many messages the whole transcript holds, its archived part included. */
export function transcriptLength(state: SessionState): number {
  return natOf(state.context.archived_count) + state.conversation_message_refs.length;
}

/** The transcript's messages from position `from` (at least archived_count) up to `upto`, or to its end. */
function transcriptRefs(state: SessionState, from: number, upto?: number): Hash[] {
  const archived = natOf(state.context.archived_count);
  if (from < archived) throw new Error(`transcript position ${from} is archived (the state keeps positions ${archived} on)`);
  return state.conversation_message_refs.slice(from - archived, upto === undefined ? undefined : upto - archived);
}

/** The transcript without its messages from `base` on (a follow-up turn rewrites what it wrote). */
export function transcriptUpTo(state: SessionState, base: number): Hash[] {
  return transcriptRefs(state, natOf(state.context.archived_count), base);
}

/** The window the next turn sends after the prompt: the summary, then the transcript it does not cover. */
export function activeWindow(state: SessionState): Hash[] {
  const context = state.context;
  const rest = transcriptRefs(state, natOf(context.summarised_count));
  return context.summary_ref === null ? rest : [context.summary_ref, ...rest];
}

/** Reads a transcript segment blob; null when the bytes are not one. */
export function transcriptSegmentOf(bytes: Uint8Array): TranscriptSegment | null {
  const value = parseJsonBytes(bytes) as Partial<TranscriptSegment> | undefined;
  if (typeof value !== 'object' || value === null || value.segment !== TRANSCRIPT_SEGMENT_KIND || !Array.isArray(value.refs) || typeof value.from !== 'number') return null;
  return value as TranscriptSegment;
}

/** The model's context window in tokens: the run's limit, else the model's known window, else the default. */
export function contextTokensMax(state: SessionState): number {
  const configured = state.run_limits?.context_tokens_max ?? null;
  if (configured !== null) return natOf(configured);
  const model = state.active_run_config?.model ?? state.session_config.model;
  return CONTEXT_TOKENS_BY_MODEL[model] ?? CONTEXT_TOKENS_DEFAULT;
}

function tokensOfBytes(bytes: number): number {
  return Math.ceil(bytes / CONTEXT_BYTES_PER_TOKEN);
}

/** Messages the session is writing to the transcript: a new group starts at `start`. */
export function messagesWritten(state: SessionState, start: number, bytes: number): void {
  state.context.group_start = start;
  state.context.tokens_estimate = natOf(state.context.tokens_estimate) + tokensOfBytes(bytes);
}

/** A turn's receipt measured the window: its prompt, plus the completion that joins it. */
export function windowMeasured(state: SessionState, promptTokens: number, completionTokens: number): void {
  if (promptTokens > 0) state.context.tokens_estimate = promptTokens + completionTokens;
}

/** A new run: its input is the newest group. */
export function startRunContext(state: SessionState): void {
  state.context.pending = null;
  state.context.group_start = Math.max(0, transcriptLength(state) - 1);
}

/** The transcript messages a compaction now would summarise (with the current summary first). */
function olderPart(state: SessionState): { refs: Hash[]; upto: number } {
  const context = state.context;
  const from = natOf(context.summarised_count);
  const upto = Math.min(natOf(context.group_start), transcriptLength(state));
  if (upto - from < COMPACTION_MESSAGES_MIN) return { refs: [], upto: from };
  const older = transcriptRefs(state, from, upto);
  return { refs: context.summary_ref === null ? older : [context.summary_ref, ...older], upto };
}

/** True when the estimate has reached the high-water mark and there is an older part to summarise. */
export function needsCompaction(state: SessionState): boolean {
  const estimate = natOf(state.context.tokens_estimate);
  if (estimate * 100 < contextTokensMax(state) * CONTEXT_HIGH_WATER_PERCENT) return false;
  return olderPart(state).refs.length > 0;
}

/** Starts summarising the older part before turn `turn`: the instruction blob is written first. */
export function startCompaction(reduction: Reduction, turn: number): void {
  const state = reduction.state;
  const { refs, upto } = olderPart(state);
  state.context.pending = { turn, summarised_refs: refs, summarised_count: upto, tokens_before: state.context.tokens_estimate, generate_key: null };
  putBlob(reduction, jsonBytes(COMPACTION_INSTRUCTION), { $tag: 'CompactionPrompt' });
}

/** Emits the summarising llm.generate (advance does, once the instruction is written or a backoff is over). */
export function emitCompactionGenerate(reduction: Reduction): void {
  const state = reduction.state;
  const pending = state.context.pending;
  const run = state.active_run_config;
  const runId = state.active_run_id;
  if (pending === null || run === null || runId === null) return;
  const tools = state.effective_tools.ordered_tools;
  const params = {
    correlation_id: `run-${natOf(runId.run_seq)}-turn-${natOf(pending.turn)}-compaction`,
    provider: run.provider,
    model: run.model,
    message_refs: [...(run.prompt_refs ?? []), ...pending.summarised_refs, sha256Hash(jsonBytes(COMPACTION_INSTRUCTION))],
    runtime: {
      temperature: null, top_p: null, max_tokens: COMPACTION_SUMMARY_TOKENS_MAX,
      // The older messages may hold tool calls, which some providers read only beside the tools' definitions;
      // tool_choice None keeps the model from calling one.
      tool_refs: tools.length === 0 ? null : tools.map((tool) => tool.tool_ref),
      tool_choice: tools.length === 0 ? null : { $tag: 'None' },
      reasoning_effort: null, stop_sequences: null, metadata: null, provider_options_ref: null, response_format_ref: null,
    },
    api_key: null,
  };
  pending.generate_key = emitSessionEffect(reduction, 'llm.generate', params, 'llm');
}

/** True when `key` is the summarising call's (its receipt is the compaction's, not a turn's). */
export function isCompactionCall(state: SessionState, key: string | null): boolean {
  return key !== null && state.context.pending !== null && state.context.pending.generate_key === key;
}

/** The summary was generated: read it. */
export function compactionGenerated(reduction: Reduction, outputRef: Hash): void {
  getBlob(reduction, outputRef, { $tag: 'CompactionOutput' });
}

/** The summary's output envelope: its text becomes the summary message. */
export function compactionOutput(reduction: Reduction, bytes: Uint8Array): void {
  const state = reduction.state;
  const pending = state.context.pending;
  if (pending === null) return;
  const envelope = parseJsonBytes(bytes) as { assistant_text?: unknown } | undefined;
  const text = typeof envelope === 'object' && envelope !== null && typeof envelope.assistant_text === 'string' ? envelope.assistant_text.trim() : '';
  if (text === '') {
    endRun(reduction, 'Failed', { code: 'provider_terminal', detail: `the summarisation of ${pending.summarised_refs.length} messages before turn ${natOf(pending.turn)} returned no text` });
    return;
  }
  const message = jsonBytes({ role: 'user', content: `Summary of the earlier conversation (it replaces ${pending.summarised_refs.length} messages):\n${text}` });
  state.context.tokens_estimate = tokensOfBytes(message.length);
  putBlob(reduction, message, { $tag: 'CompactionSummary' });
}

/** A compaction blob was written: the instruction (advance sends the call) or the summary (the window moves). */
export function compactionBlobPut(reduction: Reduction, kind: 'CompactionPrompt' | 'CompactionSummary', ref: Hash): void {
  const state = reduction.state;
  const pending = state.context.pending;
  const runId = state.active_run_id;
  // The instruction is written: advance sends the call (a paused run, once resumed).
  if (pending === null || runId === null || kind === 'CompactionPrompt') return;
  const context = state.context;
  const record = {
    run_id: runId, turn: pending.turn, previous_summary_ref: context.summary_ref, summarised_from: context.summarised_count,
    summarised_upto: pending.summarised_count, summary_ref: ref, tokens_before: pending.tokens_before,
  };
  context.compactions = [...context.compactions, record].slice(-COMPACTION_RECORDS_MAX);
  context.summary_ref = ref;
  context.summarised_count = pending.summarised_count;
  context.pending = null;
  archiveSummarised(reduction);
}

/** Once enough summarised messages have gathered in the state, writes them as the next transcript segment. */
function archiveSummarised(reduction: Reduction): void {
  const context = reduction.state.context;
  if (context.archiving_count !== null) return;
  const archived = natOf(context.archived_count);
  const count = natOf(context.summarised_count) - archived;
  if (count < TRANSCRIPT_ARCHIVE_REFS_MIN) return;
  const segment: TranscriptSegment = { segment: TRANSCRIPT_SEGMENT_KIND, previous: context.archive_ref, from: archived, refs: transcriptRefs(reduction.state, archived, archived + count) };
  context.archiving_count = count;
  putBlob(reduction, jsonBytes(segment), { $tag: 'TranscriptSegment' });
}

/**
 * The segment is stored: its messages leave the state. Nothing moved them meanwhile: only
 * summarised messages are archived, and the transcript changes only after its summarised part.
 */
export function transcriptArchived(reduction: Reduction, ref: Hash): void {
  const state = reduction.state;
  const context = state.context;
  const count = context.archiving_count;
  if (count === null) return;
  state.conversation_message_refs = state.conversation_message_refs.slice(natOf(count));
  context.archived_count = natOf(context.archived_count) + natOf(count);
  context.archive_ref = ref;
  context.archiving_count = null;
  archiveSummarised(reduction);
}
