// Goal: through the real host adapter, a 40 KiB file (read_file, and `cat` of it) comes back as a
// CAS blob (over the host's 16 KiB inline cap), and the model's next turn sees its text inline,
// cut at TOOL_RESULT_TEXT_BYTES_MAX with inline_text_truncated and the full size, not a bare ref.
// Method: a Demiurge world on the node's routes (real blob and host adapters, the LLM adapter's
// scripted provider). The turn-2 reply matches only a request whose last message contains the
// truncated flag, so the run succeeds only if the model was shown the inlined text; the
// transcript (the messages the adapter sent) is checked too, and the world replays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_INLINE_OUTPUT_BYTES_MAX } from '../../src/adapters/limits.ts';
import { TOOL_RESULT_TEXT_BYTES_MAX } from '../../src/agent/limits.ts';
import { nodeRoutes } from '../../src/node/node-effects.ts';
import { DemiurgeWorld, taskConfig } from '../support/demiurge-task.ts';
import { skipWithoutSandbox } from '../support/exec-sandbox-probe.ts';

const TASK_ID = '51111111-2222-3333-4444-555555555555';
const LINES = 1280;

/** 1280 numbered lines of 32 bytes: 40 KiB, each cut point recognisable. */
function bigText(): string {
  let text = '';
  for (let line = 1; line <= LINES; line += 1) text += `line ${String(line).padStart(5, '0')} ${'.'.repeat(20)}\n`;
  return text;
}

interface InlinedOutput { $tag: string; $value: { blob_ref: string; size_bytes: number; inline_text: string; inline_text_truncated: boolean } }

test('a 40 KiB file read and cat through the real host adapter reaches the model inline, truncated at the cap', async (t) => {
  if (skipWithoutSandbox(t)) return; // the cat runs under bubblewrap
  const demiurge = await DemiurgeWorld.create();
  try {
    const text = bigText();
    assert.equal(text.length, 40 * 1024);
    assert.ok(text.length > HOST_INLINE_OUTPUT_BYTES_MAX, 'the host stores it as a blob');
    writeFileSync(join(demiurge.workdir, 'big.txt'), text);
    const script = join(demiurge.dir, 'script.json');
    writeFileSync(script, JSON.stringify([
      { match: { correlation_id: 'run-1-turn-1' }, tool_calls: [{ id: 'c-read', name: 'read_file', arguments: { path: 'big.txt' } }, { id: 'c-cat', name: 'shell', arguments: { argv: ['cat', 'big.txt'] } }] },
      { match: { correlation_id: 'run-1-turn-2', last_message_contains: '"inline_text_truncated":true' }, text: 'big.txt has 1280 numbered lines.' },
    ]));
    demiurge.submit(TASK_ID, 'read big.txt', taskConfig('scripted', 'demo-script'));
    assert.deepEqual(await demiurge.settle(nodeRoutes(demiurge.world, { llmScript: script })), []);
    assert.deepEqual(demiurge.finished(TASK_ID).map((done) => done['status']), ['Succeeded'], 'turn 2 found its reply: the last message carried the truncated flag');

    // The receipts really named blobs: the host did not inline 40 KiB.
    const readReceipt = demiurge.receiptsOf('host.fs.read_file')[0] as { content: { $tag: string } };
    const execReceipt = demiurge.receiptsOf('host.exec')[0] as { stdout: { $tag: string } };
    assert.deepEqual([readReceipt.content.$tag, execReceipt.stdout.$tag], ['blob', 'blob']);
    assert.equal(demiurge.intentKinds().filter((kind) => kind === 'blob.get').length >= 1, true, 'the session read the blob');

    const transcript = demiurge.transcript(TASK_ID);
    const results = new Map(transcript.filter((message) => message.type === 'function_call_output').map((message) => [message.call_id, JSON.parse(message.output ?? 'null') as { ok: boolean; result: Record<string, InlinedOutput> }]));
    const shown = [results.get('c-read')?.result['content'], results.get('c-cat')?.result['stdout']];
    for (const output of shown) {
      assert.equal(output?.$tag, 'blob');
      assert.equal(output?.$value.inline_text, text.slice(0, TOOL_RESULT_TEXT_BYTES_MAX), 'the first 8 KiB, inline');
      assert.equal(output?.$value.inline_text_truncated, true);
      assert.equal(output?.$value.size_bytes, text.length);
    }
    assert.equal(shown[0]?.$value.blob_ref, shown[1]?.$value.blob_ref, 'the same bytes, the same blob: one read serves both');
    assert.equal(transcript.at(-1)?.content, 'big.txt has 1280 numbered lines.');

    const replayed = await demiurge.replayOrDie();
    assert.ok(replayed.heights > 0);
  } finally {
    demiurge.close();
  }
});
