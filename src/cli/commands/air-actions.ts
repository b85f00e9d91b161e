// What `aos air check|hash|fmt|diff` do; loaded only when one of them runs (ajv is slow to start).
import { writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { AirError, airFilesOf, loadWorldPath, parseAirJson, readDocuments, stripComments, valueFromJson, valueToCanonicalJson, valueToSugarJson } from '../../air/index.ts';
import type { AirLoadResult, AirWorld, CapGrant, DefEntry, Manifest } from '../../air/index.ts';
import { CliError } from '../cli-error.ts';
import { emit, stringifyExact } from '../output.ts';
import type { OutputOptions } from '../output.ts';

export interface CheckOptions extends OutputOptions { readonly import?: string[] }

function errorJson(error: AirError): Record<string, unknown> {
  return { code: error.code, file: error.where.file ?? null, def: error.where.def ?? null, path: error.where.path ?? null, message: error.detail };
}

export function check(paths: readonly string[], options: CheckOptions): void {
  const results = paths.map((path) => ({ path, result: loadOrError(path, options.import ?? []) }));
  const data = {
    ok: results.every(({ result }) => result.world !== null),
    results: results.map(({ path, result }) => ({
      path, ok: result.world !== null,
      manifest: result.world?.manifest?.hash ?? null,
      defs: result.world?.own.length ?? 0,
      errors: result.errors.map(errorJson),
      warnings: result.world?.warnings ?? [],
    })),
  };
  emit(options, data, () => results.map(({ path, result }) => describeCheck(path, result)).join('\n'));
  if (!data.ok) process.exitCode = 1;
}

function loadOrError(path: string, imports: readonly string[]): AirLoadResult {
  try {
    return loadWorldPath(path, imports.map((dir) => resolve(dir)));
  } catch (error) {
    if (error instanceof AirError) return { world: null, errors: [error] };
    throw error;
  }
}

function describeCheck(path: string, result: AirLoadResult): string {
  if (result.world === null) {
    const lines = result.errors.map((error) => `  ${error.message}`);
    return [`✗ ${path}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`, ...lines].join('\n');
  }
  const manifest = result.world.manifest === null ? 'no manifest' : `manifest ${result.world.manifest.hash}`;
  const notes = result.world.warnings.map((warning) => `  note: ${warning}`);
  return [`✓ ${path}: ${result.world.own.length} defs, ${manifest}`, ...notes].join('\n');
}

function requireWorld(path: string, imports: readonly string[]): AirWorld {
  const result = loadOrError(path, imports);
  if (result.world !== null) return result.world;
  const first = result.errors[0];
  throw new CliError('AIR_INVALID', `${path} is not valid AIR (${result.errors.length} error(s)); first: ${first?.message ?? ''}`, `run \`aos air check ${path}\` to see every error`);
}

function sortedDefs(world: AirWorld): DefEntry[] {
  return [...world.own].sort((a, b) => compare(`${a.def.$kind} ${a.def.name}`, `${b.def.$kind} ${b.def.name}`));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hash(path: string, options: CheckOptions): void {
  const world = requireWorld(path, options.import ?? []);
  const data = {
    defs: sortedDefs(world).map((entry) => ({ kind: entry.def.$kind, name: entry.def.name, hash: entry.hash })),
    manifest: world.manifest === null ? null : { hash: world.manifest.hash },
  };
  emit(options, data, () => [
    ...data.defs.map((def) => `${def.hash}  ${def.kind.padEnd(10)} ${def.name}`),
    `${data.manifest?.hash ?? '(none)'.padEnd(71)}  manifest`,
  ].join('\n'));
}

export interface FmtOptions extends OutputOptions { readonly lens: string; readonly write?: boolean }

/** The world folder a file belongs to: the parent of an `air/` folder, else the file's folder. */
function worldOfFile(file: string): string {
  const dir = dirname(resolve(file));
  return basename(dir) === 'air' ? dirname(dir) : dir;
}

export function fmt(file: string, options: FmtOptions): void {
  if (options.lens !== 'sugar' && options.lens !== 'canonical') {
    throw new CliError('BAD_OPTION', `--lens must be "sugar" or "canonical", not "${options.lens}"`, 'e.g. aos air fmt air/manifest.air.json --lens sugar');
  }
  const world = requireWorld(worldOfFile(file), []);
  const [document] = readDocuments(airFilesOf(file));
  if (document === undefined) throw new CliError('IO', `cannot read ${file}`);
  const parsed = parseAirJson(document.text, document.file);
  const nodes = Array.isArray(parsed) ? parsed : [parsed];
  const rendered = nodes.map((node) => renderNode(stripComments(node) as Record<string, unknown>, world, options.lens as 'sugar' | 'canonical', document.file));
  const out = Array.isArray(parsed) ? rendered : rendered[0];
  const text = `${stringifyExact(out)}\n`;
  if (options.write === true) {
    writeFileSync(resolve(file), text);
    emit(options, { file, lens: options.lens, written: true }, () => `formatted ${file} (${options.lens} lens)`);
  } else {
    process.stdout.write(options.json === true ? `${stringifyExact({ file, lens: options.lens, document: out })}\n` : text);
  }
}

function renderNode(node: Record<string, unknown>, world: AirWorld, lens: 'sugar' | 'canonical', file: string): Record<string, unknown> {
  if (node.$kind !== 'manifest') return node;
  const manifest = node as unknown as Manifest;
  const grants = manifest.defaults?.cap_grants;
  if (grants === undefined) return node;
  const converted = grants.map((grant, position): CapGrant => {
    const cap = world.index.get('defcap', grant.cap);
    if (cap === undefined) return grant;
    const where = { file, path: `.defaults.cap_grants[${position}].params` };
    const value = valueFromJson(grant.params, cap.def.schema, world.index, where);
    const params = lens === 'sugar' ? valueToSugarJson(value, cap.def.schema, world.index) : valueToCanonicalJson(value, cap.def.schema, world.index);
    return { ...grant, params };
  });
  return { ...node, defaults: { ...manifest.defaults, cap_grants: converted } };
}

export function diff(a: string, b: string, options: OutputOptions): void {
  const left = requireWorld(a, []);
  const right = requireWorld(b, []);
  const before = new Map(left.own.map((entry) => [`${entry.def.$kind} ${entry.def.name}`, entry.hash]));
  const after = new Map(right.own.map((entry) => [`${entry.def.$kind} ${entry.def.name}`, entry.hash]));
  const changes: Array<{ kind: string; name: string; change: 'added' | 'removed' | 'changed'; before: string | null; after: string | null }> = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort(compare)) {
    const [kind = '', name = ''] = key.split(' ');
    const was = before.get(key) ?? null;
    const now = after.get(key) ?? null;
    if (was === now) continue;
    changes.push({ kind, name, change: was === null ? 'added' : now === null ? 'removed' : 'changed', before: was, after: now });
  }
  const manifest = { before: left.manifest?.hash ?? null, after: right.manifest?.hash ?? null };
  const data = { same: changes.length === 0 && manifest.before === manifest.after, changes, manifest };
  emit(options, data, () => {
    if (data.same) return `no differences (manifest ${manifest.before ?? 'none'})`;
    const symbol = { added: '+', removed: '-', changed: '~' } as const;
    const lines = changes.map((c) => `${symbol[c.change]} ${c.kind.padEnd(10)} ${c.name}${c.change === 'changed' ? `  ${c.before} → ${c.after}` : ''}`);
    const manifestLine = manifest.before === manifest.after ? `  manifest unchanged ${manifest.before ?? ''}` : `~ manifest ${manifest.before ?? 'none'} → ${manifest.after ?? 'none'}`;
    return [...lines, manifestLine].join('\n');
  });
}
