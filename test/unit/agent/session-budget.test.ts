// Goal: a run's token and cost budget: usage from every llm.generate receipt (token_usage, and the
// envelope's cost_cents) is summed per run; when the next turn would start with a cap reached, the
// run fails with budget_exhausted, no further llm.generate goes out, and the transcript keeps
// everything so far. Limits come from SessionLimitsSet: scope Session is the default of later runs,
// scope Run changes the active run's; each run starts with no usage.
// Method: step the bundled session workflow (session-harness.ts) with hand-built receipts; the
// tool calls name an unknown tool, so each is answered with an error result and no effect.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ModuleStepError } from '../../../src/sdk/testing.ts';
import { command, hostReady, runRequested, SessionHarness } from './session-harness.ts';

const UNKNOWN_CALL = (id: string) => ({ id, name: 'no_such_tool', args: '{}' });

function usage(session: SessionHarness): Record<string, number> {
  return Object.fromEntries(Object.entries(session.get('run_usage') as Record<string, number>).map(([key, value]) => [key, Number(value)]));
}

function failure(session: SessionHarness): { code: string; detail: string } | null {
  return session.get('run_failure') as { code: string; detail: string } | null;
}

async function start(): Promise<SessionHarness> {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  return session;
}

test('a token budget: the turn after the cap is reached is not sent; the run fails with budget_exhausted', async () => {
  const session = await start();
  session.limits('Session', { max_total_tokens: 100 });
  session.ingress(runRequested(session.putBlob('"count to ten"')));
  session.serveBlobs();
  session.reply({ calls: [UNKNOWN_CALL('c1')] }, { prompt: 60, completion: 30 });
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'Running', '90 of 100 tokens: turn 2 goes out');
  session.reply({ calls: [UNKNOWN_CALL('c2')] }, { prompt: 15, completion: 10 });
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'Failed', '115 of 100 tokens: turn 3 would start with the budget spent');
  assert.equal(failure(session)?.code, 'budget_exhausted');
  assert.match(failure(session)?.detail ?? '', /115 tokens of its budget of 100/);
  assert.equal(session.emitted.filter((effect) => effect.kind === 'llm.generate').length, 2, 'no third llm.generate');
  assert.deepEqual(usage(session), { llm_calls: 2, prompt_tokens: 75, completion_tokens: 40, total_tokens: 115, cost_cents: 0 });
  const transcript = session.transcript() as Array<{ role?: string; type?: string } | string>;
  assert.equal(transcript.length, 5, 'the input, and each turn\'s calls and result, are kept');
  assert.equal(transcript[0], 'count to ten');
  assert.deepEqual(transcript.slice(1).map((message) => (typeof message === 'string' ? message : message.role ?? message.type)), ['assistant', 'function_call_output', 'assistant', 'function_call_output']);
  assert.equal(session.open.length, 0);
});

test('a run-scoped cost budget: the envelope\'s cost_cents is summed and a follow-up past it fails the run', async () => {
  const session = await start();
  session.ingress(runRequested(session.putBlob('"price it"')));
  session.limits('Run', { max_cost_cents: 5 });
  assert.deepEqual(session.get('session_limits'), { max_total_tokens: null, max_cost_cents: null, context_tokens_max: null }, 'the session default is untouched');
  session.serveBlobs();
  session.replyCosting({ text: 'three cents' }, { prompt: 4, completion: 2 }, 3);
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'WaitingInput');
  session.ingress(command({ $tag: 'FollowUp', $value: { text: 'and again' } }));
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'Running', '3 of 5 cents: the follow-up turn goes out');
  session.replyCosting({ text: 'three more' }, { prompt: 8, completion: 2 }, 3);
  session.serveBlobs();
  session.ingress(command({ $tag: 'FollowUp', $value: { text: 'once more' } }));
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'Failed');
  assert.deepEqual([failure(session)?.code, failure(session)?.detail], ['budget_exhausted', 'the run cost 6 cents of its budget of 5']);
  assert.deepEqual(usage(session), { llm_calls: 2, prompt_tokens: 12, completion_tokens: 4, total_tokens: 16, cost_cents: 6 });
  assert.deepEqual((session.transcript() as Array<{ content?: string }>).map((message) => (typeof message === 'string' ? message : message.content)), ['price it', 'three cents', 'and again', 'three more', 'once more'], 'the last follow-up is kept though its turn never went out');
});

test('the session default applies to every run; each run starts with no usage; run-scoped limits need a run', async () => {
  const session = await start();
  assert.throws(() => session.limits('Run', { max_total_tokens: 10 }), (error: unknown) => error instanceof ModuleStepError && error.failure.kind === 'failed' && error.failure.code === 'run_not_active');
  assert.throws(() => session.limits('Session', { context_tokens_max: 0 }), (error: unknown) => error instanceof ModuleStepError && error.failure.kind === 'failed' && error.failure.code === 'invalid_limits');
  session.limits('Session', { max_total_tokens: 50 });
  session.ingress(runRequested(session.putBlob('"one"')));
  session.serveBlobs();
  session.reply({ text: 'first' }, { prompt: 30, completion: 30 });
  session.serveBlobs();
  session.ingress({ $tag: 'RunCompleted' });
  assert.equal(usage(session)['total_tokens'], 60, 'the usage stays for inspection after the run');
  session.ingress(runRequested(session.putBlob('"two"')));
  assert.deepEqual(usage(session), { llm_calls: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_cents: 0 }, 'run 2 starts with no usage');
  assert.deepEqual(session.get('run_limits'), { max_total_tokens: 50, max_cost_cents: null, context_tokens_max: null });
  session.serveBlobs();
  assert.equal(session.soleOpen('llm.generate').kind, 'llm.generate', 'run 2\'s first turn goes out under the same default');
  session.ingress({ $tag: 'RunFailed', $value: { code: 'operator_gave_up', detail: 'enough' } });
  assert.deepEqual([session.lifecycle(), failure(session)?.code, failure(session)?.detail], ['Failed', 'operator_gave_up', 'enough'], 'an external verdict keeps its own code');
});
