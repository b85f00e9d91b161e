// The scripted provider: replies come from a script file (format in script-file.ts), with no
// network and no key. Each request takes the first reply, in file order, that no earlier
// intent took and whose "match" fits the request; the same intent executed again (the
// executor is at-least-once) gets the reply it got the first time. Replies are used in order,
// so a world that emits the same intents in the same order gets the same replies, and the
// same blobs and hashes, run after run. The cursor lives in the adapter instance: a new
// adapter starts again at the first reply. When no reply is left the intent settles as a
// SCRIPT_EXHAUSTED error.
import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import type { CostTable } from './cost.ts';
import { llmFailure, llmTimeout } from './llm-reply.ts';
import type { LlmMessage, LlmRequest } from './llm-request.ts';
import type { LlmProvider, ProviderCall, ProviderResult } from './provider.ts';
import type { ScriptReply } from './script-file.ts';

const ENCODER = new TextEncoder();

/** Replies from a script, in order, each used once. */
export class ScriptedProvider implements LlmProvider {
  readonly kind = 'scripted';
  readonly optionsFamily = null;
  readonly apiKeySecret = null;
  readonly apiKeyRequired = false;
  /** Which intents took which reply: bounded by the number of replies. */
  private readonly taken = new Map<Hash, number>();
  private readonly used = new Set<number>();

  constructor(private readonly replies: readonly ScriptReply[], readonly costs: CostTable, private readonly scriptName: string) {}

  async generate(request: LlmRequest, call: ProviderCall): Promise<ProviderResult> {
    const index = this.pick(request, call);
    if (index === null) {
      const failure = llmFailure('SCRIPT_EXHAUSTED', `the script ${this.scriptName} has no unused reply that matches model "${request.model}"${call.correlationId === null ? '' : ` and correlation_id "${call.correlationId}"`} (${this.used.size} of ${this.replies.length} replies used)`);
      return { raw: null, rateLimits: null, outcome: { ok: false, failure } };
    }
    const reply = this.replies[index];
    assert(reply !== undefined, 'a picked index names a reply');
    if (reply.delayMs > 0 && !call.signal.aborted) {
      try {
        await sleep(reply.delayMs, undefined, { signal: call.signal });
      } catch (error) {
        if (!call.signal.aborted) throw error; // an abort ends the wait; the check below settles it
      }
    }
    if (call.signal.aborted || reply.answer.kind === 'timeout') {
      const failure = llmTimeout(call.signal.aborted ? 'the intent\'s deadline passed or it was cancelled before the scripted reply' : `the script asked for a timeout (${reply.where})`);
      return { raw: null, rateLimits: null, outcome: { ok: false, failure } };
    }
    const raw = ENCODER.encode(reply.raw);
    if (reply.answer.kind === 'error') return { raw, rateLimits: null, outcome: { ok: false, failure: reply.answer.failure } };
    return { raw, rateLimits: null, outcome: { ok: true, reply: reply.answer.reply } };
  }

  private pick(request: LlmRequest, call: ProviderCall): number | null {
    const earlier = this.taken.get(call.intentHash);
    if (earlier !== undefined) return earlier;
    const last = request.messages[request.messages.length - 1];
    const lastText = last === undefined ? '' : searchableText(last);
    const index = this.replies.findIndex((reply, position) => !this.used.has(position) &&
      (reply.match.model === null || reply.match.model === request.model) &&
      (reply.match.correlationId === null || reply.match.correlationId === call.correlationId) &&
      (reply.match.lastMessageContains === null || lastText.includes(reply.match.lastMessageContains)));
    if (index === -1) return null;
    this.used.add(index);
    this.taken.set(call.intentHash, index);
    return index;
  }
}

/** A message's text and tool-result outputs, for last_message_contains. */
function searchableText(message: LlmMessage): string {
  return message.parts.map((part) => (part.kind === 'text' ? part.text : part.kind === 'tool_result' ? part.output : '')).join('\n');
}
