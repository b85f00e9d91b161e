// Goal: a failed llm.generate is retried by its failure code: a retryable code (provider_retryable,
// adapter_timeout, adapter_error) sets a timer.set with exponential backoff and the same turn goes
// out again when the timer's receipt comes back; a terminal code fails the run at once with that
// code; the LLM_ATTEMPTS_MAX-th failure fails the run with the last code; a cancel or a pause
// during the backoff is honoured.
// Method: step the bundled session workflow (session-harness.ts), failing its llm.generate as the
// LLM adapter does (status error/timeout, the adapter's code in finish_reason.raw) or as the
// executor does (a message as the payload), and firing the timers by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LLM_ATTEMPTS_MAX, LLM_RETRY_DELAY_BASE_MS, LLM_RETRY_DELAY_CAP_MS } from '../../../src/agent/limits.ts';
import { llmFailureOf } from '../../../src/agent/failure.ts';
import { retryDelayMs } from '../../../src/agent/retry.ts';
import { command, hostReady, runRequested, SessionHarness } from './session-harness.ts';

const MS = 1_000_000n;

/** A session whose run has its first llm.generate open (the host session ready, the tools written). */
async function runningSession(): Promise<SessionHarness> {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  session.ingress(runRequested(session.putBlob(JSON.stringify({ role: 'user', content: 'hello' }))));
  session.serveBlobs();
  session.soleOpen('llm.generate');
  return session;
}

function retry(session: SessionHarness): { attempt: number; code: string; turn: number } | null {
  const value = session.get('llm_retry') as { attempt: number; code: string; turn: number } | null;
  return value === null ? null : { attempt: Number(value.attempt), code: value.code, turn: Number(value.turn) };
}

function failure(session: SessionHarness): { code: string; detail: string } | null {
  const value = session.get('run_failure') as { code: string; detail: string } | null;
  return value === null ? null : { code: value.code, detail: value.detail };
}

test('a retryable failure sets a backoff timer and the same turn goes out again when it fires', async () => {
  const session = await runningSession();
  const first = session.soleOpen('llm.generate');
  const updatedAt = BigInt(session.get('updated_at') as number);
  session.failGenerate('RATE_LIMITED');
  assert.equal(session.lifecycle(), 'Running', 'the run does not fail');
  assert.deepEqual(session.open.map((effect) => effect.kind), ['timer.set'], 'only the timer is open: no llm.generate during the backoff');
  const timer = session.soleOpen('timer.set');
  const params = timer.params as { deliver_at_ns: number | bigint; key: string };
  assert.equal(BigInt(params.deliver_at_ns), updatedAt + BigInt(LLM_RETRY_DELAY_BASE_MS) * MS, 'the first backoff is the base delay after the session\'s time');
  assert.equal(params.key, 'llm-retry:run-1-turn-1-attempt-2');
  assert.equal(timer.cap_slot ?? null, null, 'the timer goes out on the default slot (the world\'s one timer grant)');
  assert.deepEqual(retry(session), { attempt: 1, code: 'provider_retryable', turn: 1 });

  session.fireTimer();
  const second = session.soleOpen('llm.generate');
  assert.deepEqual(second.params, first.params, 'the same turn, with the same params, goes out again');
  session.failGenerate('TIMEOUT', 'timeout');
  const backoff = BigInt((session.soleOpen('timer.set').params as { deliver_at_ns: number | bigint }).deliver_at_ns);
  assert.equal(backoff, updatedAt + 2n * BigInt(LLM_RETRY_DELAY_BASE_MS) * MS, 'the second backoff doubles');
  assert.deepEqual(retry(session), { attempt: 2, code: 'adapter_timeout', turn: 1 });

  session.fireTimer();
  session.reply({ text: 'hi after retries' });
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'WaitingInput');
  assert.equal(retry(session), null, 'a success clears the retry');
  assert.equal(failure(session), null);
  assert.deepEqual(session.transcript(), [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi after retries' }]);
  assert.equal(session.emitted.filter((effect) => effect.kind === 'llm.generate').length, 3);
  assert.equal(Number((session.get('run_usage') as { llm_calls: number }).llm_calls), 3, 'every call counts, failed ones too');
});

test('a terminal code fails the run at once with that code, and no timer is set', async () => {
  for (const [code, expected] of [['AUTH_FAILED', 'provider_terminal'], ['POLICY_DENIED', 'policy_denied'], ['INVALID_PARAMS', 'validation_error'], ['NO_API_KEY', 'capability_denied']] as const) {
    const session = await runningSession();
    session.failGenerate(code);
    assert.equal(session.lifecycle(), 'Failed', code);
    assert.equal(failure(session)?.code, expected, `${code} fails the run as ${expected}`);
    assert.match(failure(session)?.detail ?? '', new RegExp(code));
    assert.equal(session.emitted.filter((effect) => effect.kind === 'timer.set').length, 0, `${code}: no timer`);
    assert.equal(retry(session), null);
  }
});

test('after the last attempt the run fails with the last code; backoffs double up to the cap', async () => {
  const session = await runningSession();
  const updatedAt = BigInt(session.get('updated_at') as number);
  const delays: bigint[] = [];
  for (let attempt = 1; attempt < LLM_ATTEMPTS_MAX; attempt += 1) {
    session.failGenerate(attempt % 2 === 0 ? 'NETWORK_FAILED' : 'PROVIDER_ERROR');
    delays.push(BigInt((session.soleOpen('timer.set').params as { deliver_at_ns: number | bigint }).deliver_at_ns) - updatedAt);
    session.fireTimer();
  }
  assert.deepEqual(delays, Array.from({ length: LLM_ATTEMPTS_MAX - 1 }, (_, index) => BigInt(retryDelayMs(index + 1)) * MS));
  session.failGenerate('PROVIDER_ERROR');
  assert.equal(session.lifecycle(), 'Failed');
  assert.equal(failure(session)?.code, 'provider_retryable');
  assert.match(failure(session)?.detail ?? '', new RegExp(`attempt ${LLM_ATTEMPTS_MAX} of ${LLM_ATTEMPTS_MAX}`));
  assert.equal(session.emitted.filter((effect) => effect.kind === 'llm.generate').length, LLM_ATTEMPTS_MAX);
  assert.equal(session.open.length, 0, 'nothing is left open');
  assert.equal(retryDelayMs(1), LLM_RETRY_DELAY_BASE_MS);
  assert.equal(retryDelayMs(2), 2 * LLM_RETRY_DELAY_BASE_MS);
  assert.equal(retryDelayMs(64), LLM_RETRY_DELAY_CAP_MS, 'the backoff never passes its cap');
});

test('an executor-written failure (a message as the payload) is retried by its status', async () => {
  const session = await runningSession();
  session.answer(session.soleOpen('llm.generate'), 'llm.default did not settle llm.generate within its deadline', 'timeout');
  assert.deepEqual(retry(session), { attempt: 1, code: 'adapter_timeout', turn: 1 });
  session.fireTimer();
  session.answer(session.soleOpen('llm.generate'), 'the adapter crashed', 'error');
  assert.deepEqual(retry(session), { attempt: 2, code: 'adapter_error', turn: 1 });
  assert.deepEqual(llmFailureOf('error', { output_ref: 'x', finish_reason: { reason: 'error', raw: 'SOMETHING_NEW' } })?.code, 'unknown_failure', 'an unknown adapter code is terminal');
  assert.equal(llmFailureOf('ok', { output_ref: 'sha256:00' }), null);
});

test('a cancel during the backoff drops the timer; a late timer receipt changes nothing', async () => {
  const session = await runningSession();
  session.failGenerate('RATE_LIMITED');
  const timer = session.soleOpen('timer.set');
  session.ingress(command({ $tag: 'Cancel', $value: { reason: 'stop' } }));
  assert.equal(session.lifecycle(), 'Cancelled');
  assert.equal(retry(session), null);
  const before = JSON.stringify(session.state, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  const output = session.answer(timer, { delivered_at_ns: 1, key: 'late' });
  assert.deepEqual(output.effects, [], 'the late timer sends nothing');
  assert.equal(JSON.stringify(session.state, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)), before);
});

test('a timer that fires while the run is paused sends the turn only after resume', async () => {
  const session = await runningSession();
  session.failGenerate('PROVIDER_ERROR');
  session.ingress(command({ $tag: 'Pause' }));
  session.fireTimer();
  assert.equal(session.open.length, 0, 'paused: the retry waits');
  session.ingress(command({ $tag: 'Resume' }));
  assert.equal(session.lifecycle(), 'Running');
  session.reply({ text: 'resumed' });
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'WaitingInput');
});
