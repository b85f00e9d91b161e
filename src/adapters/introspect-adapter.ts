// The adapter of the four internal introspect.* effects: read-only views of the world that runs
// them (its manifest, journal head, a workflow's state, a keyed workflow's cells), through a
// WorldIntrospection the node implements. Receipts follow upstream's schemas, each with a
// sys/ReadMeta@1 {journal_height, snapshot_hash, manifest_hash} saying what was read.
// Reads are served at the head: a `consistency` of "head", "exact:<h>" when h is the head
// height, or "at_least:<h>" when the head has reached h; any other is an error receipt (the
// message as CBOR text). Its adapter_id is KERNEL_ADAPTER_ID (the kernel's own key signs).
import { assert, hashBytes, isCborObject } from '../cbor/index.ts';
import type { CborObject, CborValue, Hash } from '../cbor/index.ts';
import type { Adapter, AdapterIntent, AdapterOutcome } from './adapter.ts';
import { AdapterError } from './errors.ts';
import { KERNEL_ADAPTER_ID } from './kernel-adapter-id.ts';
import { readParams } from './typed-params.ts';

/** sys/ReadMeta@1: the journal height, latest snapshot and manifest a read saw. */
export interface ReadMeta {
  /** Records in the journal when the read was made (the next height it will write). */
  readonly journal_height: number;
  readonly snapshot_hash: Hash | null;
  readonly manifest_hash: Hash;
}

/** One cell of a workflow: its key (empty bytes for a workflow without key) and its state's canonical bytes. */
export interface IntrospectedCell {
  readonly key: Uint8Array;
  readonly state: Uint8Array;
}

/** Read-only access to the world an introspect effect runs in. */
export interface WorldIntrospection {
  meta(): ReadMeta;
  /** The canonical CBOR of the world's manifest node. */
  manifest(): Uint8Array;
  /** Whether `workflow` is a workflow module of the manifest, and whether it is keyed; null when it is not one. */
  workflow(workflow: string): { readonly keyed: boolean } | null;
  /** The canonical state bytes of an instance (key null for a workflow without key), or null when it has none. */
  state(workflow: string, key: Uint8Array | null): Uint8Array | null;
  /** The cells of a workflow that have state, sorted by key bytes. */
  cells(workflow: string): readonly IntrospectedCell[];
}

/** Each introspect effect's def name and the schema of its params. */
const EFFECTS = {
  'sys/introspect.manifest@1': 'sys/IntrospectManifestParams@1',
  'sys/introspect.workflow_state@1': 'sys/IntrospectWorkflowStateParams@1',
  'sys/introspect.journal_head@1': 'sys/IntrospectJournalHeadParams@1',
  'sys/introspect.list_cells@1': 'sys/IntrospectListCellsParams@1',
} as const;
type IntrospectEffect = keyof typeof EFFECTS;

/** The introspect effects' def names. */
export const INTROSPECT_EFFECTS: readonly string[] = Object.freeze(Object.keys(EFFECTS));

const CONSISTENCY = /^(head|exact:(\d+)|at_least:(\d+))$/;

/** Executes introspect.* against a WorldIntrospection. */
export class IntrospectAdapter implements Adapter {
  readonly id = KERNEL_ADAPTER_ID;
  readonly kinds: readonly string[] = INTROSPECT_EFFECTS;

  constructor(private readonly world: WorldIntrospection) {}

  // Synchronous work behind the async interface: a failure rejects the promise like any adapter's.
  async execute(intent: AdapterIntent): Promise<AdapterOutcome> {
    assert(intent.effect_kind in EFFECTS, `the executor routes only introspect effects to the introspect adapter, not ${intent.effect_kind}`);
    const effect = intent.effect_kind as IntrospectEffect;
    const reading = readParams(intent, EFFECTS[effect]);
    if (!reading.ok) return { status: 'error', payload: reading.message };
    try {
      return { status: 'ok', payload: this.run(effect, reading.params) };
    } catch (error) {
      if (!(error instanceof AdapterError)) throw error;
      return { status: 'error', payload: `${intent.effect_kind}: ${error.message}` };
    }
  }

  private run(effect: IntrospectEffect, params: CborObject): CborValue {
    const meta = this.world.meta();
    const metaValue = { journal_height: meta.journal_height, snapshot_hash: meta.snapshot_hash, manifest_hash: meta.manifest_hash };
    switch (effect) {
      case 'sys/introspect.journal_head@1': return { meta: metaValue };
      case 'sys/introspect.manifest@1':
        checkConsistency(params, meta);
        return { manifest: this.world.manifest(), meta: metaValue };
      case 'sys/introspect.workflow_state@1': {
        checkConsistency(params, meta);
        const workflow = this.known(params);
        const key = params['key'] ?? null;
        assert(key === null || key instanceof Uint8Array, 'a checked key is optional bytes');
        if (workflow.keyed !== (key !== null)) {
          throw new AdapterError('INTROSPECT_INVALID', workflow.keyed ? `${String(params['workflow'])} is keyed: name the cell with key (its canonical CBOR)` : `${String(params['workflow'])} is not keyed: leave key out`);
        }
        return { state: this.world.state(String(params['workflow']), key), meta: metaValue };
      }
      case 'sys/introspect.list_cells@1': {
        this.known(params);
        // This kernel does not record when a cell was last active, so last_active_ns is 0.
        const cells = this.world.cells(String(params['workflow'])).map((cell) => ({ key: cell.key, state_hash: hashBytes(cell.state), size: cell.state.byteLength, last_active_ns: 0 }));
        return { cells, meta: metaValue };
      }
    }
  }

  private known(params: CborObject): { readonly keyed: boolean } {
    const name = params['workflow'];
    assert(typeof name === 'string', 'a checked workflow name is text');
    const workflow = this.world.workflow(name);
    if (workflow === null) throw new AdapterError('INTROSPECT_INVALID', `no workflow ${name} in this world's manifest`);
    return workflow;
  }
}

/** Refuses a consistency the head cannot serve. */
function checkConsistency(params: CborObject, meta: ReadMeta): void {
  assert(isCborObject(params), 'checked params are a record');
  const consistency = String(params['consistency']);
  const match = CONSISTENCY.exec(consistency);
  if (match === null) throw new AdapterError('INTROSPECT_INVALID', `consistency ${JSON.stringify(consistency)} is not "head", "exact:<height>" or "at_least:<height>"`);
  if (match[2] !== undefined && Number(match[2]) !== meta.journal_height) {
    throw new AdapterError('INTROSPECT_INVALID', `consistency ${consistency} asks for height ${match[2]}, but reads are served at the head, height ${meta.journal_height}`);
  }
  if (match[3] !== undefined && Number(match[3]) > meta.journal_height) {
    throw new AdapterError('INTROSPECT_INVALID', `consistency ${consistency} asks for at least height ${match[3]}, but the journal is at ${meta.journal_height}`);
  }
}
