// Ladder 09 (upstream smoke fixture 09-workspaces): Start{workspaces [alpha, beta], owner "demo"}
// seeds both workspaces through the internal workspace.* effects, run by the node's internal
// adapters (src/node/internal-effects.ts) and signed with the kernel's own key ("kernel"), and
// commits each to the built-in sys/Workspace@1 (its code ships with AgentOS; `aos build`
// bundles it). The AIR is upstream's with one change: the demo module declares the context
// sys/WorkflowContext@1, since its commit's created_at is the ingress now_ns, which a module
// reads only from its context.
// Upstream checks: both workspaces summarised, root hashes "sha256:…", entry_count > 0, replay.
// We also check ladder.md's Expect values (version 1, entry_count 4, diff_count 1 each;
// sys/Workspace head 1 each, with the summarised root), the committed trees (files and bytes
// read back from the CAS), that every receipt comes from "kernel" and verifies against the
// world's trusted key; then a second Start (version 2 on the committed head), a stale commit
// from outside refused with a journaled stale_head fault, and a Start naming a workspace the
// grant does not allow, denied by the workspace enforcer before any intent.
import type { Hash } from '../../../src/cbor/index.ts';
import { WorkspaceTrees } from '../../../src/adapters/workspace/index.ts';
import { internalAdapters, KERNEL_ADAPTER_ID } from '../../../src/node/index.ts';
import { expectEqual, kindsOf } from '../../../scripts/ladder-kit.ts';
import type { LadderDriver, LadderWorld } from '../../../scripts/ladder-kit.ts';

const WORKFLOW = 'demo/WorkspaceDemo@1';
const EVENT = 'demo/WorkspaceEvent@1';
const REGISTRY = 'sys/Workspace@1';
const WORKSPACES = ['alpha', 'beta'];

interface Summary { version: number; root_hash: Hash; entry_count: number; diff_count: number }
interface DemoState { workspaces: Record<string, Summary>; pending_workspaces: string[]; active_step: unknown; active_owner: string | null }
interface History { latest: number; versions: Array<[number, { root_hash: Hash; owner: string; created_at: number }]> }

function demo(world: LadderWorld): DemoState {
  return world.state(WORKFLOW) as DemoState;
}

/** Sends Start and runs the internal effects until the queue is done and nothing is open. */
async function seed(world: LadderWorld, workspaces: readonly string[]): Promise<void> {
  world.send(EVENT, { Start: { workspaces, owner: 'demo' } });
  await world.until('every workspace is seeded and committed', () => {
    const state = demo(world);
    return world.world.openIntents().size === 0 && state.pending_workspaces.length === 0 && state.active_step === null;
  });
}

/** The committed tree of a workspace holds exactly the demo's files, with their bytes. */
function checkTree(world: LadderWorld, workspace: string, root: Hash): void {
  const trees = new WorkspaceTrees({ put: (bytes) => world.world.cas.put(bytes), get: (hash) => world.world.cas.get(hash) });
  const listing = trees.list(root, null, 'subtree', null, 0);
  expectEqual(listing.entries.map((entry) => [entry.path, entry.kind]), [['README.txt', 'file'], ['data.json', 'file'], ['seed', 'dir'], [`seed/${workspace}.txt`, 'file']], `${workspace}'s tree, sorted by path`);
  const text = (path: string) => new TextDecoder().decode(trees.readBytes(root, path, null));
  expectEqual([text('README.txt'), text('data.json'), text(`seed/${workspace}.txt`)], ['updated by workflow\n', '{"demo":true,"items":[1,2,3]}\n', `seed marker for ${workspace}\n`], `${workspace}'s files`);
}

/** Each workspace's summary and sys/Workspace head are at `version`, on the same root. */
function checkCommitted(world: LadderWorld, version: number): void {
  const state = demo(world);
  for (const workspace of WORKSPACES) {
    const summary = state.workspaces[workspace];
    if (summary === undefined) throw new Error(`${workspace} is not summarised`);
    if (!summary.root_hash.startsWith('sha256:')) throw new Error(`${workspace}'s root ${summary.root_hash} is not a sha256 hash`);
    expectEqual([summary.version, summary.entry_count, summary.diff_count], [version, 4, 1], `${workspace}: version, entry_count, diff_count`);
    const history = world.state(REGISTRY, workspace) as History;
    expectEqual(history.latest, version, `sys/Workspace head of ${workspace}`);
    const head = history.versions.find(([number]) => Number(number) === version)?.[1];
    expectEqual([head?.root_hash, head?.owner], [summary.root_hash, 'demo'], `${workspace} version ${version} commits the summarised root, by the owner`);
    checkTree(world, workspace, summary.root_hash);
  }
}

export const driver: LadderDriver = {
  slug: '09-workspaces',
  world: 'worlds/ladder/09-workspaces',
  adapterKeys: [KERNEL_ADAPTER_ID],
  async run(world) {
    const executor = world.executor(internalAdapters(world.world).map((adapter) => ({ adapter })));
    await seed(world, WORKSPACES);
    checkCommitted(world, 1);
    expectEqual(demo(world).active_owner, null, 'the owner is cleared once the queue is empty');
    world.snapshot();

    // Again: each workspace resolves to its head (1), and the commit on it makes version 2.
    await seed(world, WORKSPACES);
    checkCommitted(world, 2);

    // A commit made against a stale head changes nothing; the refusal is journaled.
    const alpha = world.state(REGISTRY, 'alpha') as History;
    const stale = world.send('sys/WorkspaceCommit@1', { workspace: 'alpha', expected_head: 1, meta: { root_hash: alpha.versions[0]?.[1].root_hash, owner: 'intruder', created_at: 1 } });
    expectEqual(kindsOf(stale), ['domain_event', 'workflow_fault'], 'a stale commit journals the event and a fault');
    const fault = stale[1]?.body;
    expectEqual(fault?.kind === 'workflow_fault' ? [fault.module, fault.failure.code] : [], [REGISTRY, 'stale_head'], 'the fault names sys/Workspace@1 and stale_head');
    expectEqual((world.state(REGISTRY, 'alpha') as History).latest, 2, 'the stale commit left alpha\'s head at 2');

    // The grant allows only alpha and beta: resolving gamma is denied before any intent.
    const denied = world.send(EVENT, { Start: { workspaces: ['gamma'], owner: 'demo' } });
    expectEqual(kindsOf(denied), ['domain_event', 'cap_decision', 'workflow_fault'], 'a Start for a workspace outside the grant is denied');
    const cap = denied[1]?.body;
    expectEqual(cap?.kind === 'cap_decision' ? [cap.effect_kind, cap.decision, cap.code] : [], ['workspace.resolve', 'deny', 'workspace_not_allowed'], 'the workspace enforcer denies gamma');

    const receipts = world.records(0, 'effect_receipt');
    expectEqual([...new Set(receipts.map((record) => (record.body.kind === 'effect_receipt' ? `${record.body.adapter_id} ${record.body.status}` : '')))], [`${KERNEL_ADAPTER_ID} ok`], 'every receipt is an ok receipt of the kernel');
    expectEqual(world.verifyReceiptSignatures(), receipts.length, 'every internal receipt verifies against the world\'s trusted kernel key');
    const kinds = world.records(0, 'effect_intent').map((record) => (record.body.kind === 'effect_intent' ? record.body.effect_kind : ''));
    // First round: resolve, empty_root, three writes, list, write, diff; second round: no empty_root.
    expectEqual(kinds.length, 2 * 8 + 2 * 7, 'intents of both rounds');
    expectEqual(receipts.length, kinds.length, 'every intent settled');
    expectEqual([world.world.openIntents().size, executor.problems.length], [0, 0], 'no open work left');
  },
};
