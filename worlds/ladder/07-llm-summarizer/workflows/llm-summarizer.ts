// demo/LlmSummarizer@1: Start{url} (ignored while Fetching or Summarizing) takes the next
// request id, clears the last results and fetches the url; the http.request receipt's body
// becomes the one message of an llm.generate (provider "mock", model "mock-summarizer",
// temperature 0, max_tokens 512, no api_key: the node's provider configuration names the key's
// secret); the llm.generate receipt makes it Done with the output_ref, the token counts and the
// cost. As upstream, neither envelope status nor HTTP status is checked, and last_cost_millis
// is filled from cost_cents (upstream's unit slip, kept: it is the fixture's observable state).
// A fetched response without a body fails the step (there is nothing to summarize).
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA, Tagged } from 'agentos/sdk';
import type { AirValue } from 'agentos/sdk';

type Nat = number | bigint;
type Pc = { $tag: 'Idle' } | { $tag: 'Fetching' } | { $tag: 'Summarizing' } | { $tag: 'Done' };
interface LlmSummarizerState {
  readonly pc: Pc;
  readonly next_request_id: Nat;
  readonly pending_request: Nat | null;
  readonly last_summary: string | null;
  readonly last_tokens_prompt: Nat | null;
  readonly last_tokens_completion: Nat | null;
  readonly last_cost_millis: Nat | null;
}
type LlmSummarizerEvent =
  | { $tag: 'Start'; $value: { url: string } }
  | { $tag: 'Receipt'; $value: AirValue };

/** The decimal 0 as a dec128 (CBOR tag 2000 around its 16 BID bytes: exponent 0, coefficient 0). */
const DEC128_TAG = 2000;
const ZERO_BID = new Uint8Array([0x30, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const SUMMARY_TOKENS_MAX = 512;

const successor = (id: Nat): Nat => (typeof id === 'bigint' ? id + 1n : id + 1);

/** The llm.generate params upstream's module sends: one message (the fetched body), every other option null. */
function summarize(bodyRef: string): AirValue {
  return {
    correlation_id: null,
    provider: 'mock',
    model: 'mock-summarizer',
    message_refs: [bodyRef],
    runtime: {
      temperature: new Tagged(DEC128_TAG, ZERO_BID), top_p: null, max_tokens: SUMMARY_TOKENS_MAX, tool_refs: null, tool_choice: null,
      reasoning_effort: null, stop_sequences: null, metadata: null, provider_options_ref: null, response_format_ref: null,
    },
    api_key: null,
  };
}

interface LlmReceiptFields { readonly output_ref: string; readonly token_usage: { readonly prompt: Nat; readonly completion: Nat }; readonly cost_cents: Nat | null }

function isNat(value: unknown): value is Nat {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** The fields of a sys/LlmGenerateReceipt@1 this module reads; a payload without them fails the step. */
function llmReceiptFields(payload: AirValue, intent: string): LlmReceiptFields {
  const receipt = payload as { output_ref?: unknown; token_usage?: { prompt?: unknown; completion?: unknown }; cost_cents?: unknown } | null;
  if (receipt === null || typeof receipt !== 'object' || typeof receipt.output_ref !== 'string' || !isNat(receipt.token_usage?.prompt) || !isNat(receipt.token_usage.completion)
    || (receipt.cost_cents !== null && !isNat(receipt.cost_cents))) {
    throw new Error(`the llm.generate receipt ${intent} is not a sys/LlmGenerateReceipt@1 (output_ref, token_usage, cost_cents)`);
  }
  return receipt as LlmReceiptFields;
}

defineWorkflow<LlmSummarizerState, LlmSummarizerEvent>({
  init: () => ({ pc: { $tag: 'Idle' }, next_request_id: 0, pending_request: null, last_summary: null, last_tokens_prompt: null, last_tokens_completion: null, last_cost_millis: null }),
  step(state, event) {
    const input = event.value;
    if (input.$tag === 'Start') {
      if (state.pc.$tag === 'Fetching' || state.pc.$tag === 'Summarizing') return { state };
      return {
        state: {
          pc: { $tag: 'Fetching' }, next_request_id: successor(state.next_request_id), pending_request: state.next_request_id,
          last_summary: null, last_tokens_prompt: null, last_tokens_completion: null, last_cost_millis: null,
        },
        effects: [effect.http({ method: 'GET', url: input.$value.url, headers: {}, body_ref: null })],
      };
    }
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    if (receipt.kind === 'http.request' && state.pc.$tag === 'Fetching') {
      const bodyRef = receipt.payload.body_ref;
      if (typeof bodyRef !== 'string') throw new Error(`the http.request receipt ${receipt.envelope.intent_id} has no body_ref: there is nothing to summarize`);
      return { state: { ...state, pc: { $tag: 'Summarizing' } }, effects: [effect.custom('llm.generate', summarize(bodyRef))] };
    }
    if (receipt.kind === 'other' && receipt.envelope.effect_kind === 'llm.generate' && state.pc.$tag === 'Summarizing') {
      const fields = llmReceiptFields(receipt.payload, receipt.envelope.intent_id);
      return {
        state: {
          ...state, pc: { $tag: 'Done' }, pending_request: null, last_summary: fields.output_ref,
          last_tokens_prompt: fields.token_usage.prompt, last_tokens_completion: fields.token_usage.completion, last_cost_millis: fields.cost_cents ?? 0,
        },
      };
    }
    return { state };
  },
});
