// Ladder 06 (upstream fixture 06-safe-upgrade, governance): demo/SafeUpgrade@1 has a fetch in
// flight when v2 is proposed; the proposal is shadowed on the *current* state, approved by the
// approval policy's principal (a signed decision, not a free-text name), and its apply is refused
// while the fetch is open ("apply blocked in flight", naming the instance and intent). The late
// receipt settles v1, the apply then swaps the manifest atomically, and v2 runs: a Start reaches
// demo/SafeUpgrade@2, whose first receipt emits a follow-up and whose second completes it.
// Differences from upstream: the grant's host is 127.0.0.1 (the real http adapter against a
// loopback server, as ladder 03); v2's follow-up goes to the Start URL's origin, so its state
// schema demo/SafeUpgradeState@2 keeps that origin; the manifests carry an approval policy with
// one principal, demo-approver, whose key is derived from a fixed seed here; the proposal is made
// the way `aos gov propose --from upgrade/` makes it (the folder built, its modules put in the
// world's CAS, the difference to the world's manifest as a patch). We also check what upstream
// prints but never checks: the shadow report (the changed ledgers, the fetch in flight at the
// fork, and the candidate's divergence: it sends a GET the current manifest does not), and we
// check v2's state as well as v1's. Replay-or-die then passes through the snapshot taken before
// the swap, the governance records, the swap and a snapshot after it.
import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { loadWorldPath } from '../../../src/air/index.ts';
import { HttpAdapter, HTTP_ADAPTER_ID_DEFAULT } from '../../../src/adapters/http-adapter.ts';
import { buildWorld, writeModuleHashes } from '../../../src/cli/build/index.ts';
import { stringifyJsonExact } from '../../../src/cbor/index.ts';
import { KernelError } from '../../../src/kernel/index.ts';
import { ApprovalSigner, patchFromFolder, shadowProposal } from '../../../src/node/index.ts';
import { FileCas } from '../../../src/store/index.ts';
import { expectEqual, kindsOf, LoopbackServer } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld, LoopbackReply, LoopbackRequest } from '../../../scripts/ladder-kit.ts';

const V1 = 'demo/SafeUpgrade@1';
const V2 = 'demo/SafeUpgrade@2';
const EVENT = 'demo/SafeUpgradeEvent@1';
const DESCRIPTION = 'upgrade to SafeUpgrade workflow v2';
const JSON_TYPE = 'application/json';
/** DER prefix of a PKCS#8 ed25519 private key (RFC 8410); the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** demo-approver: the approval policy's principal (its public key is in both manifests). */
function approver(): ApprovalSigner {
  const seed = Buffer.alloc(32, 0);
  Buffer.from('aos ladder 06 demo-approver').copy(seed);
  return new ApprovalSigner('demo-approver', createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
}

/** The proposal as `aos gov propose --from upgrade/` makes it: build, artifacts into CAS, diff as a patch. */
async function proposeUpgrade(world: LadderWorld): Promise<number> {
  const folder = join(world.dir, 'upgrade');
  const built = await buildWorld(folder);
  writeModuleHashes(folder, built.modules);
  const loaded = loadWorldPath(folder);
  if (loaded.world === null) throw new Error(`upgrade/ is not a valid world: ${loaded.errors[0]?.message ?? ''}`);
  const cas = new FileCas(folder);
  for (const hash of Object.values(built.modules)) world.world.cas.put(cas.get(hash));
  const document = new TextEncoder().encode(stringifyJsonExact(patchFromFolder(world.world.view, loaded.world, 'upgrade/')));
  const records = world.world.propose({ document, author: 'demo', description: DESCRIPTION });
  const body = records[0]?.body;
  if (body?.kind !== 'governance' || body.op !== 'proposed') throw new Error(`the proposal was not journaled as proposed: ${JSON.stringify(kindsOf(records))}`);
  expectEqual(body.touches, ['defaults', 'defmodule', 'defpolicy', 'defschema', 'manifest_refs', 'routing'], 'what the upgrade touches');
  return body.proposal_id;
}

/** The shadow: on the current state, the fetch in flight; the candidate routes Start to @2, which fetches. */
async function shadow(world: LadderWorld, id: number, url: string): Promise<void> {
  const { report } = await shadowProposal(world.world, id);
  expectEqual(report.open_at_fork, 1, 'the shadow forks with the v1 fetch in flight');
  expectEqual(report.effects_predicted.map((effect) => [effect.kind, effect.module, effect.decision, effect.params]), [['http.request', V2, 'allow', JSON.stringify({ url, method: 'GET', headers: {}, body_ref: null })]], 'predicted: v2 fetches on the replayed Start');
  expectEqual(report.denials, [], 'no denials');
  const ledgers = report.ledger_changes.map((change) => `${change.ledger} ${change.name} ${change.change}`);
  for (const expected of [`module ${V1} removed`, `module ${V2} added`, 'policy demo/http-policy@2 added', 'policy demo/http-policy@1 removed', 'default_policy default changed', `routing ${EVENT} → ${V2} added`]) {
    if (!ledgers.includes(expected)) throw new Error(`the shadow report's ledger changes lack "${expected}": ${ledgers.join('; ')}`);
  }
  const divergence = report.divergences[0];
  expectEqual([report.divergences.length, divergence?.current], [1, 'no effects, events or faults'], 'the current manifest ignores the replayed Start (v1 is Fetching)');
  if (!/^emits http\.request .*\(allow\)$/.test(divergence?.candidate ?? '')) throw new Error(`the candidate should fetch: ${divergence?.candidate ?? '-'}`);
  expectEqual(report.state_changes.map((diff) => [diff.module, diff.change]), [[V2, 'added']], 'the candidate only adds a v2 cell');
  expectEqual(world.world.proposals()[id]?.status, 'shadowed', 'the report is journaled');
}

export const driver: LadderDriver = {
  slug: '06-safe-upgrade',
  world: 'worlds/ladder/06-safe-upgrade',
  adapterKeys: [HTTP_ADAPTER_ID_DEFAULT],
  async run(world) {
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const statuses = [200, 201, 202];
    const reply = async (request: LoopbackRequest): Promise<LoopbackReply> => {
      const call = server.requests.indexOf(request);
      if (call === 0) await held;
      return { status: statuses[call] ?? 500, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(call === 0 ? { demo: true } : { demo: true, call }) };
    };
    const server = await LoopbackServer.start(reply);
    try {
      const executor = world.executor([{ adapter: new HttpAdapter() }]);
      const url = `${server.origin}/data.json`;
      expectEqual(kindsOf(world.send(EVENT, { Start: { url } })), ['domain_event', 'cap_decision', 'policy_decision', 'effect_intent'], 'Start fetches');
      executor.dispatch();
      await server.received(1);
      world.snapshot();
      if (world.world.latestSnapshotHash() === null) throw new Error('the snapshot has no hash');
      expectEqual(world.world.cells(V1).filter((cell) => cell.status === 'waiting').length, 1, 'one v1 instance waits');

      const id = await proposeUpgrade(world);
      await shadow(world, id, url);
      world.world.decideProposal(id, 'approve', approver());
      expectEqual(world.world.proposals()[id]?.status, 'approved', 'one approval meets the quorum');
      try {
        world.world.applyProposal({ proposal_id: id });
        throw new Error('the apply went through with the v1 fetch in flight');
      } catch (error) {
        if (!(error instanceof KernelError) || error.code !== 'APPLY_BLOCKED') throw error;
        if (!/^apply blocked in flight: .*demo\/SafeUpgrade@1 waits on 1 intent\(s\); open intents: http\.request sha256:/.test(error.message)) throw new Error(`the refusal should name the instance and intent: ${error.message}`);
      }

      release?.();
      await world.until('the late receipt settles v1', () => world.world.openIntents().size === 0);
      expectEqual(world.state(V1), { pc: 'Completed', next_request_id: 1, pending_request: null, primary_status: 200, follow_status: null, requests_observed: 1 }, 'v1 state');
      const applied = world.world.applyProposal({ proposal_id: id });
      expectEqual(kindsOf(applied), ['governance', 'manifest'], 'the apply journals applied, then the manifest');
      expectEqual(world.world.view.hash, world.world.proposals()[id]?.manifest_hash, 'the world runs the candidate');

      world.send(EVENT, { Start: { url } });
      await world.until('v2 completes', () => (world.state(V2) as { pc: string } | null)?.pc === 'Completed');
      expectEqual(server.requests.map((request) => request.path), ['/data.json', '/data.json', '/follow.json'], 'one request each time, then the follow-up');
      expectEqual(world.state(V2), { pc: 'Completed', next_request_id: 1, pending_request: null, primary_status: 201, follow_status: 202, requests_observed: 2, origin: server.origin }, 'v2 state (fresh)');
      world.snapshot();
      expectEqual([world.world.openIntents().size, executor.problems.length, world.records(0, 'workflow_fault').length], [0, 0, 0], 'nothing left open, no problems, no faults');
    } finally {
      release?.();
      await server.close();
    }
  },
};
