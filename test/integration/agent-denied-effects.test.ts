// Goal: an effect the world denies never leaves an agent hanging. A tool call whose effect the
// policy denies comes back to the model as an error result naming the denial, and the run goes
// on to its answer; an llm.generate the LLM grant refuses (a max_tokens over its cap) ends the
// run as failed with capability_denied, and the task finishes failed, instead of stalling. (The
// session takes sys/EffectReceiptRejected@1, so the kernel settles its denials as rejections.)
// Method: the Demiurge world on the node's routes, its policy patched to deny host.exec; the
// scripted provider; the transcript, the journal and the finished events inspected; replay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeRoutes } from '../../src/node/node-effects.ts';
import { DemiurgeWorld, taskConfig } from '../support/demiurge-task.ts';

const TASK_ID = '61111111-2222-3333-4444-555555555555';
const OTHER_TASK_ID = '71111111-2222-3333-4444-555555555555';

/** Puts a rule denying host.exec before the policy's allow rules. */
function denyExec(root: string): void {
  const file = join(root, 'air/policies.air.json');
  const policies = JSON.parse(readFileSync(file, 'utf8')) as Array<{ rules: unknown[] }>;
  policies[0]!.rules.unshift({ when: { effect_kind: 'host.exec' }, decision: 'deny' });
  writeFileSync(file, JSON.stringify(policies));
}

test('a tool call the policy denies reaches the model as an error result and the run goes on; a refused llm.generate fails the run', async () => {
  const demiurge = await DemiurgeWorld.create(denyExec);
  try {
    writeFileSync(join(demiurge.workdir, 'notes.txt'), 'forty-two\n');
    const script = join(demiurge.dir, 'script.json');
    writeFileSync(script, JSON.stringify([
      { match: { correlation_id: 'run-1-turn-1' }, tool_calls: [{ id: 'c-read', name: 'read_file', arguments: { path: 'notes.txt' } }, { id: 'c-exec', name: 'shell', arguments: { argv: ['cat', 'notes.txt'] } }] },
      { match: { correlation_id: 'run-1-turn-2', last_message_contains: 'policy_denied' }, text: 'The shell is not allowed here; notes.txt says forty-two.' },
    ]));
    demiurge.submit(TASK_ID, 'what do the notes say?', taskConfig('scripted', 'demo-script'));
    assert.deepEqual(await demiurge.settle(nodeRoutes(demiurge.world, { llmScript: script })), []);
    assert.deepEqual(demiurge.finished(TASK_ID).map((done) => done['status']), ['Succeeded'], 'turn 2 found its reply: the model saw the denial');
    const results = new Map(demiurge.transcript(TASK_ID).filter((message) => message.type === 'function_call_output').map((message) => [message.call_id, message]));
    assert.equal(results.get('c-exec')?.is_error, true);
    assert.match(results.get('c-exec')?.output ?? '', /policy_denied.*host\.exec/s, 'the error result names the denial');
    assert.equal(results.get('c-read')?.is_error, false, 'the allowed call beside it ran');
    assert.ok(!demiurge.intentKinds().includes('host.exec'), 'the denied command never became open work');
    const faults = demiurge.world.tail(0, 8_000, 'workflow_fault');
    assert.deepEqual(faults, [], 'no instance failed');

    // The LLM grant caps max_tokens: a task asking for more is refused, and the run says why.
    demiurge.submit(OTHER_TASK_ID, 'anything', taskConfig('scripted', 'demo-script', { max_tokens: 10_000_000 }), 5_000);
    assert.deepEqual(await demiurge.settle(nodeRoutes(demiurge.world, { llmScript: script })), []);
    const finished = demiurge.finished(OTHER_TASK_ID);
    assert.deepEqual(finished.map((done) => done['status']), ['Failed'], 'the task finished failed instead of stalling');
    const session = demiurge.session(OTHER_TASK_ID) as { run_failure: { code: string; detail: string } | null };
    assert.equal(session.run_failure?.code, 'capability_denied');
    assert.match(session.run_failure?.detail ?? '', /llm\.generate was refused/);

    const replayed = await demiurge.replayOrDie();
    assert.ok(replayed.heights > 0);
  } finally {
    demiurge.close();
  }
});
