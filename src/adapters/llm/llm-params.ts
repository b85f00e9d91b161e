// The params of an llm.generate intent (sys/LlmGenerateParams@1), read into plain fields.
import { decodeDec128 } from '../../air/index.ts';
import { assert, isCborObject, isHash, Tagged } from '../../cbor/index.ts';
import type { CborValue, Hash } from '../../cbor/index.ts';
import type { AdapterIntent } from '../adapter.ts';
import { readParams } from '../typed-params.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmToolChoice } from './llm-request.ts';
import type { Reading } from './read-blob.ts';

/** The params schema of sys/llm.generate@1. */
const LLM_GENERATE_PARAMS_SCHEMA = 'sys/LlmGenerateParams@1';

/**
 * Where the API key comes from, as the params say: a secret by name (`alias@version`, the
 * defsecret's name), a literal (refused: it would sit in the journal), or nothing.
 */
export type ApiKeySource = { readonly kind: 'secret'; readonly name: string } | { readonly kind: 'literal' } | null;

/** The intent's params. Absent options are null. */
export interface LlmParams {
  readonly provider: string;
  readonly model: string;
  readonly correlationId: string | null;
  readonly messageRefs: readonly Hash[];
  readonly temperature: number | null;
  readonly topP: number | null;
  readonly maxTokens: number | null;
  readonly toolRefs: readonly Hash[] | null;
  readonly toolChoice: LlmToolChoice | null;
  readonly reasoningEffort: string | null;
  readonly stopSequences: readonly string[] | null;
  readonly metadata: ReadonlyArray<readonly [string, string]> | null;
  readonly providerOptionsRef: Hash | null;
  readonly responseFormatRef: Hash | null;
  readonly apiKey: ApiKeySource;
}

/** Reads the params through their schema; a misfit is an INVALID_PARAMS failure. */
export function readLlmParams(intent: AdapterIntent): Reading<LlmParams> {
  const reading = readParams(intent, LLM_GENERATE_PARAMS_SCHEMA);
  if (!reading.ok) return { ok: false, failure: llmFailure('INVALID_PARAMS', reading.message) };
  const params = reading.params;
  const runtime = params['runtime'];
  assert(runtime !== undefined && isCborObject(runtime), 'checked params have a runtime record');
  const maxTokens = runtime['max_tokens'] ?? null;
  if (typeof maxTokens === 'bigint') {
    return { ok: false, failure: llmFailure('INVALID_PARAMS', `runtime.max_tokens is ${maxTokens}, beyond what any provider accepts`) };
  }
  return {
    ok: true,
    value: {
      provider: text(params['provider']), model: text(params['model']), correlationId: optionalText(params['correlation_id']),
      messageRefs: hashes(params['message_refs']) ?? [],
      temperature: decimal(runtime['temperature']), topP: decimal(runtime['top_p']),
      maxTokens: maxTokens === null ? null : count(maxTokens),
      toolRefs: hashes(runtime['tool_refs']), toolChoice: toolChoice(runtime['tool_choice'] ?? null),
      reasoningEffort: optionalText(runtime['reasoning_effort']), stopSequences: texts(runtime['stop_sequences']),
      metadata: metadata(runtime['metadata'] ?? null),
      providerOptionsRef: optionalHash(runtime['provider_options_ref']), responseFormatRef: optionalHash(runtime['response_format_ref']),
      apiKey: apiKeySource(params['api_key'] ?? null),
    },
  };
}

function text(value: CborValue | undefined): string {
  assert(typeof value === 'string', 'a checked text field is a string');
  return value;
}

function optionalText(value: CborValue | undefined): string | null {
  return value === undefined || value === null ? null : text(value);
}

function count(value: CborValue): number {
  assert(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0, 'a checked nat below 2^53 is a number');
  return value;
}

function optionalHash(value: CborValue | undefined): Hash | null {
  if (value === undefined || value === null) return null;
  assert(isHash(value), 'a checked hash field is a hash');
  return value;
}

function hashes(value: CborValue | undefined): Hash[] | null {
  if (value === undefined || value === null) return null;
  assert(Array.isArray(value), 'a checked list is an array');
  return value.map((item: CborValue) => {
    assert(isHash(item), 'a checked list of hashes holds hashes');
    return item;
  });
}

function texts(value: CborValue | undefined): string[] | null {
  if (value === undefined || value === null) return null;
  assert(Array.isArray(value), 'a checked list is an array');
  return value.map((item: CborValue) => text(item));
}

/** A dec128 as the nearest double: the providers' APIs take JSON numbers. */
function decimal(value: CborValue | undefined): number | null {
  if (value === undefined || value === null) return null;
  assert(value instanceof Tagged && value.value instanceof Uint8Array, 'a checked dec128 is tag 2000 around bytes');
  return Number(decodeDec128(value.value));
}

function toolChoice(value: CborValue): LlmToolChoice | null {
  if (value === null) return null;
  assert(isCborObject(value), 'a checked variant is {$tag, $value}');
  switch (value['$tag']) {
    case 'Auto': return { mode: 'auto' };
    case 'None': return { mode: 'none' };
    case 'Required': return { mode: 'required' };
    case 'Tool': {
      const payload = value['$value'];
      assert(payload !== undefined && isCborObject(payload), 'the Tool alternative carries a record');
      return { mode: 'tool', name: text(payload['name']) };
    }
    default: return assertNoOtherTag(value['$tag']);
  }
}

function assertNoOtherTag(tag: CborValue | undefined): never {
  assert(false, `sys/LlmToolChoice@1 has no alternative ${String(tag)}`);
}

function metadata(value: CborValue): Array<readonly [string, string]> | null {
  if (value === null) return null;
  if (value instanceof Map) return [...value.entries()].map(([key, item]) => [text(key), text(item)] as const);
  assert(isCborObject(value), 'a checked map with text keys is an object');
  return Object.entries(value).map(([key, item]) => [text(key), text(item)] as const);
}

function apiKeySource(value: CborValue): ApiKeySource {
  if (value === null) return null;
  assert(isCborObject(value), 'a checked variant is {$tag, $value}');
  if (value['$tag'] === 'literal') return { kind: 'literal' };
  assert(value['$tag'] === 'secret', 'sys/TextOrSecretRef@1 is literal or secret');
  const ref = value['$value'];
  assert(ref !== undefined && isCborObject(ref), 'a secret ref is a record');
  const version = ref['version'];
  assert(typeof version === 'number' || typeof version === 'bigint', 'a checked secret version is a nat');
  return { kind: 'secret', name: `${text(ref['alias'])}@${version}` };
}
