// Tool blobs → tool definitions (and a tool_choice a blob may carry), in upstream's shapes:
// a blob is one tool, a JSON array of tools, or {tools: [...], tool_choice?}; a tool is
// {name, description?, parameters?} (or input_schema instead of parameters), or an OpenAI
// {type: "function", function: {name, description?, parameters?}}. A tool without parameters
// takes none ({"type":"object","properties":{}}). A tool_choice in a blob is "auto", "none",
// "required" (or "any"), {mode, tool_name?}, {type: "function", name | function.name} or
// {name}; the intent's runtime.tool_choice wins over it.
import type { Hash } from '../../cbor/index.ts';
import type { AdapterBlobs } from '../adapter.ts';
import { arrayAt, isJsonObject, objectAt, readBlob, textAt } from './json-read.ts';
import type { JsonObject } from './json-read.ts';
import { plainJson } from './json-text.ts';
import { LLM_TOOLS_MAX } from './limits.ts';
import { llmFailure } from './llm-reply.ts';
import type { LlmToolChoice, LlmToolDefinition } from './llm-request.ts';
import { failed, fetchBlob } from './read-blob.ts';
import type { Reading } from './read-blob.ts';

/** The tools of every tool blob, and the last tool_choice a blob gave. */
interface ToolReading {
  readonly tools: readonly LlmToolDefinition[];
  readonly toolChoice: LlmToolChoice | null;
}

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const NO_PARAMETERS: Readonly<Record<string, unknown>> = Object.freeze({ type: 'object', properties: {} });

/** Reads every tool blob in order; tool names must be unique over all of them. */
export function readTools(refs: readonly Hash[], blobs: AdapterBlobs): Reading<ToolReading> {
  const tools: LlmToolDefinition[] = [];
  let toolChoice: LlmToolChoice | null = null;
  for (const [position, ref] of refs.entries()) {
    const bytes = fetchBlob(blobs, ref, `tool (tool_refs[${position}])`);
    if (!bytes.ok) return bytes;
    const reading = readBlob(bytes.value);
    const bad = (reason: string): Reading<ToolReading> => failed(llmFailure('BAD_TOOL', `tool blob ${ref} (tool_refs[${position}]): ${reason}`));
    if (reading.kind !== 'json') return bad('it is not JSON; a tool blob is a tool object, a list of them, or {"tools": [...]}');
    const value = reading.value;
    const items = Array.isArray(value) ? value : isJsonObject(value) ? toolsOfObject(value) : null;
    if (items === null) return bad('it is neither a JSON object nor a list');
    for (const [index, item] of items.entries()) {
      const tool = isJsonObject(item) ? parseTool(item) : { ok: false as const, reason: 'it is not an object' };
      if (!tool.ok) return bad(`tool [${index}]: ${tool.reason}`);
      if (tools.some((known) => known.name === tool.value.name)) return bad(`the tool name "${tool.value.name}" is given twice; tool names must be unique`);
      tools.push(tool.value);
    }
    if (isJsonObject(value) && value['tool_choice'] !== undefined) {
      const choice = parseToolChoice(value['tool_choice']);
      if (!choice.ok) return bad(choice.reason);
      toolChoice = choice.value;
    }
    if (tools.length > LLM_TOOLS_MAX) return bad(`the tool blobs hold more than ${LLM_TOOLS_MAX} tools (LLM_TOOLS_MAX)`);
  }
  return { ok: true, value: { tools, toolChoice } };
}

/** An object blob's tools: its `tools` list, itself when it looks like a tool, else none (a blob with only a tool_choice). */
function toolsOfObject(object: JsonObject): readonly unknown[] {
  const listed = arrayAt(object, 'tools');
  if (listed !== null) return listed;
  return ['name', 'function', 'parameters', 'input_schema'].some((key) => object[key] !== undefined) ? [object] : [];
}

function parseTool(object: JsonObject): Parsed<LlmToolDefinition> {
  const source = objectAt(object, 'function') ?? object;
  const name = textAt(source, 'name');
  if (name === null || name === '') return { ok: false, reason: 'it has no name' };
  const given = source['parameters'] ?? source['input_schema'];
  if (given !== undefined && given !== null && !isJsonObject(given)) return { ok: false, reason: `the parameters of "${name}" are not a JSON Schema object` };
  const parameters = given === undefined || given === null ? NO_PARAMETERS : plainJson(given);
  if (!isJsonObject(parameters)) return { ok: false, reason: `the parameters of "${name}" are not JSON data` };
  return { ok: true, value: { name, description: textAt(source, 'description') ?? '', parameters } };
}

function parseToolChoice(value: unknown): Parsed<LlmToolChoice> {
  if (typeof value === 'string') return modeChoice(value, null);
  if (!isJsonObject(value)) return { ok: false, reason: 'tool_choice is neither text nor an object' };
  const mode = textAt(value, 'mode');
  if (mode !== null) return modeChoice(mode, textAt(value, 'tool_name'));
  const named = textAt(value, 'name') ?? textAt(objectAt(value, 'function') ?? {}, 'name');
  if (named !== null) return { ok: true, value: { mode: 'tool', name: named } };
  if (textAt(value, 'type')?.toLowerCase() === 'function') return { ok: true, value: { mode: 'required' } };
  return { ok: false, reason: 'tool_choice names no mode and no tool' };
}

function modeChoice(mode: string, toolName: string | null): Parsed<LlmToolChoice> {
  switch (mode.toLowerCase()) {
    case 'auto': return { ok: true, value: { mode: 'auto' } };
    case 'none': return { ok: true, value: { mode: 'none' } };
    case 'required':
    case 'any': return { ok: true, value: { mode: 'required' } };
    case 'named':
    case 'tool': return toolName === null ? { ok: false, reason: `tool_choice "${mode}" names no tool_name` } : { ok: true, value: { mode: 'tool', name: toolName } };
    default: return { ok: false, reason: `tool_choice "${mode}" is not auto, none, required or named` };
  }
}
