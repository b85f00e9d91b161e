// Large tool outputs (upstream-agent.md §1.6 "Large outputs"). A host output over the adapter's
// inline cap reaches the session as a CAS ref, {"$tag":"blob","$value":{blob_ref,size_bytes,
// preview_bytes}}; a model cannot follow a hash, so the session reads each such blob (blob.get,
// waiter ToolResultBlob) and puts its text in the result in place of the preview:
// {"$tag":"blob","$value":{blob_ref, size_bytes, inline_text, inline_text_truncated}}, the text
// cut at TOOL_RESULT_TEXT_BYTES_MAX bytes on a character boundary. The follow-up turn waits for
// these reads like any other blob operation of the session (turn.ts: waitingOnSession).
import { utf8Decode } from 'agentos/sdk';
import { TOOL_RESULT_TEXT_BYTES_MAX } from './limits.ts';
import { getBlob } from './pending.ts';
import { natOf } from './reduction.ts';
import type { Reduction } from './reduction.ts';
import type { ActiveToolBatch, ToolBatchId } from './types.ts';

/** JSON nodes a receipt walk visits at most: receipts are bounded, this only keeps the walk bounded too. */
const RESULT_WALK_NODES_MAX = 100_000;

type JsonRecord = Record<string, unknown>;

/** The `$value` of each blob output in `root` (a receipt as plain JSON), walked without recursion. */
function blobOutputs(root: unknown): JsonRecord[] {
  const found: JsonRecord[] = [];
  const pending: unknown[] = [root];
  for (let visited = 0, node = pending.pop(); node !== undefined; node = pending.pop(), visited += 1) {
    if (visited >= RESULT_WALK_NODES_MAX) break;
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) pending.push(item);
      continue;
    }
    const record = node as JsonRecord;
    const value = record['$value'] as JsonRecord | null | undefined;
    if (record['$tag'] === 'blob' && typeof value === 'object' && value !== null && typeof value['blob_ref'] === 'string') {
      found.push(value);
      continue;
    }
    for (const item of Object.values(record)) pending.push(item);
  }
  return found;
}

/**
 * Drops the previews of `result`'s blob outputs (the inline text replaces them, and they would
 * only crowd the result) and asks for each blob; returns true when it asked for any.
 */
export function fetchResultBlobs(reduction: Reduction, batchId: ToolBatchId, callId: string, result: unknown): boolean {
  const outputs = blobOutputs(result);
  const refs = new Set<string>();
  for (const output of outputs) {
    delete output['preview_bytes'];
    refs.add(output['blob_ref'] as string);
  }
  for (const ref of refs) getBlob(reduction, ref, { $tag: 'ToolResultBlob', $value: { tool_batch_id: batchId, call_id: callId, blob_ref: ref } });
  return refs.size > 0;
}

/** The first TOOL_RESULT_TEXT_BYTES_MAX bytes of `bytes` as text, never splitting a character; null when not UTF-8. */
export function inlineText(bytes: Uint8Array): { text: string; truncated: boolean } | null {
  let end = Math.min(bytes.length, TOOL_RESULT_TEXT_BYTES_MAX);
  // Back off continuation bytes (10xxxxxx) so the cut lands before a character's lead byte.
  if (end < bytes.length) while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  try {
    return { text: utf8Decode(bytes.subarray(0, end)), truncated: end < bytes.length };
  } catch {
    return null; // binary output: the model gets its ref and size, and the reason
  }
}

function sameBatch(batch: ActiveToolBatch, id: ToolBatchId): boolean {
  return natOf(batch.tool_batch_id.batch_seq) === natOf(id.batch_seq) && natOf(batch.tool_batch_id.run_id.run_seq) === natOf(id.run_id.run_seq) &&
    batch.tool_batch_id.run_id.session_id === id.run_id.session_id;
}

/** A blob a tool result names arrived: its text goes into the result the model will see. */
export function resultBlobArrived(reduction: Reduction, waiter: { tool_batch_id: ToolBatchId; call_id: string; blob_ref: string }, bytes: Uint8Array): void {
  const batch = reduction.state.active_tool_batch;
  if (batch === null || !sameBatch(batch, waiter.tool_batch_id)) return; // the batch moved on (a cancel): nothing to show
  const slot = batch.llm_results[waiter.call_id];
  if (slot === undefined) return;
  let result: unknown;
  try {
    result = JSON.parse(slot.output_json) as unknown;
  } catch {
    return; // a result cut to fit (tool-batch.ts) is no longer JSON: it keeps its bare ref
  }
  const inline = inlineText(bytes);
  for (const output of blobOutputs(result)) {
    if (output['blob_ref'] !== waiter.blob_ref) continue;
    delete output['preview_bytes'];
    output['size_bytes'] = bytes.length;
    if (inline === null) {
      output['inline_text'] = null;
      output['inline_error'] = 'the output is not UTF-8 text, so it is not shown inline';
    } else {
      output['inline_text'] = inline.text;
      output['inline_text_truncated'] = inline.truncated;
    }
  }
  slot.output_json = JSON.stringify(result);
}
