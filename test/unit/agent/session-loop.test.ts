// Goal: the bundled session workflow runs a run's turns: llm.generate with the transcript and the
// tool definitions, tool calls planned and grouped by parallel_safe/resource_key, every call
// answered (unknown tools and bad arguments with an error result the model sees), the final
// answer appended to a transcript that outlives the run, and the turn cap.
// Method: step the very bundle `aos build` ships through src/sdk/testing.ts, answering its
// effects with hand-built receipts (session-harness.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModuleStepError } from '../../../src/sdk/testing.ts';
import { command, hostReady, runRequested, SessionHarness } from './session-harness.ts';

test('a run: tool definitions, one llm.generate, a final answer in the transcript, WaitingInput', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  const input = session.putBlob(JSON.stringify({ role: 'user', content: 'hello' }));
  session.ingress(runRequested(input));
  assert.equal(session.lifecycle(), 'Running');
  assert.deepEqual([...new Set(session.open.map((effect) => effect.kind))], ['blob.put'], 'tool definitions are written first');
  session.serveBlobs();
  const generate = session.soleOpen('llm.generate');
  const params = generate.params as { correlation_id: string; message_refs: string[]; runtime: { tool_refs: string[]; tool_choice: unknown; max_tokens: number } };
  assert.equal(params.correlation_id, 'run-1-turn-1');
  assert.deepEqual(params.message_refs, [input]);
  assert.equal(params.runtime.tool_refs.length, 17, 'the openai profile: 16 common tools and apply_patch');
  assert.deepEqual(JSON.parse(session.blobText(params.runtime.tool_refs[8] ?? '')).name, 'shell');
  assert.deepEqual([params.runtime.tool_choice, params.runtime.max_tokens, generate.cap_slot], [{ $tag: 'Auto' }, 512, 'llm']);
  session.reply({ text: 'hi there' });
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'WaitingInput');
  assert.deepEqual(session.transcript(), [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi there' }]);
  assert.deepEqual(session.events.map((event) => [(event.value as { from: { $tag: string } }).from.$tag, (event.value as { to: { $tag: string } }).to.$tag]), [['Idle', 'Running'], ['Running', 'WaitingInput']]);

  session.ingress({ $tag: 'RunCompleted' });
  assert.deepEqual([session.lifecycle(), session.get('active_run_id'), session.get('next_run_seq')], ['Completed', null, 1]);
  const second = session.putBlob(JSON.stringify({ role: 'user', content: 'again' }));
  session.ingress(runRequested(second));
  session.serveBlobs();
  const next = session.soleOpen('llm.generate').params as { correlation_id: string; message_refs: string[] };
  assert.equal(next.correlation_id, 'run-2-turn-1');
  assert.equal(next.message_refs.length, 3, 'the transcript carries over: hello, the answer, again');
});

test('tool calls: grouped by parallel_safe and resource_key, unknown and invalid calls answered with errors', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady('hs-seed'));
  session.ingress(runRequested(session.putBlob('"go"')));
  session.serveBlobs();
  session.reply({
    calls: [
      { id: 'c1', name: 'read_file', args: '{"path":"a"}' },
      { id: 'c2', name: 'write_file', args: '{"path":"b","text":"x"}' },
      { id: 'c3', name: 'exists', args: '{"path":"b"}' },
      { id: 'c4', name: 'apply_patch', args: '{"patch":"*** Begin Patch"}' },
      { id: 'c5', name: 'shell', args: '{"argv":["echo","hi"]}' },
      { id: 'c6', name: 'no_such_tool', args: '{}' },
      { id: 'c7', name: 'stat', args: '{"nope":1}' },
      { id: 'c8', name: 'list_dir', args: 'not json' },
    ],
  });
  session.serveBlobs();
  const batch = session.get('active_tool_batch') as { plan: { execution_plan: { groups: string[][] } }; call_status: Record<string, { $tag: string; $value?: { code: string } }> };
  assert.deepEqual(batch.plan.execution_plan.groups, [['c1', 'c2', 'c3'], ['c4'], ['c5'], ['c7', 'c8']], 'write_file and apply_patch share host.fs.write (a new group); shell is serial (alone)');
  assert.deepEqual(batch.call_status['c6'], { $tag: 'Failed', $value: { code: 'tool_not_found', detail: batch.call_status['c6']?.$value?.['detail' as 'code'] ?? '' } });
  assert.deepEqual(session.open.map((effect) => [effect.kind, effect.issuer_ref, effect.cap_slot]), [['host.fs.read_file', 'c1', 'host'], ['host.fs.write_file', 'c2', 'host'], ['host.fs.exists', 'c3', 'host']], 'the first group goes out together');
  assert.equal((session.open[0]?.params as { session_id: string }).session_id, 'hs-seed', 'the host session id is injected');
  for (const effect of [...session.open]) session.answer(effect, effect.kind === 'host.fs.read_file' ? { status: 'ok', content: { $tag: 'inline_text', $value: { text: 'A' } }, truncated: false, size_bytes: 1, mtime_ns: 1, error_code: null, error_message: null } : { status: 'ok', exists: true, error_code: null });
  assert.deepEqual(session.open.map((effect) => effect.issuer_ref), ['c4'], 'the second group');
  session.answer(session.soleOpen('host.fs.apply_patch'), { status: 'error', files_changed: null, changed_paths: null, ops: null, summary_text: null, errors: ['no hunk'], error_code: 'invalid_patch' });
  assert.deepEqual(session.open.map((effect) => effect.issuer_ref), ['c5'], 'the third group');
  session.answer(session.soleOpen('host.exec'), { exit_code: 0, status: 'ok', stdout: { $tag: 'inline_text', $value: { text: 'hi\n' } }, stderr: null, started_at_ns: 1, ended_at_ns: 2, error_code: null, error_message: null });
  session.serveBlobs();
  const settled = session.get('active_tool_batch') as typeof batch;
  assert.deepEqual(Object.fromEntries(Object.entries(settled.call_status).map(([id, status]) => [id, status.$value?.code ?? status.$tag])),
    { c1: 'Succeeded', c2: 'Succeeded', c3: 'Succeeded', c4: 'invalid_patch', c5: 'Succeeded', c6: 'tool_not_found', c7: 'tool_invalid_args', c8: 'tool_arguments_not_json' });
  const transcript = session.transcript() as Array<{ role?: string; type?: string; call_id?: string; is_error?: boolean; tool_calls?: unknown[]; output?: string }>;
  assert.equal(transcript.length, 1 + 1 + 8, 'input, the assistant\'s calls, one result per call');
  assert.equal(transcript[1]?.tool_calls?.length, 8, 'the assistant message lists every call, unknown ones too');
  assert.deepEqual(transcript.slice(2).map((message) => [message.call_id, message.is_error]), [['c1', false], ['c2', false], ['c3', false], ['c4', true], ['c5', false], ['c6', true], ['c7', true], ['c8', true]]);
  assert.match(transcript[7]?.output ?? '', /no tool named \\"no_such_tool\\"/);
  const turn2 = session.soleOpen('llm.generate').params as { correlation_id: string; message_refs: string[] };
  assert.deepEqual([turn2.correlation_id, turn2.message_refs.length], ['run-1-turn-2', 10]);
});

test('the turn cap fails a run that keeps calling tools', async () => {
  const session = await SessionHarness.start();
  session.ingress(runRequested(session.putBlob('"loop"'), 'openai', 'gpt-5.2', { default_tool_profile: 'none' }));
  // A profile the registry does not have leaves no tools, so no host session is needed; the model still calls one.
  session.serveBlobs();
  let turns = 0;
  while (session.open.some((effect) => effect.kind === 'llm.generate')) {
    turns += 1;
    session.reply({ calls: [{ id: `call-${turns}`, name: 'shell', args: '{"argv":["true"]}' }] });
    session.serveBlobs();
  }
  assert.equal(turns, 32);
  assert.equal(session.lifecycle(), 'Failed');
  assert.equal(session.get('active_run_id'), null);
});

test('RunRequested without provider or model is refused and changes nothing; a second run while one is active too', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  const before = session.state;
  for (const [provider, model, code] of [['', 'gpt-5.2', 'missing_provider'], ['openai', ' ', 'missing_model']] as const) {
    assert.throws(() => session.ingress(runRequested(session.putBlob('"x"'), provider, model)), (error: unknown) => error instanceof ModuleStepError && error.failure.kind === 'failed' && error.failure.code === code);
    assert.deepEqual(session.state, before);
  }
  session.ingress(runRequested(session.putBlob('"x"')));
  assert.throws(() => session.ingress(runRequested(session.putBlob('"y"'))), (error: unknown) => error instanceof ModuleStepError && error.failure.kind === 'failed' && error.failure.code === 'run_already_active');
  assert.throws(() => session.ingress(command({ $tag: 'Resume' })), (error: unknown) => error instanceof ModuleStepError && error.failure.kind === 'failed' && error.failure.code === 'host_command_rejected');
});

test('a repeated call id runs once and gets one result', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  session.ingress(runRequested(session.putBlob('"go"')));
  session.serveBlobs();
  session.reply({ calls: [{ id: 'c1', name: 'exists', args: '{"path":"a"}' }, { id: 'c1', name: 'stat', args: '{"path":"b"}' }] });
  session.serveBlobs();
  assert.deepEqual(session.open.map((effect) => [effect.kind, effect.issuer_ref]), [['host.fs.exists', 'c1']]);
  session.answer(session.soleOpen('host.fs.exists'), { status: 'ok', exists: true, error_code: null });
  session.serveBlobs();
  const results = (session.transcript() as Array<{ call_id?: string }>).filter((message) => message.call_id !== undefined);
  assert.deepEqual(results.map((message) => message.call_id), ['c1']);
  assert.match(String(session.get('last_tool_plan_hash')), /^sha256:[0-9a-f]{64}$/);
});

test('auto-open: a profile with host tools and no ready host session opens one before the first turn', async () => {
  const session = await SessionHarness.start();
  session.ingress(runRequested(session.putBlob('"go"')));
  const open = session.soleOpen('host.session.open');
  assert.deepEqual([open.params, open.cap_slot], [{ target: { $tag: 'local', $value: { mounts: null, workdir: null, env: null, network_mode: 'none' } }, session_ttl_ns: null, labels: null }, 'host']);
  assert.deepEqual(session.open.map((effect) => effect.kind), ['host.session.open'], 'nothing else until the session is open');
  session.answer(open, { session_id: 'sess-1', status: 'ready', started_at_ns: 1, expires_at_ns: null, error_code: null, error_message: null });
  assert.deepEqual(session.get('tool_runtime_context'), { host_session_id: 'sess-1', host_session_status: { $tag: 'Ready' } });
  session.serveBlobs();
  assert.equal((session.soleOpen('llm.generate').params as { runtime: { tool_refs: string[] } }).runtime.tool_refs.length, 17);
});

test('a tool receipt rejected at admission is an error result; a rejected llm.generate fails the run', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  session.ingress(runRequested(session.putBlob('"go"')));
  session.serveBlobs();
  session.reply({ calls: [{ id: 'c1', name: 'exists', args: '{"path":"a"}' }] });
  session.serveBlobs();
  session.reject(session.soleOpen('host.fs.exists'), 'bad_signature', 'the receipt signature does not verify');
  const batch = session.get('active_tool_batch') as { call_status: Record<string, unknown> };
  assert.deepEqual(batch.call_status['c1'], { $tag: 'Failed', $value: { code: 'bad_signature', detail: 'the receipt signature does not verify' } });
  session.serveBlobs();
  session.reject(session.soleOpen('llm.generate'), 'bad_signature', 'no');
  assert.deepEqual([session.lifecycle(), session.get('active_run_id')], ['Failed', null]);
});
