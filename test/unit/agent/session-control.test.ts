// Goal: operator control of a run: pause really stops dispatch (receipts still land, nothing new
// goes out until resume); cancel settles the run at once, interrupts host commands still running
// and ignores their late receipts; steer text reaches the next turn; follow-up text starts a turn
// after the answer (and resumes a waiting run); a refused command changes nothing.
// Method: the bundled session under the receipt harness (session-harness.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModuleStepError } from '../../../src/sdk/testing.ts';
import { command, hostReady, runRequested, SessionHarness } from './session-harness.ts';

async function runningSession(): Promise<SessionHarness> {
  const session = await SessionHarness.start();
  session.ingress(hostReady('hs-1'));
  session.ingress(runRequested(session.putBlob(JSON.stringify({ role: 'user', content: 'start' }))));
  session.serveBlobs();
  return session;
}

test('pause stops dispatch: the LLM reply lands, no tool goes out until resume', async () => {
  const session = await runningSession();
  session.ingress(command({ $tag: 'Pause' }));
  assert.equal(session.lifecycle(), 'Paused');
  session.reply({ calls: [{ id: 'c1', name: 'shell', args: '{"argv":["ls"]}' }] });
  session.serveBlobs();
  assert.deepEqual(session.open.map((effect) => effect.kind), [], 'paused: the call is planned but not dispatched');
  assert.equal((session.get('active_tool_batch') as { call_status: Record<string, { $tag: string }> }).call_status['c1']?.$tag, 'Queued');
  session.ingress(command({ $tag: 'Resume' }));
  assert.equal(session.lifecycle(), 'Running');
  assert.deepEqual(session.open.map((effect) => [effect.kind, effect.issuer_ref]), [['host.exec', 'c1']], 'resume dispatches the call');
});

test('resume of a run paused while waiting for input goes back to WaitingInput', async () => {
  const session = await runningSession();
  session.reply({ text: 'done' });
  session.serveBlobs();
  session.ingress(command({ $tag: 'Pause' }));
  session.ingress(command({ $tag: 'Resume' }));
  assert.equal(session.lifecycle(), 'WaitingInput');
});

test('cancel settles the run, interrupts the running host command and ignores its late receipt', async () => {
  const session = await runningSession();
  session.reply({ calls: [{ id: 'c1', name: 'shell', args: '{"argv":["sleep","100"]}' }] });
  session.serveBlobs();
  const exec = session.soleOpen('host.exec');
  session.ingress(command({ $tag: 'Cancel', $value: { reason: 'stop' } }));
  assert.deepEqual([session.lifecycle(), session.get('active_run_id'), session.get('in_flight_effects')], ['Cancelled', null, 0]);
  const signal = session.soleOpen('host.session.signal');
  assert.deepEqual(signal.params, { session_id: 'hs-1', signal: 'interrupt', grace_timeout_ns: null });
  const batch = session.get('active_tool_batch') as { call_status: Record<string, { $tag: string }> };
  assert.equal(batch.call_status['c1']?.$tag, 'Cancelled');
  const before = session.state;
  session.answer(exec, { exit_code: 130, status: 'signaled', stdout: null, stderr: null, started_at_ns: 1, ended_at_ns: 2, error_code: null, error_message: null });
  assert.deepEqual(session.state, before, 'the late receipt changes nothing');
  assert.throws(() => session.ingress(command({ $tag: 'Cancel', $value: { reason: null } })), (error: unknown) => error instanceof ModuleStepError && error.failure.kind === 'failed' && error.failure.code === 'host_command_rejected');
});

test('steer text is injected into the next turn', async () => {
  const session = await runningSession();
  session.ingress(command({ $tag: 'Steer', $value: { text: 'prefer short answers' } }));
  session.reply({ calls: [{ id: 'c1', name: 'exists', args: '{"path":"x"}' }] });
  session.serveBlobs();
  session.answer(session.soleOpen('host.fs.exists'), { status: 'ok', exists: false, error_code: null });
  session.serveBlobs();
  const turn2 = session.soleOpen('llm.generate').params as { message_refs: string[] };
  const last = JSON.parse(session.blobText(turn2.message_refs.at(-1) ?? '')) as unknown;
  assert.deepEqual(last, { role: 'user', content: 'prefer short answers' }, 'after the tool results, the steer text');
  assert.deepEqual(session.get('pending_steer'), []);
});

test('follow-up text starts a turn once the run has answered, and resumes a waiting run', async () => {
  const session = await runningSession();
  session.ingress(command({ $tag: 'FollowUp', $value: { text: 'and then?' } }));
  session.reply({ text: 'first answer' });
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'Running', 'the queued follow-up keeps the run going');
  assert.deepEqual(session.transcript().slice(1), [{ role: 'assistant', content: 'first answer' }, { role: 'user', content: 'and then?' }]);
  session.reply({ text: 'second answer' });
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'WaitingInput');
  session.ingress(command({ $tag: 'FollowUp', $value: { text: 'one more' } }));
  assert.equal(session.lifecycle(), 'Running');
  session.serveBlobs();
  const turn = session.soleOpen('llm.generate').params as { correlation_id: string; message_refs: string[] };
  assert.equal(turn.message_refs.length, 5, 'start, first answer, and then?, second answer, one more');
  assert.equal(turn.correlation_id, 'run-1-turn-1', 'no tool batch in this run yet: still batch 0');
  assert.throws(() => session.ingress({ $tag: 'RunCompleted' }) && session.ingress({ $tag: 'RunCompleted' }), (error: unknown) => error instanceof ModuleStepError && error.failure.kind === 'failed' && error.failure.code === 'run_not_active');
});

test('an llm.generate error fails the run', async () => {
  const session = await runningSession();
  session.answer(session.soleOpen('llm.generate'), { output_ref: session.putBlob('"rate limited"'), raw_output_ref: null, provider_response_id: null, finish_reason: { reason: 'error', raw: null }, token_usage: { prompt: 0, completion: 0, total: null }, usage_details: null, warnings_ref: null, rate_limit_ref: null, cost_cents: null, provider_id: 'test' }, 'error');
  assert.deepEqual([session.lifecycle(), session.get('active_run_id')], ['Failed', null]);
});
