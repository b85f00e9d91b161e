// Goal: context compaction. When the token estimate (the last receipt's prompt and completion
// tokens, plus the bytes of messages written since) reaches the high-water mark of the context
// window, the older part of the window is summarised by one llm.generate (the older refs, then the
// summarisation instruction); the summary becomes a message blob that replaces them in the window
// of later turns; a CompactionRecord keeps which refs it replaced; the transcript is unchanged.
// Method: step the bundled session workflow (session-harness.ts); a run-scoped context window of a
// few hundred tokens makes small conversations near it. Unknown-tool calls give turns without effects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMPACTION_INSTRUCTION } from '../../../src/agent/compaction.ts';
import { CONTEXT_HIGH_WATER_PERCENT, CONTEXT_TOKENS_BY_MODEL, CONTEXT_TOKENS_DEFAULT } from '../../../src/agent/limits.ts';
import { command, hostReady, runRequested, SessionHarness } from './session-harness.ts';

const CALL = (id: string) => ({ id, name: 'no_such_tool', args: '{}' });

interface Generate { correlation_id: string; message_refs: string[]; runtime: { max_tokens: number; tool_choice: unknown } }
interface Record_ { turn: number; summarised_refs: string[]; summary_ref: string; tokens_before: number }

function context(session: SessionHarness): { summary_ref: string | null; summarised_count: number; compactions: Record_[]; tokens_estimate: number } {
  return session.get('context') as never;
}

async function twoTurns(limit: number, usage: Array<{ prompt: number; completion: number }>): Promise<{ session: SessionHarness; input: string }> {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  const input = session.putBlob(JSON.stringify({ role: 'user', content: 'do the thing' }));
  session.ingress(runRequested(input));
  session.limits('Run', { context_tokens_max: limit });
  session.serveBlobs();
  session.reply({ calls: [CALL('c1')] }, usage[0]);
  session.serveBlobs();
  session.reply({ calls: [CALL('c2')] }, usage[1]);
  session.serveBlobs();
  return { session, input };
}

test('near the window, older turns are summarised by one llm.generate and the summary replaces them in later turns', async () => {
  const { session, input } = await twoTurns(1000, [{ prompt: 100, completion: 10 }, { prompt: 850, completion: 10 }]);
  const transcript = [...(session.get('conversation_message_refs') as string[])];
  assert.equal(transcript.length, 5, 'input, then calls and result twice');
  const summarising = session.soleOpen('llm.generate').params as unknown as Generate;
  assert.equal(summarising.correlation_id, 'run-1-turn-3-compaction', 'turn 3 is preceded by a summarisation');
  const instruction = summarising.message_refs[summarising.message_refs.length - 1] ?? '';
  assert.deepEqual(JSON.parse(session.blobText(instruction)), COMPACTION_INSTRUCTION, 'the instruction comes last');
  assert.deepEqual(summarising.message_refs.slice(0, -1), transcript.slice(0, 3), 'the older part: everything before the newest group (turn 2\'s calls and result)');
  assert.deepEqual(summarising.runtime.tool_choice, { $tag: 'None' });

  session.reply({ text: 'The user asked to do the thing; no_such_tool failed once.' }, { prompt: 300, completion: 40 });
  session.serveBlobs();
  const turn = session.soleOpen('llm.generate').params as unknown as Generate;
  assert.equal(turn.correlation_id, 'run-1-turn-3');
  const state = context(session);
  const summary = state.summary_ref ?? '';
  assert.deepEqual(turn.message_refs, [summary, ...transcript.slice(3)], 'turn 3 sends the summary, then the newest group');
  assert.match((JSON.parse(session.blobText(summary)) as { content: string }).content, /replaces 3 messages[\s\S]*no_such_tool failed once/);
  assert.equal(Number(state.summarised_count), 3);
  assert.deepEqual(state.compactions.map((record) => ({ turn: Number(record.turn), refs: record.summarised_refs, summary: record.summary_ref })), [{ turn: 3, refs: transcript.slice(0, 3), summary }]);
  assert.ok(Number(state.compactions[0]?.tokens_before) >= 860, 'the record keeps the estimate that triggered it');
  assert.deepEqual(session.get('conversation_message_refs'), transcript, 'the transcript is unchanged');
  assert.equal(Number((session.get('run_usage') as { llm_calls: number }).llm_calls), 3, 'the summarisation counts toward the budget');

  session.reply({ text: 'done' }, { prompt: 120, completion: 5 });
  session.serveBlobs();
  assert.equal(session.lifecycle(), 'WaitingInput');
  assert.equal((session.get('conversation_message_refs') as string[]).length, 6, 'the answer joins the full transcript');
  assert.equal((session.get('conversation_message_refs') as string[])[0], input, 'the transcript still starts with the input');
});

test('without usage, the bytes written estimate the window; a second compaction folds the first summary in', async () => {
  const { session } = await twoTurns(60, [{ prompt: 0, completion: 0 }, { prompt: 0, completion: 0 }]);
  const first = session.soleOpen('llm.generate').params as unknown as Generate;
  assert.equal(first.correlation_id, 'run-1-turn-3-compaction', 'bytes alone pass the high-water mark');
  session.reply({ text: 'S1' }, { prompt: 0, completion: 0 });
  session.serveBlobs();
  const summary = context(session).summary_ref ?? '';
  session.reply({ calls: [CALL('c3')] }, { prompt: 0, completion: 0 });
  session.serveBlobs();
  // 60 tokens hold little: turn 3's calls and result alone pass the mark again.
  const second = session.soleOpen('llm.generate').params as unknown as Generate;
  assert.equal(second.correlation_id, 'run-1-turn-4-compaction');
  const transcript = session.get('conversation_message_refs') as string[];
  assert.deepEqual(second.message_refs.slice(0, -1), [summary, ...transcript.slice(3, 5)], 'the first summary, then what it did not cover, up to the newest group');
  session.reply({ text: 'S2' }, { prompt: 0, completion: 0 });
  session.serveBlobs();
  const state = context(session);
  assert.deepEqual(state.compactions.map((record) => record.summarised_refs.length), [3, 3]);
  assert.equal(Number(state.summarised_count), 5);
  assert.deepEqual((session.soleOpen('llm.generate').params as unknown as Generate).message_refs, [state.summary_ref, ...transcript.slice(5)]);
  assert.equal(transcript.length, 7, 'the transcript still holds every message');
  assert.equal(session.lifecycle(), 'Running');
});

test('below the mark, or with too little history, no compaction; the window defaults per model', async () => {
  const { session } = await twoTurns(1000, [{ prompt: 100, completion: 10 }, { prompt: 600, completion: 10 }]);
  assert.ok(Number(context(session).tokens_estimate) * 100 < 1000 * CONTEXT_HIGH_WATER_PERCENT);
  assert.equal((session.soleOpen('llm.generate').params as unknown as Generate).correlation_id, 'run-1-turn-3', `below ${CONTEXT_HIGH_WATER_PERCENT}% of the window: no compaction`);

  const fresh = await SessionHarness.start();
  fresh.ingress(hostReady());
  fresh.ingress(runRequested(fresh.putBlob('"hi"')));
  fresh.limits('Run', { context_tokens_max: 10 });
  fresh.serveBlobs();
  fresh.reply({ calls: [CALL('c1')] }, { prompt: 900, completion: 10 });
  fresh.serveBlobs();
  assert.equal((fresh.soleOpen('llm.generate').params as unknown as Generate).correlation_id, 'run-1-turn-2', 'one older message is not worth a summary');
  assert.equal(CONTEXT_TOKENS_BY_MODEL['gpt-5.2'], 400_000);
  assert.ok(CONTEXT_TOKENS_DEFAULT > 0);
});

test('a summarisation that fails with a retryable code is retried after a backoff (not while paused); a terminal one fails the run', async () => {
  const { session } = await twoTurns(1000, [{ prompt: 100, completion: 10 }, { prompt: 900, completion: 10 }]);
  const summarising = session.soleOpen('llm.generate');
  session.failGenerate('RATE_LIMITED');
  session.ingress(command({ $tag: 'Pause' }));
  session.fireTimer();
  assert.equal(session.open.length, 0, 'paused: the summarisation waits');
  session.ingress(command({ $tag: 'Resume' }));
  assert.deepEqual(session.soleOpen('llm.generate').params, summarising.params, 'the same summarisation goes out again');
  session.failGenerate('BAD_REQUEST');
  assert.equal(session.lifecycle(), 'Failed');
  assert.equal((session.get('run_failure') as { code: string }).code, 'provider_terminal');
  assert.equal(context(session).compactions.length, 0);
});
