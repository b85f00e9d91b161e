// What `aos world ls|show|fork|export|import` do; loaded only when one of them runs.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isHash } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { publicKeyId } from '../../kernel/index.ts';
import { EMBEDDED_WORLD_ID, EmbeddedWorld, exportWorld, forkWorld, importBundle, NodeError, readWorldFacts } from '../../node/index.ts';
import type { BundleReport, WorldFacts } from '../../node/index.ts';
import { nodeDatabaseFile } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { cborForJson, emit, paint, stringifyExact } from '../output.ts';
import { withProgress } from '../progress.ts';
import type { ExportOptions, ForkOptions, ImportOptions, LsOptions, ShowOptions } from './world-lifecycle.ts';

export async function ls(options: LsOptions): Promise<void> {
  const base = resolve(options.dir);
  if (!existsSync(base)) throw new CliError('NO_DIR', `${base} does not exist`, 'pass --dir a folder that holds world folders');
  const candidates = [base, ...readdirSync(base, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => join(base, entry.name)).sort()];
  const rows = candidates.filter((dir) => existsSync(nodeDatabaseFile(dir))).map((dir) => {
    try {
      const facts = readWorldFacts(dir);
      return { dir, head_height: facts.head_height, head_hash: facts.head_hash, genesis_manifest: facts.genesis_manifest, snapshots: facts.snapshots.length, forked: facts.lineage !== null, error: null };
    } catch (error) {
      return { dir, head_height: null, head_hash: null, genesis_manifest: null, snapshots: null, forked: null, error: error instanceof Error ? error.message : String(error) };
    }
  });
  emit(options, { dir: base, worlds: rows }, () => rows.length === 0
    ? `no worlds in ${base} or its subfolders (create one with \`aos world create --root <dir>\`)`
    : [`${'HEIGHT'.padStart(8)}  ${'SNAPSHOTS'.padEnd(9)}  ${'HEAD'.padEnd(71)}  FOLDER`, ...rows.map((row) => row.error !== null
      ? `${'-'.padStart(8)}  ${'-'.padEnd(9)}  ${paint(`unreadable: ${row.error}`, 'red').padEnd(71)}  ${row.dir}`
      : `${String(row.head_height).padStart(8)}  ${String(row.snapshots).padEnd(9)}  ${(row.head_hash ?? '-').padEnd(71)}  ${row.dir}${row.forked === true ? ' (fork)' : ''}`)].join('\n'));
}

export async function show(options: ShowOptions): Promise<void> {
  const root = resolve(options.root);
  const facts = readWorldFacts(root);
  const world = await EmbeddedWorld.open(root, { readOnly: true });
  try {
    const modules = [...world.view.modules.values()].map((module) => ({ name: module.name, kind: module.module_kind, hash: module.wasm_hash }));
    const trusted = [...world.trustedKeys()].map(([adapter, keys]) => ({ adapter_id: adapter, keys: keys.map((key) => publicKeyId(key)) }));
    const data = {
      id: EMBEDDED_WORLD_ID, root, genesis: facts.genesis, genesis_manifest: facts.genesis_manifest, manifest: world.view.hash,
      head: { height: world.head.height, hash: world.head.hash }, snapshots: facts.snapshots, open_intents: world.openIntents().size,
      pending_approvals: world.pendingApprovals().length, modules, trusted_keys: trusted, lineage: facts.lineage === null ? null : cborForJson(facts.lineage),
    };
    emit(options, data, () => showText(data, facts));
  } finally {
    world.close();
  }
}

function showText(data: { root: string; genesis: Hash | null; manifest: Hash; head: { height: number; hash: Hash | null }; open_intents: number; pending_approvals: number; modules: Array<{ name: string; kind: string; hash: Hash }>; trusted_keys: Array<{ adapter_id: string; keys: string[] }> }, facts: WorldFacts): string {
  const lineage = facts.lineage === null ? [] : [`forked from   ${stringifyExact(cborForJson(facts.lineage), 0)}`];
  return [
    `world ${EMBEDDED_WORLD_ID} in ${data.root}`,
    `genesis       ${data.genesis ?? '-'}`,
    `manifest      ${data.manifest}${data.manifest === facts.genesis_manifest ? '' : ` (genesis manifest ${facts.genesis_manifest ?? '-'})`}`,
    `head          height ${data.head.height}, ${data.head.hash ?? '-'}`,
    `snapshots     ${facts.snapshots.length === 0 ? 'none' : facts.snapshots.map((ref) => `${ref.height} ${ref.hash}`).join(', ')}`,
    `open intents  ${data.open_intents} (${data.pending_approvals} waiting for approval)`,
    ...lineage,
    `modules:`, ...data.modules.map((module) => `  ${module.name.padEnd(32)} ${module.kind.padEnd(8)} ${module.hash}`),
    `trusted keys:`, ...(data.trusted_keys.length === 0 ? ['  none'] : data.trusted_keys.map((entry) => `  ${entry.adapter_id.padEnd(24)} ${entry.keys.join(', ')}`)),
  ].join('\n');
}

export async function fork(source: string, options: ForkOptions): Promise<void> {
  if (options.height !== undefined && options.snapshot !== undefined) throw new CliError('BAD_OPTION', 'pass either --height or --snapshot, not both', `e.g. aos world fork ${source} --to <dir> --height 10`);
  const height = options.height === undefined ? undefined : Number(options.height);
  if (height !== undefined && (!Number.isSafeInteger(height) || height < 1)) throw new CliError('BAD_OPTION', `--height ${options.height ?? ''} is not a whole number ≥ 1`, 'pass the number of records the fork keeps (an input boundary; `aos journal tail` shows where inputs start)');
  if (options.snapshot !== undefined && !isHash(options.snapshot)) throw new CliError('BAD_OPTION', `--snapshot ${options.snapshot} is not a hash`, `pass a snapshot hash from \`aos world show --root ${source}\``);
  const point = { ...(height === undefined ? {} : { height }), ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot as Hash }) };
  const done = await withProgress(`forking ${source}`, options.json, (listener) => forkWorld(resolve(source), resolve(options.to), point, listener));
  const data = { source: done.source, target: done.target, height: done.height, head: done.head, fork_id: done.fork_id, objects: done.objects, replay: { heights: done.replay.heights, snapshots: done.replay.snapshots, head: done.replay.head }, audit_ok: done.replay.audit.ok };
  emit(options, data, () => [`forked ${done.source} at height ${done.height} into ${done.target}`, `fork id ${done.fork_id}; head ${done.head}; ${done.objects} CAS objects`,
    `replay ok: ${done.replay.heights} heights from genesis and from ${done.replay.snapshots} snapshot(s)`, `next: send it events with \`aos world send --root ${done.target} …\``].join('\n'));
}

export async function exportBundle(source: string, options: ExportOptions): Promise<void> {
  const done = await withProgress(`exporting ${source}`, options.json, (listener) => exportWorld(resolve(source), resolve(options.out), listener));
  emit(options, done, () => [`exported ${resolve(source)} to ${done.file} (${done.bytes} bytes)`, `${done.records} records to head ${done.head_hash}; ${done.objects} CAS objects`, `bundle sha256 ${done.sha256}`,
    `next: \`aos world import ${done.file} --to <dir>\` on the other machine, or \`aos audit verify ${done.file}\``].join('\n'));
}

export async function importFile(file: string, options: ImportOptions): Promise<void> {
  let report: BundleReport;
  try {
    report = await withProgress(`importing ${file}`, options.json, (listener) => importBundle(resolve(file), resolve(options.to), listener));
  } catch (error) {
    if (error instanceof NodeError && (error.code === 'BUNDLE_INVALID' || error.code === 'REPLAY_FAILED')) {
      throw new CliError(error.code, `import refused, nothing was written: ${error.message}`, error.hint ?? 'export the world again', 1);
    }
    throw error;
  }
  emit(options, report, () => [
    `imported world ${report.world.id} into ${resolve(options.to)}`,
    `${report.records} records to head ${report.world.head_hash}; ${report.objects} CAS objects; bundle sha256 ${report.sha256}`,
    `checked: chain, ${report.journal.signatures_verified}/${report.journal.receipts} receipt signatures, ${report.approvals.verified} approval signatures, replay from genesis and ${report.replay?.snapshots ?? 0} snapshot(s)`,
    `trusted keys: ${report.trusted_keys.map(([adapter, keys]) => `${adapter} ${keys.join(', ')}`).join('; ') || 'none'}`,
    `next: generate this node's adapter keys (\`aos key gen --root ${resolve(options.to)} --role adapter …\`) and rotate them in before running effects`,
  ].join('\n'));
}
