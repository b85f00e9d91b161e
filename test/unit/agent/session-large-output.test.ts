// Goal: a tool output the host stored as a blob (over its 16 KiB inline cap) reaches the model as
// text, not as a bare ref: the session reads the blob (blob.get, waiter ToolResultBlob) before
// the follow-up turn, and the result it shows carries inline_text cut at
// TOOL_RESULT_TEXT_BYTES_MAX on a character boundary, inline_text_truncated and size_bytes.
// Method: the bundled session workflow through session-harness.ts; receipts written as the host
// adapter writes them (host-output.ts: {$tag:"blob",$value:{blob_ref,size_bytes,preview_bytes}}).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CborValue } from '../../../src/cbor/index.ts';
import { TOOL_RESULT_TEXT_BYTES_MAX } from '../../../src/agent/limits.ts';
import { hostReady, runRequested, SessionHarness } from './session-harness.ts';

const ENCODER = new TextEncoder();

function blobOutput(session: SessionHarness, text: string): CborValue {
  const ref = session.putBlob(text);
  const bytes = ENCODER.encode(text);
  return { $tag: 'blob', $value: { blob_ref: ref, size_bytes: bytes.length, preview_bytes: bytes.slice(0, 512) } };
}

interface ShownOutput { blob_ref: string; size_bytes: number; inline_text: string | null; inline_text_truncated?: boolean; inline_error?: string; preview_bytes?: unknown }

function shownResults(session: SessionHarness): Map<string, { is_error: boolean; output: { ok: boolean; result: Record<string, { $tag: string; $value: ShownOutput } | unknown> } }> {
  const transcript = session.transcript() as Array<{ type?: string; call_id?: string; output?: string; is_error?: boolean }>;
  return new Map(transcript.filter((message) => message.type === 'function_call_output').map((message) => [message.call_id ?? '', { is_error: message.is_error ?? true, output: JSON.parse(message.output ?? 'null') }]));
}

test('a blob output is read before the follow-up turn and shown inline, cut at the cap with the flag and the total size', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  session.ingress(runRequested(session.putBlob(JSON.stringify({ role: 'user', content: 'show me big.txt' }))));
  session.serveBlobs();
  session.reply({ calls: [{ id: 'c1', name: 'shell', args: '{"argv":["cat","big.txt"]}' }, { id: 'c2', name: 'read_file', args: '{"path":"small.txt"}' }] });
  session.serveBlobs();
  // 'a' then two-byte characters: byte TOOL_RESULT_TEXT_BYTES_MAX falls inside one, so the cut backs off a byte.
  const big = `a${'é'.repeat(20_000)}`;
  const small = 'x'.repeat(100);
  session.answer(session.soleOpen('host.exec'), { exit_code: 0, status: 'ok', stdout: blobOutput(session, big), stderr: { $tag: 'inline_text', $value: { text: 'warn\n' } }, started_at_ns: 1, ended_at_ns: 2, error_code: null, error_message: null });
  const exec = session.emitted.filter((effect) => effect.kind === 'blob.get').at(-1)?.params as { blob_ref: string } | undefined;
  assert.deepEqual(session.open.map((effect) => effect.kind), ['blob.get'], 'the session reads the stdout blob (shell runs alone; read_file waits for the next group)');
  assert.equal(exec?.blob_ref, session.putBlob(big));
  session.serveBlobs();
  // A blob the host stored on request (output_mode "blob") below the cap is shown whole.
  session.answer(session.soleOpen('host.fs.read_file'), { status: 'ok', content: blobOutput(session, small), truncated: false, size_bytes: 100, mtime_ns: 1, error_code: null, error_message: null });
  assert.deepEqual(session.open.map((effect) => effect.kind), ['blob.get'], 'no follow-up turn while a result blob is unread');
  session.serveBlobs();
  assert.equal(session.open.filter((effect) => effect.kind === 'llm.generate').length, 1, 'then the follow-up turn');

  const shown = shownResults(session);
  const stdout = (shown.get('c1')?.output.result as { stdout: { $tag: string; $value: ShownOutput } }).stdout;
  const bigBytes = ENCODER.encode(big).length;
  assert.equal(stdout.$tag, 'blob');
  assert.deepEqual(Object.keys(stdout.$value).sort(), ['blob_ref', 'inline_text', 'inline_text_truncated', 'size_bytes'], 'the preview bytes give way to the text');
  assert.equal(stdout.$value.inline_text_truncated, true);
  assert.equal(stdout.$value.size_bytes, bigBytes);
  assert.equal(stdout.$value.inline_text, `a${'é'.repeat((TOOL_RESULT_TEXT_BYTES_MAX - 2) / 2)}`, 'cut before the character that straddles the cap');
  assert.equal(ENCODER.encode(stdout.$value.inline_text ?? '').length, TOOL_RESULT_TEXT_BYTES_MAX - 1);
  assert.equal(shown.get('c1')?.is_error, false);
  const content = (shown.get('c2')?.output.result as { content: { $value: ShownOutput } }).content.$value;
  assert.deepEqual([content.inline_text, content.inline_text_truncated, content.size_bytes], [small, false, 100]);
});

test('a blob output that is not UTF-8 is named with its size and the reason, and the run goes on', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  session.ingress(runRequested(session.putBlob('"go"')));
  session.serveBlobs();
  session.reply({ calls: [{ id: 'c1', name: 'shell', args: '{"argv":["head","-c","20000","/dev/urandom"]}' }] });
  session.serveBlobs();
  const bytes = new Uint8Array(20_000).fill(0xff);
  const ref = (await import('../../../src/cbor/index.ts')).hashBytes(bytes);
  session.cas.set(ref, bytes);
  session.answer(session.soleOpen('host.exec'), { exit_code: 0, status: 'ok', stdout: { $tag: 'blob', $value: { blob_ref: ref, size_bytes: 20_000, preview_bytes: bytes.slice(0, 512) } }, stderr: null, started_at_ns: 1, ended_at_ns: 2, error_code: null, error_message: null });
  session.serveBlobs();
  const stdout = (shownResults(session).get('c1')?.output.result as { stdout: { $value: ShownOutput } }).stdout.$value;
  assert.deepEqual([stdout.blob_ref, stdout.size_bytes, stdout.inline_text], [ref, 20_000, null]);
  assert.match(stdout.inline_error ?? '', /not UTF-8/);
  assert.equal(session.soleOpen('llm.generate').kind, 'llm.generate');
});

test('a result blob that arrives after the run was cancelled changes nothing', async () => {
  const session = await SessionHarness.start();
  session.ingress(hostReady());
  session.ingress(runRequested(session.putBlob('"go"')));
  session.serveBlobs();
  session.reply({ calls: [{ id: 'c1', name: 'shell', args: '{"argv":["cat","big.txt"]}' }] });
  session.serveBlobs();
  session.answer(session.soleOpen('host.exec'), { exit_code: 0, status: 'ok', stdout: blobOutput(session, 'y'.repeat(30_000)), stderr: null, started_at_ns: 1, ended_at_ns: 2, error_code: null, error_message: null });
  const get = session.soleOpen('blob.get');
  session.ingress({ $tag: 'HostCommandReceived', $value: { command_id: 'cmd', issued_at: 1, command: { $tag: 'Cancel', $value: { reason: 'stop' } } } });
  const before = JSON.stringify(session.get('conversation_message_refs'));
  session.serveBlobs();
  assert.equal(get.kind, 'blob.get');
  assert.equal(JSON.stringify(session.get('conversation_message_refs')), before, 'no tool results were appended for a cancelled run');
  assert.equal(session.open.filter((effect) => effect.kind === 'llm.generate').length, 0, 'and no follow-up turn');
});
