// The two optional JSON blobs of an llm.generate intent:
// - provider_options_ref: {"openai": {...}, "anthropic": {...}}; the section of the provider's
//   API family is merged under the request body (fields the adapter sets win, with a warning),
//   as upstream merges provider_options.openai.*; other sections are ignored.
// - response_format_ref: OpenAI's response_format, {"type": "text" | "json_object"} or
//   {"type": "json_schema", "json_schema": {"name", "schema", "strict"?}} (the Responses API's
//   flat {"type": "json_schema", "name", "schema", "strict"?} is read too).
import type { Hash } from '../../cbor/index.ts';
import type { AdapterBlobs } from '../adapter.ts';
import { isJsonObject, objectAt, readBlob, textAt } from './json-read.ts';
import type { JsonObject } from './json-read.ts';
import { plainJson } from './json-text.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmResponseFormat } from './llm-request.ts';
import { failed, fetchBlob } from './read-blob.ts';
import type { Reading } from './read-blob.ts';

/** The provider_options section for an API family ("openai" or "anthropic"), or null when the blob has none. */
export function readProviderOptions(ref: Hash, family: string, blobs: AdapterBlobs): Reading<Readonly<Record<string, unknown>> | null> {
  const object = readJsonObject(ref, 'provider options (runtime.provider_options_ref)', blobs);
  if (!object.ok) return object;
  const section = object.value[family];
  if (section === undefined || section === null) return { ok: true, value: null };
  const plain = plainJson(section);
  if (!isJsonObject(plain)) return failed(llmFailure('BAD_OPTIONS', `provider options blob ${ref}: the "${family}" section is not a JSON object`));
  return { ok: true, value: plain };
}

/** The response format the blob asks for. */
export function readResponseFormat(ref: Hash, blobs: AdapterBlobs): Reading<LlmResponseFormat> {
  const object = readJsonObject(ref, 'response format (runtime.response_format_ref)', blobs);
  if (!object.ok) return object;
  const bad = (reason: string): Reading<LlmResponseFormat> => failed(llmFailure('BAD_OPTIONS', `response format blob ${ref}: ${reason}`));
  const type = textAt(object.value, 'type');
  if (type === 'text' || type === 'json_object') return { ok: true, value: { type } };
  if (type !== 'json_schema') return bad(`"type" is ${JSON.stringify(type)}; expected "text", "json_object" or "json_schema"`);
  const spec = objectAt(object.value, 'json_schema') ?? object.value;
  const schema = plainJson(spec['schema']);
  if (!isJsonObject(schema)) return bad('a json_schema format needs a "schema" object');
  const strict = spec['strict'];
  return { ok: true, value: { type, name: textAt(spec, 'name') ?? 'response', schema, strict: typeof strict === 'boolean' ? strict : null } };
}

function readJsonObject(ref: Hash, what: string, blobs: AdapterBlobs): Reading<JsonObject> {
  const bytes = fetchBlob(blobs, ref, what);
  if (!bytes.ok) return bytes;
  const reading = readBlob(bytes.value);
  if (reading.kind !== 'json' || !isJsonObject(reading.value)) return failed(llmFailure('BAD_OPTIONS', `the ${what} blob ${ref} is not a JSON object`));
  return { ok: true, value: reading.value };
}
