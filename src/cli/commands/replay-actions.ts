// What `aos replay --verify` does; loaded only when it runs. The world is rebuilt from genesis and
// from every snapshot and compared, then audited (replay re-checks no signature: the audit does,
// DESIGN §7). A world a running node serves is replayed by that node, on the same journal.
import { resolve } from 'node:path';
import { auditWorld, EmbeddedWorld } from '../../node/index.ts';
import type { AuditReport } from '../../node/index.ts';
import { CliError } from '../cli-error.ts';
import { nodeTarget } from '../node-client.ts';
import { emit } from '../output.ts';
import { withProgress } from '../progress.ts';
import { auditText, auditViaNode, failUnlessClean } from './audit-actions.ts';
import type { NodeOptions, RootOptions } from './world.ts';

interface Replayed { readonly heights: number; readonly snapshots: number; readonly head: string | null }

export async function verify(options: NodeOptions): Promise<void> {
  const target = await nodeTarget(options);
  if (target !== null) {
    const { report, replay, replay_code: code } = await auditViaNode(target, resolve(options.root), options.json);
    // On a folder a failed replay throws before anything is printed: so it does here, with the error the node caught.
    if (!replay.ok) throw new CliError(code ?? 'REPLAY_FAILED', replay.message, 'the world\'s stored journal or objects do not reproduce its state: run `aos audit verify` on it, and restore it from a backup or an export (`aos world import`)');
    emitVerified(options, { heights: replay.heights, snapshots: replay.snapshots, head: replay.head }, report);
    return;
  }
  const world = await EmbeddedWorld.open(resolve(options.root));
  try {
    const checked = await withProgress(`replaying ${options.root}`, options.json, () => world.verifyReplay());
    emitVerified(options, checked, auditWorld(world));
  } finally {
    world.close();
  }
}

function emitVerified(options: RootOptions, checked: Replayed, audit: AuditReport): void {
  emit(options, { ok: audit.ok, ...checked, audit }, () => `replay ok: ${checked.heights} heights from genesis and from ${checked.snapshots} snapshot(s) end at ${checked.head ?? '-'}\n${auditText(audit)}`);
  failUnlessClean(audit, options.root);
}
