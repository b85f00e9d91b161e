// Goal: the model reads what it inspects: the manifest and a workflow's state, which the kernel
// returns as canonical CBOR bytes, are shown as JSON values, not hex; bytes that do not decode
// stay hex with a note saying so; other receipts are shown as before.
// Method: resultJson on receipt payloads built here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import { resultJson } from '../../../src/agent/introspect-results.ts';

const meta = { journal_height: 7n, manifest_hash: `sha256:${'a'.repeat(64)}` };

test('introspected state and manifest are shown decoded; undecodable bytes keep their hex with a note', () => {
  const state = encodeCanonical({ runs_started: 1n, tag: Uint8Array.of(0xab), names: ['a'] }, { selfDescribe: false });
  assert.deepEqual(resultJson('introspect.workflow_state', { state, meta }), { state: { runs_started: 1, tag: { hex: 'ab' }, names: ['a'] }, meta: { journal_height: 7, manifest_hash: meta.manifest_hash } });
  const manifest = encodeCanonical({ air_version: '1', modules: [{ name: 'evo/RunLog@1' }] }, { selfDescribe: false });
  assert.deepEqual((resultJson('introspect.manifest', { manifest, meta }) as { manifest: unknown }).manifest, { air_version: '1', modules: [{ name: 'evo/RunLog@1' }] });
  const broken = resultJson('introspect.workflow_state', { state: Uint8Array.of(0xff, 0x00), meta }) as Record<string, unknown>;
  assert.deepEqual(broken['state'], { hex: 'ff00' });
  assert.match(String(broken['state_note']), /not decodable as CBOR/);
  assert.deepEqual(resultJson('introspect.workflow_state', { state: null, meta }), { state: null, meta: { journal_height: 7, manifest_hash: meta.manifest_hash } }, 'no state: nothing to decode');
  assert.deepEqual(resultJson('host.fs.read_file', { content: Uint8Array.of(1) }), { content: { hex: '01' } }, 'other receipts are unchanged');
});
