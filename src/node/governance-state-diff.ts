// Structural differences between the cells of two worlds (a shadow fork and the state it forked
// from, or two forks): per workflow and per cell, added, removed, or changed at these paths.
import { decodeCanonical, hashValue, isCborObject, toHex, toJsonValue } from '../cbor/index.ts';
import type { CborValue } from '../cbor/index.ts';
import type { Cell, ManifestView } from '../kernel/index.ts';
import { SHADOW_CELLS_COMPARED_MAX, SHADOW_PATHS_PER_CELL_MAX } from './limits.ts';

/** Anything that lists a workflow's cells. */
export interface CellSource {
  cells(module: string): readonly Cell[];
}

/** How one cell differs: its workflow, key (JSON), and the paths whose values differ. */
export interface CellDiff {
  readonly module: string;
  readonly key: unknown;
  readonly change: 'added' | 'removed' | 'changed';
  readonly paths: ReadonlyArray<{ readonly path: string; readonly before: unknown; readonly after: unknown }>;
}

/** The cells of `after` compared with those of `before`, for every workflow either manifest lists. */
export function cellDiffs(after: CellSource, before: CellSource, afterView: ManifestView, beforeView: ManifestView): CellDiff[] {
  const modules = new Set<string>();
  for (const view of [afterView, beforeView]) {
    for (const module of view.modules.values()) if (module.module_kind === 'workflow' && !module.name.startsWith('sys/')) modules.add(module.name);
  }
  const diffs: CellDiff[] = [];
  for (const module of [...modules].sort()) {
    const old = new Map(before.cells(module).slice(0, SHADOW_CELLS_COMPARED_MAX).map((cell) => [idOf(cell), cell]));
    const now = new Map(after.cells(module).slice(0, SHADOW_CELLS_COMPARED_MAX).map((cell) => [idOf(cell), cell]));
    for (const [id, cell] of now) {
      const was = old.get(id);
      if (was === undefined) diffs.push({ module, key: keyOf(cell), change: 'added', paths: valuePaths(null, stateOf(cell)) });
      else if (!sameState(was, cell)) diffs.push({ module, key: keyOf(cell), change: 'changed', paths: valuePaths(stateOf(was), stateOf(cell)) });
    }
    for (const [id, cell] of old) if (!now.has(id)) diffs.push({ module, key: keyOf(cell), change: 'removed', paths: valuePaths(stateOf(cell), null) });
  }
  return diffs;
}

function idOf(cell: Cell): string {
  return cell.key === null ? '' : toHex(cell.key);
}

function keyOf(cell: Cell): unknown {
  return cell.key === null ? null : toJsonValue(decodeCanonical(cell.key));
}

function stateOf(cell: Cell): CborValue {
  return cell.state === null ? null : decodeCanonical(cell.state);
}

function sameState(a: Cell, b: Cell): boolean {
  if (a.state === null || b.state === null) return a.state === b.state;
  return a.state.length === b.state.length && a.state.every((byte, index) => byte === b.state?.[index]);
}

/** The leaf paths where two values differ (records by field, lists by index), at most SHADOW_PATHS_PER_CELL_MAX. */
function valuePaths(before: CborValue, after: CborValue): Array<{ path: string; before: unknown; after: unknown }> {
  const found: Array<{ path: string; before: unknown; after: unknown }> = [];
  const pending: Array<{ path: string; a: CborValue | undefined; b: CborValue | undefined }> = [{ path: '', a: before, b: after }];
  for (let item = pending.pop(); item !== undefined && found.length < SHADOW_PATHS_PER_CELL_MAX; item = pending.pop()) {
    const { path, a, b } = item;
    if (a !== undefined && b !== undefined && hashValue(a) === hashValue(b)) continue;
    if (a !== undefined && b !== undefined && a !== null && b !== null && isCborObject(a) && isCborObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().reverse();
      for (const key of keys) pending.push({ path: `${path}.${key}`, a: a[key], b: b[key] });
    } else if (Array.isArray(a) && Array.isArray(b)) {
      const list = (value: CborValue) => value as readonly CborValue[];
      for (let index = Math.max(a.length, b.length) - 1; index >= 0; index -= 1) pending.push({ path: `${path}[${index}]`, a: list(a)[index], b: list(b)[index] });
    } else {
      found.push({ path: path === '' ? '.' : path, before: a === undefined ? null : toJsonValue(a), after: b === undefined ? null : toJsonValue(b) });
    }
  }
  return found;
}
