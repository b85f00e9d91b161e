// Goal: a session holds the built-in tools by reference. Its state carries no copy of the
// registry or the profiles (they crossed the sandbox boundary at every step), yet its turns
// offer the built-in tools, each definition is written as a blob once and keeps its ref when the
// offered set (kept as tool ids and refs only) is recomputed, a registry of its own is kept in
// state, and an empty one brings back the built-ins. The shared built-ins cannot be written through.
// While a turn's messages are written, the session keeps the transcript's length, not a copy.
// Method: the bundled session under the receipt harness (session-harness.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CborValue } from '../../../src/cbor/index.ts';
import { builtinRegistry, registryOf, ZERO_HASH } from '../../../src/agent/tool-catalog.ts';
import { command, hostReady, runRequested, SessionHarness } from './session-harness.ts';

interface ToolRef { readonly tool_id: string; readonly tool_name: string; readonly tool_ref: string }

/** The offered tools as the state keeps them (id and ref), with the names the model sees. */
function offered(session: SessionHarness, registry = builtinRegistry()): ToolRef[] {
  const kept = (session.get('effective_tools') as unknown as { ordered_tools: Array<{ tool_id: string; tool_ref: string }> }).ordered_tools;
  return kept.map((tool) => ({ ...tool, tool_name: registry[tool.tool_id]?.tool_name ?? `unknown ${tool.tool_id}` }));
}

/** The tool definitions the session has written as blobs so far, by tool name. */
function definitionPuts(session: SessionHarness): string[] {
  return session.emitted.filter((effect) => effect.kind === 'blob.put').map((effect) => new TextDecoder().decode((effect.params as { bytes: Uint8Array }).bytes))
    .filter((text) => text.includes('"parameters"')).map((text) => (JSON.parse(text) as { name: string }).name);
}

test('a session offers the built-in tools without a copy in its state, and writes each definition once', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady('hs-1'));
  session.ingress(runRequested(session.putBlob(JSON.stringify({ role: 'user', content: 'start' }))));
  session.serveBlobs();
  assert.deepEqual([session.get('tool_registry'), session.get('tool_profiles')], [{}, {}], 'the state holds the built-ins by reference');
  const tools = offered(session);
  assert.deepEqual(Object.keys((session.get('effective_tools') as unknown as { ordered_tools: object[] }).ordered_tools[0] ?? {}).sort(), ['tool_id', 'tool_ref'], 'the state keeps each offered tool as its id and ref');
  assert.deepEqual(tools.map((tool) => tool.tool_name).sort(), ['apply_patch', 'exists', 'glob', 'grep', 'inspect_workflow', 'inspect_world', 'list_dir', 'read_file', 'shell', 'stat',
    'workspace_apply', 'workspace_commit', 'workspace_diff', 'workspace_inspect', 'workspace_list', 'workspace_read', 'write_file'], 'the openai profile of the built-ins');
  const generate = session.soleOpen('llm.generate');
  const refs = (generate.params as { runtime: { tool_refs: string[] } }).runtime.tool_refs;
  assert.deepEqual(refs, tools.map((tool) => tool.tool_ref));
  for (const [index, ref] of refs.entries()) {
    assert.notEqual(ref, ZERO_HASH);
    assert.equal((JSON.parse(session.blobText(ref)) as { name: string }).name, tools[index]?.tool_name, 'each ref names its tool\'s definition');
  }
  assert.deepEqual(definitionPuts(session).sort(), tools.map((tool) => tool.tool_name).sort(), 'one definition per tool');

  // The set is recomputed (shell disabled, a follow-up turn): the others keep their refs, and
  // no definition is written again.
  session.reply({ text: 'done' });
  session.serveBlobs();
  session.ingress({ $tag: 'ToolOverridesSet', $value: { scope: { $tag: 'Session' }, enable: null, disable: ['host.exec'], force: null } });
  session.ingress(command({ $tag: 'FollowUp', $value: { text: 'and now?' } }));
  session.serveBlobs();
  const next = offered(session);
  assert.deepEqual(next.map((tool) => tool.tool_name), tools.filter((tool) => tool.tool_name !== 'shell').map((tool) => tool.tool_name));
  assert.deepEqual(next.map((tool) => tool.tool_ref), tools.filter((tool) => tool.tool_name !== 'shell').map((tool) => tool.tool_ref));
  assert.equal(definitionPuts(session).length, tools.length, 'no definition was written twice');
  assert.deepEqual((session.soleOpen('llm.generate').params as { runtime: { tool_refs: string[] } }).runtime.tool_refs, next.map((tool) => tool.tool_ref));
});

test('a registry of the session\'s own is kept in its state; an empty one brings the built-ins back', async () => {
  const session = await SessionHarness.start();
  const readFile = builtinRegistry()['host.fs.read_file'] as unknown as CborValue;
  session.ingress({ $tag: 'ToolRegistrySet', $value: { registry: { 'host.fs.read_file': readFile }, profiles: { mine: ['host.fs.read_file'] }, default_profile: 'mine' } });
  assert.deepEqual(Object.keys(session.get('tool_registry') as Record<string, unknown>), ['host.fs.read_file']);
  session.ingress(hostReady('hs-1'));
  assert.deepEqual(offered(session).map((tool) => tool.tool_name), ['read_file']);
  session.ingress({ $tag: 'ToolRegistrySet', $value: { registry: {}, profiles: {}, default_profile: 'anthropic' } });
  assert.deepEqual([session.get('tool_registry'), session.get('tool_profiles'), session.get('tool_profile')], [{}, {}, 'anthropic']);
  assert.ok(offered(session).some((tool) => tool.tool_name === 'edit_file'), 'the built-in anthropic profile is offered again');
});

test('the shared built-in registry is frozen; builtinRegistry() hands out a copy of its own', () => {
  const shared = registryOf({ tool_registry: {} });
  const spec = shared['host.exec'];
  assert.ok(spec !== undefined && Object.isFrozen(spec) && Object.isFrozen(spec.parallelism_hint));
  assert.throws(() => { (spec as { tool_ref: string }).tool_ref = 'sha256:changed'; }, TypeError);
  const copy = builtinRegistry();
  (copy['host.exec'] as { tool_ref: string }).tool_ref = 'sha256:changed';
  assert.equal(registryOf({ tool_registry: {} })['host.exec']?.tool_ref, ZERO_HASH);
});

test('while a turn\'s messages are written, the session keeps the transcript\'s length, not a copy of it', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady('hs-1'));
  session.ingress(runRequested(session.putBlob(JSON.stringify({ role: 'user', content: 'start' }))));
  session.serveBlobs();
  session.reply({ calls: [{ id: 'c1', name: 'exists', args: '{"path":"a"}' }] });
  session.serveBlobs();
  const before = session.get('conversation_message_refs') as string[];
  session.answer(session.soleOpen('host.fs.exists'), { status: 'ok', exists: true, error_code: null });
  const pending = session.get('pending_follow_up_turn') as Record<string, CborValue>;
  assert.deepEqual(Object.keys(pending).sort(), ['base_message_count', 'blob_refs_by_index', 'expected_messages', 'tool_batch_id']);
  assert.equal(pending['base_message_count'], before.length);
  session.serveBlobs();
  const after = session.get('conversation_message_refs') as string[];
  assert.deepEqual(after.slice(0, before.length), before, 'the transcript so far is kept as it was');
  assert.deepEqual((session.transcript().slice(before.length) as Array<{ role?: string; call_id?: string }>).map((message) => message.role ?? message.call_id), ['assistant', 'c1'], 'then the assistant\'s call and its result');
  assert.equal(session.get('pending_follow_up_turn'), null);
});
