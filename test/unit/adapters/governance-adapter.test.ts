// Goal: the governance adapter reads each governance.* effect's params through its schema, takes
// the patch document inline (patch_doc_json) or from the CAS (hash, patch_blob_ref), refuses the
// inputs it does not support with a message, passes what the workflow asked to the world's
// governance, and answers with payloads that are values of the upstream receipt schemas; a
// refusal by the world is an error receipt carrying its message.
// Method: a recording fake WorldGovernance, a CAS in memory, params built in the sugar lens and
// canonicalised against the builtin schemas as the kernel journals them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GovernanceAdapter } from '../../../src/adapters/governance-adapter.ts';
import type { GovernanceDecisionRequest, GovernanceProposal, WorldGovernance } from '../../../src/adapters/governance-adapter.ts';
import { builtinCatalog, valueFromJson } from '../../../src/air/index.ts';
import type { CborValue, Hash } from '../../../src/cbor/index.ts';
import { checkedPayload, MemoryBlobs, testContext, testIntent } from '../../support/adapter-fixture.ts';

const HASH = (digit: string) => `sha256:${digit.repeat(64)}` as Hash;
const DOC = new TextEncoder().encode('{"base_manifest_hash":"x","patches":[]}');

function params(schema: string, sugar: unknown): CborValue {
  return valueFromJson(sugar, { ref: schema }, builtinCatalog(), { path: 'params' });
}

class FakeGovernance implements WorldGovernance {
  readonly proposals: GovernanceProposal[] = [];
  readonly decisions: GovernanceDecisionRequest[] = [];
  refuse: string | null = null;
  propose(_intent: Hash, proposal: GovernanceProposal) {
    this.proposals.push(proposal);
    return this.refuse !== null ? { ok: false as const, message: this.refuse } : { ok: true as const, value: { proposal_id: 3, patch_hash: HASH('a'), manifest_base: HASH('b') } };
  }
  async shadow(_intent: Hash, proposalId: number) {
    return { ok: true as const, value: { proposal_id: proposalId, manifest_hash: HASH('c'), predicted_effects: [], pending_workflow_receipts: [], workflow_instances: [], module_effect_allowlists: [], ledger_deltas: [{ ledger: { $tag: 'policy', $value: null }, name: 'demo/p@2', change: { $tag: 'added', $value: null } }] } as CborValue };
  }
  decide(_intent: Hash, request: GovernanceDecisionRequest) {
    this.decisions.push(request);
    return { ok: true as const, value: { patch_hash: HASH('a') } };
  }
  apply(_intent: Hash, proposalId: number) {
    return proposalId === 9 ? { ok: false as const, message: 'apply blocked in flight: …' } : { ok: true as const, value: { manifest_hash_new: HASH('d'), patch_hash: HASH('a') } };
  }
}

test('propose: the document inline or from the CAS; the summary and description passed on; the receipt fits GovProposeReceipt', async () => {
  const world = new FakeGovernance();
  const adapter = new GovernanceAdapter(world);
  const blobs = new MemoryBlobs();
  const stored = blobs.put(DOC);
  const inputs = [{ patch_doc_json: Buffer.from(DOC).toString('base64') }, { hash: stored }, { patch_blob_ref: { blob_ref: stored, format: 'patch_doc_json' } }];
  for (const patch of inputs) {
    const outcome = await adapter.execute(testIntent('sys/governance.propose@1', params('sys/GovProposeParams@1', { patch, summary: null, manifest_base: HASH('b'), description: 'why' })), testContext(blobs));
    assert.equal(outcome.status, 'ok', String(outcome.payload));
    assert.deepEqual(checkedPayload(outcome, 'sys/GovProposeReceipt@1'), { proposal_id: 3, patch_hash: HASH('a'), manifest_base: HASH('b') });
  }
  assert.deepEqual(world.proposals.map((proposal) => [Buffer.from(proposal.document).toString(), proposal.manifest_base, proposal.description]), Array(3).fill([Buffer.from(DOC).toString(), HASH('b'), 'why']));
  const cbor = await adapter.execute(testIntent('sys/governance.propose@1', params('sys/GovProposeParams@1', { patch: { patch_cbor: 'AA==' }, summary: null, manifest_base: null, description: null })), testContext(blobs));
  assert.deepEqual([cbor.status, cbor.payload], ['error', 'sys/governance.propose@1: patch input "patch_cbor" is not supported; pass the patch document as JSON (patch_doc_json, or a blob by hash)']);
  const missing = await adapter.execute(testIntent('sys/governance.propose@1', params('sys/GovProposeParams@1', { patch: { hash: HASH('e') }, summary: null, manifest_base: null, description: null })), testContext(blobs));
  assert.equal(missing.status, 'error');
  assert.match(String(missing.payload), /the patch blob sha256:e{64} cannot be read/);
  world.refuse = 'governance refused: no';
  const refused = await adapter.execute(testIntent('sys/governance.propose@1', params('sys/GovProposeParams@1', { patch: { hash: stored }, summary: null, manifest_base: null, description: null })), testContext(blobs));
  assert.deepEqual([refused.status, refused.payload], ['error', 'sys/governance.propose@1: governance refused: no']);
});

test('shadow, approve/reject and apply answer with their receipt schemas; a refused apply is an error receipt', async () => {
  const world = new FakeGovernance();
  const adapter = new GovernanceAdapter(world);
  const context = testContext(new MemoryBlobs());
  const shadowed = await adapter.execute(testIntent('sys/governance.shadow@1', params('sys/GovShadowParams@1', { proposal_id: 3 })), context);
  assert.equal(checkedPayload(shadowed, 'sys/GovShadowReceipt@1').proposal_id, 3);
  for (const decision of ['approve', 'reject'] as const) {
    const decided = await adapter.execute(testIntent('sys/governance.approve@1', params('sys/GovApproveParams@1', { proposal_id: 3, decision: { [decision]: null }, approver: 'ops', reason: decision === 'reject' ? 'no' : null })), context);
    assert.equal(decided.status, 'ok', String(decided.payload));
    const receipt = checkedPayload(decided, 'sys/GovApproveReceipt@1');
    assert.deepEqual([receipt.proposal_id, receipt.patch_hash, receipt.approver, receipt.reason], [3, HASH('a'), 'ops', decision === 'reject' ? 'no' : null]);
  }
  assert.deepEqual(world.decisions.map((request) => [request.decision, request.approver, request.reason]), [['approve', 'ops', null], ['reject', 'ops', 'no']]);
  const applied = await adapter.execute(testIntent('sys/governance.apply@1', params('sys/GovApplyParams@1', { proposal_id: 3 })), context);
  assert.deepEqual(checkedPayload(applied, 'sys/GovApplyReceipt@1'), { proposal_id: 3, manifest_hash_new: HASH('d'), patch_hash: HASH('a') });
  const blocked = await adapter.execute(testIntent('sys/governance.apply@1', params('sys/GovApplyParams@1', { proposal_id: 9 })), context);
  assert.deepEqual([blocked.status, blocked.payload], ['error', 'sys/governance.apply@1: apply blocked in flight: …']);
});
