// Workflow instances: one per (module, key); a non-keyed module has the single key "".
import type { Hash } from '../cbor/index.ts';
import { toHex } from '../cbor/index.ts';

/** Where an instance is in its life. */
export type CellStatus = 'running' | 'waiting' | 'completed' | 'failed';

/** One workflow instance: its key, canonical state, status and the intents it waits on. */
export interface Cell {
  readonly module: string;
  readonly key: Uint8Array | null;
  state: Uint8Array | null;
  status: CellStatus;
  readonly open: Set<Hash>;
}

/** The key a cell is filed under: hex of its key bytes, or "" for a non-keyed module. */
export function cellId(key: Uint8Array | null | undefined): string {
  return key === null || key === undefined ? '' : toHex(key);
}

/** All instances of all modules, iterated in a deterministic order (module name, then key bytes). */
export class CellTable {
  private readonly modules = new Map<string, Map<string, Cell>>();

  get(module: string, key: Uint8Array | null | undefined): Cell | undefined {
    return this.modules.get(module)?.get(cellId(key));
  }

  /** The cell for (module, key), created empty when it does not exist yet. */
  ensure(module: string, key: Uint8Array | null | undefined): Cell {
    let cells = this.modules.get(module);
    if (cells === undefined) {
      cells = new Map();
      this.modules.set(module, cells);
    }
    const id = cellId(key);
    let cell = cells.get(id);
    if (cell === undefined) {
      cell = { module, key: key ?? null, state: null, status: 'running', open: new Set() };
      cells.set(id, cell);
    }
    return cell;
  }

  delete(module: string, key: Uint8Array | null | undefined): void {
    this.modules.get(module)?.delete(cellId(key));
  }

  /** The cells of one module, sorted by key bytes. */
  of(module: string): Cell[] {
    const cells = this.modules.get(module);
    if (cells === undefined) return [];
    return [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell);
  }

  /** Every cell, sorted by module then key. */
  all(): Cell[] {
    return [...this.modules.keys()].sort().flatMap((module) => this.of(module));
  }

  count(): number {
    let total = 0;
    for (const cells of this.modules.values()) total += cells.size;
    return total;
  }

  clear(): void {
    this.modules.clear();
  }
}
