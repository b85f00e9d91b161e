// What `aos world ls|show|fork|export|import` do; loaded only when one of them runs.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isHash } from '../../cbor/index.ts';
import { isPublicKeyId } from '../../kernel/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { EMBEDDED_WORLD_ID, exportWorld, forkWorld, importBundle, NodeError } from '../../node/index.ts';
import type { BundleReport, ExportSummary, ForkSummary, ImportPins } from '../../node/index.ts';
import type { WorldRow, WorldShow } from '../../node/node-lifecycle-ops.ts';
import { BUNDLE_CONTENT_TYPE, EXPORT_SUMMARY_HEADER, worldRow, worldShow } from '../../node/node-lifecycle-ops.ts';
import { NODE_WORLDS_FOLDER } from '../../node/node-profile.ts';
import { nodeDatabaseFile } from '../../store/index.ts';
import { CliError } from '../cli-error.ts';
import { newWorldTarget, nodeDownload, nodeRequest, nodeTarget, nodeUpload, worldPath } from '../node-client.ts';
import { emit, paint, stringifyExact } from '../output.ts';
import { withProgress } from '../progress.ts';
import type { ExportOptions, ForkOptions, ImportOptions, LsOptions, ShowOptions } from './world-lifecycle.ts';

export async function ls(options: LsOptions): Promise<void> {
  const base = resolve(options.dir);
  const target = await nodeTarget({ ...options, root: base });
  // Through the node only for its root (or --node): a folder below it lists just that folder, as here.
  if (target !== null && (options.node !== undefined || target.world === EMBEDDED_WORLD_ID)) {
    const [health, listing] = await Promise.all([nodeRequest<{ root: string }>(target, 'GET', '/health'), nodeRequest<{ worlds: Array<{ id: string }> }>(target, 'GET', '/worlds')]);
    const rows = await Promise.all(listing.worlds.map((world) => nodeRequest<WorldRow>(target, 'GET', worldPath({ ...target, world: world.id }, '/facts'))));
    emitLs(options, options.node !== undefined ? health.root : base, rows);
    return;
  }
  if (!existsSync(base)) throw new CliError('NO_DIR', `${base} does not exist`, 'pass --dir a folder that holds world folders');
  // The folder, its subfolders, and the worlds a node would host under <dir>/worlds/.
  const subfolders = (dir: string) => existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => join(dir, entry.name)) : [];
  const candidates = [base, ...[...subfolders(base), ...subfolders(join(base, NODE_WORLDS_FOLDER))].sort()];
  emitLs(options, base, candidates.filter((dir) => existsSync(nodeDatabaseFile(dir))).map(worldRow));
}

function emitLs(options: LsOptions, base: string, rows: readonly WorldRow[]): void {
  emit(options, { dir: base, worlds: rows }, () => rows.length === 0
    ? `no worlds in ${base} or its subfolders (create one with \`aos world create --root <dir>\`)`
    : [`${'HEIGHT'.padStart(8)}  ${'SNAPSHOTS'.padEnd(9)}  ${'HEAD'.padEnd(71)}  FOLDER`, ...rows.map((row) => row.error !== null
      ? `${'-'.padStart(8)}  ${'-'.padEnd(9)}  ${paint(`unreadable: ${row.error}`, 'red').padEnd(71)}  ${row.dir}`
      : `${String(row.head_height).padStart(8)}  ${String(row.snapshots).padEnd(9)}  ${(row.head_hash ?? '-').padEnd(71)}  ${row.dir}${row.forked === true ? ' (fork)' : ''}`)].join('\n'));
}

export async function show(options: ShowOptions): Promise<void> {
  const target = await nodeTarget(options);
  const data = target !== null ? await nodeRequest<WorldShow>(target, 'GET', worldPath(target, '/show')) : await worldShow(resolve(options.root));
  emit(options, data, () => showText(data));
}

function showText(data: WorldShow): string {
  const lineage = data.lineage === null ? [] : [`forked from   ${stringifyExact(data.lineage, 0)}`];
  return [
    `world ${EMBEDDED_WORLD_ID} in ${data.root}`,
    `genesis       ${data.genesis ?? '-'}`,
    `manifest      ${data.manifest}${data.manifest === data.genesis_manifest ? '' : ` (genesis manifest ${data.genesis_manifest ?? '-'})`}`,
    `head          height ${data.head.height}, ${data.head.hash ?? '-'}`,
    `snapshots     ${data.snapshots.length === 0 ? 'none' : data.snapshots.map((ref) => `${ref.height} ${ref.hash}`).join(', ')}`,
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
  const done = await forkThroughNode(source, options, point) ?? await withProgress(`forking ${source}`, options.json, (listener) => forkWorld(resolve(source), resolve(options.to), point, listener));
  const data = { source: done.source, target: done.target, height: done.height, head: done.head, fork_id: done.fork_id, objects: done.objects, replay: { heights: done.replay.heights, snapshots: done.replay.snapshots, head: done.replay.head }, audit_ok: done.replay.audit.ok };
  emit(options, data, () => [`forked ${done.source} at height ${done.height} into ${done.target}`, `fork id ${done.fork_id}; head ${done.head}; ${done.objects} CAS objects`,
    `replay ok: ${done.replay.heights} heights from genesis and from ${done.replay.snapshots} snapshot(s)`, `next: send it events with \`aos world send --root ${done.target} …\``].join('\n'));
}

/** Forks through the node that hosts both the source world and the folder --to (it hosts the fork at once); null when no node does. */
async function forkThroughNode(source: string, options: ForkOptions, point: { height?: number; snapshot?: Hash }): Promise<ForkSummary | null> {
  const from = await nodeTarget({ ...options, root: source });
  const { world: _source, ...flags } = options;
  const into = await newWorldTarget({ ...flags, dir: options.to });
  if (from === null || into === null || from.url !== into.url) return null;
  return nodeRequest<ForkSummary>(from, 'POST', worldPath(from, '/fork'), { name: into.world, ...point });
}

export async function exportBundle(source: string, options: ExportOptions): Promise<void> {
  const target = await nodeTarget({ ...options, root: source });
  let done: ExportSummary;
  let from = resolve(source);
  if (target !== null) {
    // The node writes the bundle (the same bytes as here) and streams it; this writes the file.
    const file = resolve(options.out);
    const headers = await nodeDownload(target, worldPath(target, '/export'), file);
    const summary = JSON.parse(headers.get(EXPORT_SUMMARY_HEADER) ?? 'null') as Omit<ExportSummary, 'file'> | null;
    if (summary === null) throw new CliError('NODE_BAD_ANSWER', `the node at ${target.url} sent a bundle without its ${EXPORT_SUMMARY_HEADER} header`, 'is the node as new as this CLI? `aos node status` shows it');
    done = { file, ...summary };
    // Through --node the world's folder is the node's, which it names.
    if (options.node !== undefined) from = (await nodeRequest<{ worlds: Array<{ id: string; dir: string }> }>(target, 'GET', '/worlds')).worlds.find((world) => world.id === target.world)?.dir ?? from;
  } else {
    done = await withProgress(`exporting ${source}`, options.json, (listener) => exportWorld(resolve(source), resolve(options.out), listener));
  }
  emit(options, done, () => [`exported ${from} to ${done.file} (${done.bytes} bytes)`, `${done.records} records to head ${done.head_hash}; ${done.objects} CAS objects`, `bundle sha256 ${done.sha256}`,
    `next: \`aos world import ${done.file} --to <dir>\` on the other machine, or \`aos audit verify ${done.file}\``].join('\n'));
}

/** The pins of an import, checked for form here (the import checks them against the bundle). */
function importPins(options: ImportOptions): ImportPins {
  const head = options.expectHead;
  if (head !== undefined && !isHash(head)) throw new CliError('BAD_OPTION', `--expect-head ${JSON.stringify(head)} is not a hash`, 'give the head as `aos journal head` prints it: sha256:<64 hex>');
  for (const key of options.trustKey ?? []) {
    if (!isPublicKeyId(key)) throw new CliError('BAD_OPTION', `--trust-key ${JSON.stringify(key)} is not a key id`, 'give key ids as `aos key ls` prints them');
  }
  return { ...(head === undefined ? {} : { head }), ...(options.trustKey === undefined ? {} : { trustedKeys: options.trustKey }) };
}

/** The pins as the node's import route takes them. */
function pinQuery(pins: ImportPins): string {
  const query = new URLSearchParams();
  if (pins.head !== undefined) query.set('expect_head', pins.head);
  for (const key of pins.trustedKeys ?? []) query.append('trust_key', key);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

export async function importFile(file: string, options: ImportOptions): Promise<void> {
  let report: BundleReport;
  try {
    const target = await newWorldTarget({ ...options, dir: options.to });
    const pins = importPins(options);
    // A node hosting --to verifies the uploaded bundle whole with the same code, then installs and hosts it.
    report = target !== null
      ? { ...await nodeUpload<BundleReport>(target, `${worldPath(target, '/import')}${pinQuery(pins)}`, resolve(file), BUNDLE_CONTENT_TYPE), file: resolve(file) }
      : await withProgress(`importing ${file}`, options.json, (listener) => importBundle(resolve(file), resolve(options.to), listener, pins));
  } catch (error) {
    if ((error instanceof NodeError || error instanceof CliError) && (error.code === 'BUNDLE_INVALID' || error.code === 'REPLAY_FAILED')) {
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
