// What introspect.* effects read, over one embedded world: its manifest node, its journal head
// and latest snapshot, and its workflows' states and cells, as they are when the effect runs.
// The answer is journaled in the effect's receipt, so replay never reads the world again.
import type { IntrospectedCell, ReadMeta, WorldIntrospection } from '../adapters/introspect-adapter.ts';
import type { EmbeddedWorld } from './embedded-world.ts';

/** The introspection of one embedded world. */
export class EmbeddedIntrospection implements WorldIntrospection {
  constructor(private readonly world: EmbeddedWorld) {}

  meta(): ReadMeta {
    return { journal_height: this.world.head.height, snapshot_hash: this.world.latestSnapshotHash(), manifest_hash: this.world.view.hash };
  }

  manifest(): Uint8Array {
    // The manifest node as stored at creation (or by the last applied patch); the CAS verifies it against its hash.
    return this.world.cas.get(this.world.view.hash);
  }

  workflow(workflow: string): { readonly keyed: boolean } | null {
    const module = this.world.view.modules.get(workflow);
    return module?.abi.workflow === undefined ? null : { keyed: module.key_schema !== undefined };
  }

  state(workflow: string, key: Uint8Array | null): Uint8Array | null {
    return this.world.state(workflow, key);
  }

  cells(workflow: string): readonly IntrospectedCell[] {
    return this.world.cells(workflow).flatMap((cell) => (cell.state === null ? [] : [{ key: cell.key ?? new Uint8Array(0), state: cell.state }]));
  }
}
