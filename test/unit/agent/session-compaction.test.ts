// Goal: context compaction. When the token estimate (the last receipt's prompt and completion
// tokens, plus the bytes of messages written since) reaches the high-water mark of the context
// window, the older part of the window is summarised by one llm.generate (the older refs, then the
// summarisation instruction); the summary becomes a message blob that replaces them in the window
// of later turns; a CompactionRecord keeps which refs it replaced; the transcript is unchanged.
// Method: step the bundled session workflow (session-harness.ts); a run-scoped context window of a
// few hundred tokens makes small conversations near it. Unknown-tool calls give turns without effects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMPACTION_INSTRUCTION, transcriptSegmentOf } from '../../../src/agent/compaction.ts';
import { CONTEXT_HIGH_WATER_PERCENT, CONTEXT_TOKENS_BY_MODEL, CONTEXT_TOKENS_DEFAULT, TRANSCRIPT_ARCHIVE_REFS_MIN } from '../../../src/agent/limits.ts';
import { command, hostReady, runRequested, SessionHarness } from './session-harness.ts';

const CALL = (id: string) => ({ id, name: 'no_such_tool', args: '{}' });

interface Generate { correlation_id: string; message_refs: string[]; runtime: { max_tokens: number; tool_choice: unknown } }
interface Record_ { turn: number; previous_summary_ref: string | null; summarised_from: number; summarised_upto: number; summary_ref: string; tokens_before: number }

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
  assert.deepEqual(state.compactions.map((record) => ({ turn: Number(record.turn), previous: record.previous_summary_ref, from: Number(record.summarised_from), upto: Number(record.summarised_upto), summary: record.summary_ref })), [{ turn: 3, previous: null, from: 0, upto: 3, summary }], 'the record names the messages it replaced: transcript positions 0 to 3');
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
  assert.deepEqual(state.compactions.map((record) => [record.previous_summary_ref, Number(record.summarised_from), Number(record.summarised_upto)]), [[null, 0, 3], [summary, 3, 5]], 'the second replaced the first summary and positions 3 to 5');
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

test('summarised messages move out of the state into chained transcript segments; the window and the whole transcript are unchanged', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  session.limits('Session', { context_tokens_max: 60 });
  const first = session.putBlob(JSON.stringify({ role: 'user', content: 'keep going' }));
  session.ingress(runRequested(first));
  session.serveBlobs();
  let known: string[] = [];
  let mostKept = 0;
  let turns = 0;
  const turn = (calls: number): void => {
    turns += 1;
    for (let generate = session.soleOpen('llm.generate').params as unknown as Generate; generate.correlation_id.endsWith('-compaction'); generate = session.soleOpen('llm.generate').params as unknown as Generate) {
      session.reply({ text: `summary before turn ${turns}` }, { prompt: 0, completion: 0 });
      session.serveBlobs();
    }
    const whole = session.wholeTranscriptRefs();
    assert.deepEqual(whole.slice(0, known.length), known, 'the whole transcript only grows');
    known = whole;
    const state = context(session);
    const sent = (session.soleOpen('llm.generate').params as unknown as Generate).message_refs;
    assert.deepEqual(sent, [...(state.summary_ref === null ? [] : [state.summary_ref]), ...whole.slice(Number(state.summarised_count))], `turn ${turns} sends the summary, then the whole transcript from the summarised position`);
    mostKept = Math.max(mostKept, (session.get('conversation_message_refs') as string[]).length);
    if (calls === 0) session.reply({ text: 'done' }, { prompt: 0, completion: 0 });
    else session.reply({ calls: Array.from({ length: calls }, (_, index) => CALL(`t${turns}-c${index}`)) }, { prompt: 0, completion: 0 });
    session.serveBlobs();
  };
  for (let index = 0; index < 14; index += 1) turn(3);
  turn(0);
  assert.equal(session.lifecycle(), 'WaitingInput');
  session.ingress({ $tag: 'RunCompleted' });
  session.ingress(runRequested(session.putBlob(JSON.stringify({ role: 'user', content: 'and more' }))));
  session.serveBlobs();
  for (let index = 0; index < 14; index += 1) turn(3);

  const state = session.get('context') as unknown as { archived_count: number; archive_ref: string | null; archiving_count: number | null; summarised_count: number; compactions: Record_[] };
  const kept = session.get('conversation_message_refs') as string[];
  const whole = session.wholeTranscriptRefs();
  assert.deepEqual(whole.slice(0, known.length), known, 'the last turn only added to the transcript');
  known = whole;
  assert.ok(Number(state.archived_count) >= 2 * TRANSCRIPT_ARCHIVE_REFS_MIN, `at least two segments were written (${state.archived_count} messages archived)`);
  assert.ok(mostKept <= TRANSCRIPT_ARCHIVE_REFS_MIN + 16, `the state never kept more than ${mostKept} messages, though the transcript has ${known.length}`);
  assert.equal(known.length, Number(state.archived_count) + kept.length);
  assert.equal(known[0], first, 'the transcript still starts with the first input');
  assert.ok(Number(state.archived_count) <= Number(state.summarised_count), 'only summarised messages are archived');
  // The segments chain back to the first message, each starting where the one before it ended.
  let next = Number(state.archived_count);
  let segments = 0;
  for (let ref = state.archive_ref; ref !== null; segments += 1) {
    const segment = transcriptSegmentOf(new TextEncoder().encode(session.blobText(ref)));
    assert.ok(segment !== null, `${ref} is a transcript segment`);
    assert.equal(segment.from + segment.refs.length, next);
    assert.deepEqual(segment.refs, known.slice(segment.from, next));
    next = segment.from;
    ref = segment.previous;
  }
  assert.equal(next, 0, 'the oldest segment starts at the first message');
  assert.ok(segments >= 2);
  // The records name ranges of the whole transcript: contiguous, each replacing the summary before it.
  for (const [index, record] of state.compactions.entries()) {
    const before = state.compactions[index - 1];
    if (before === undefined) continue;
    assert.equal(Number(record.summarised_from), Number(before.summarised_upto));
    assert.equal(record.previous_summary_ref, before.summary_ref);
  }
});
