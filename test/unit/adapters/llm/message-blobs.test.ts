// Goal: every message-blob shape upstream writes (and ours) reads into the same neutral
// messages: plain text, JSON strings, {role, content} with string or part lists, tool_calls on
// a message, OpenAI {function: {...}} calls, function_call and function_call_output items,
// Anthropic tool_use and tool_result parts, role "tool" results; is_error is kept; parts the
// adapter cannot read are reported, not lost silently; tool blobs read in all their shapes.
// Method: blobs in a memory CAS, read with readMessages and readTools directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LlmWarning } from '../../../../src/adapters/llm/llm-reply.ts';
import { readMessages } from '../../../../src/adapters/llm/message-blobs.ts';
import { readTools } from '../../../../src/adapters/llm/tool-blobs.ts';
import { MemoryBlobs } from './llm-harness.ts';

function read(...blobs: unknown[]): { messages: unknown; warnings: LlmWarning[] } {
  const cas = new MemoryBlobs();
  const refs = blobs.map((blob) => (typeof blob === 'string' ? cas.put(new TextEncoder().encode(blob)) : cas.putJson(blob)));
  const warnings: LlmWarning[] = [];
  const reading = readMessages(refs, cas, warnings);
  assert.ok(reading.ok, reading.ok ? '' : reading.failure.message);
  return { messages: reading.value, warnings };
}

test('text blobs: plain text and a JSON string are user messages; a JSON number is its text', () => {
  assert.deepEqual(read('Summarise this.', '"quoted"', '42').messages, [
    { role: 'user', parts: [{ kind: 'text', text: 'Summarise this.' }] },
    { role: 'user', parts: [{ kind: 'text', text: 'quoted' }] },
    { role: 'user', parts: [{ kind: 'text', text: '42' }] },
  ]);
});

test('role/content messages, arrays of them, and part lists', () => {
  const { messages, warnings } = read(
    [{ role: 'system', content: 'Be brief.' }, { role: 'Developer', content: [{ type: 'input_text', text: 'a' }, 'b', { type: 'image', url: 'x' }] }],
    { role: 'narrator', content: { type: 'output_text', text: 'c' } },
  );
  assert.deepEqual(messages, [
    { role: 'system', parts: [{ kind: 'text', text: 'Be brief.' }] },
    { role: 'developer', parts: [{ kind: 'text', text: 'a' }, { kind: 'text', text: 'b' }] },
    { role: 'user', parts: [{ kind: 'text', text: 'c' }] },
  ]);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.code, 'PART_DROPPED');
  assert.match(warnings[0]?.message ?? '', /\$\[1\]\.content\[2\] is no part the adapter reads/);
});

test('tool calls in every shape keep their ids and arguments (text exactly, JSON compactly)', () => {
  const { messages } = read(
    // Written as text: a JS number could not hold the 20-digit integer.
    '{"role": "assistant", "content": "On it.", "tool_calls": [{"id": "c1", "name": "grep", "arguments": "{ \\"pattern\\" : \\"x\\" }"}, {"id": "c2", "type": "function", "function": {"name": "glob", "arguments": {"pattern": "*.ts", "n": 12345678901234567890}}}]}',
    { type: 'function_call', call_id: 'c3', name: 'stat', arguments: '{"path":"."}' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'c4', name: 'ls', input: { path: 'src' } }] },
  );
  assert.deepEqual(messages, [
    { role: 'assistant', parts: [{ kind: 'text', text: 'On it.' }, { kind: 'tool_call', call: { id: 'c1', name: 'grep', arguments: '{ "pattern" : "x" }' } }, { kind: 'tool_call', call: { id: 'c2', name: 'glob', arguments: '{"pattern":"*.ts","n":12345678901234567890}' } }] },
    { role: 'assistant', parts: [{ kind: 'tool_call', call: { id: 'c3', name: 'stat', arguments: '{"path":"."}' } }] },
    { role: 'assistant', parts: [{ kind: 'tool_call', call: { id: 'c4', name: 'ls', arguments: '{"path":"src"}' } }] },
  ]);
});

test('tool results in every shape, is_error kept', () => {
  const { messages } = read(
    { type: 'function_call_output', call_id: 'c1', output: 'done', is_error: true },
    { type: 'tool_result', tool_call_id: 'c2', output: { ok: false, error: 'denied' } },
    { role: 'tool', tool_call_id: 'c3', content: 'plain' },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c4', content: 'from anthropic' }, { type: 'text', text: 'and more' }] },
  );
  assert.deepEqual(messages, [
    { role: 'tool', parts: [{ kind: 'tool_result', call_id: 'c1', output: 'done', is_error: true }] },
    { role: 'tool', parts: [{ kind: 'tool_result', call_id: 'c2', output: '{"ok":false,"error":"denied"}', is_error: false }] },
    { role: 'tool', parts: [{ kind: 'tool_result', call_id: 'c3', output: 'plain', is_error: false }] },
    { role: 'user', parts: [{ kind: 'tool_result', call_id: 'c4', output: 'from anthropic', is_error: false }, { kind: 'text', text: 'and more' }] },
  ]);
});

test('a nested array, a tool result without call_id and content of the wrong kind are BAD_MESSAGE with the place', () => {
  const cases: Array<[unknown, RegExp]> = [
    [[[{ role: 'user', content: 'x' }]], /\$\[0\] is not a JSON object/],
    [{ type: 'function_call_output', output: 'x' }, /the tool result at \$ has no call_id/],
    [{ role: 'user', content: 7 }, /\$\.content is neither text nor a list of parts/],
  ];
  for (const [blob, pattern] of cases) {
    const cas = new MemoryBlobs();
    const reading = readMessages([cas.putJson(blob)], cas, []);
    assert.ok(!reading.ok);
    assert.equal(reading.failure.code, 'BAD_MESSAGE');
    assert.match(reading.failure.message, pattern);
  }
});

test('tool blobs: one tool, a list, {tools, tool_choice}, OpenAI function wrappers and input_schema', () => {
  const cas = new MemoryBlobs();
  const refs = [
    cas.putJson({ name: 'a', description: 'A', parameters: { type: 'object', properties: { x: { type: 'integer', maximum: 10 } } } }),
    cas.putJson([{ type: 'function', function: { name: 'b' } }, { name: 'c', input_schema: { type: 'object' } }]),
    cas.putJson({ tools: [{ name: 'd' }], tool_choice: { type: 'function', function: { name: 'd' } } }),
    cas.putJson({ tool_choice: 'any' }),
  ];
  const reading = readTools(refs, cas);
  assert.ok(reading.ok);
  assert.deepEqual(reading.value.tools.map((tool) => [tool.name, tool.description, tool.parameters]), [
    ['a', 'A', { type: 'object', properties: { x: { type: 'integer', maximum: 10 } } }],
    ['b', '', { type: 'object', properties: {} }],
    ['c', '', { type: 'object' }],
    ['d', '', { type: 'object', properties: {} }],
  ]);
  assert.deepEqual(reading.value.toolChoice, { mode: 'required' });
});
