// The adapter of the eleven internal workspace.* effects. Trees live in the world's CAS
// (tree.ts); `resolve` reads the committed versions through a WorkspaceRegistry. The receipts
// follow upstream's receipt schemas; a request the tree operations refuse (a bad path, a
// missing entry, a file where a directory is needed, a limit) settles as an `error` receipt
// whose payload is the message, as CBOR text, since those schemas have no field for a reason.
// Its adapter_id is KERNEL_ADAPTER_ID: internal effects are signed with the kernel's own key.
import { assert, isCborObject, isHash } from '../../cbor/index.ts';
import type { CborObject, CborValue, Hash } from '../../cbor/index.ts';
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { KERNEL_ADAPTER_ID } from '../kernel-adapter-id.ts';
import { readParams } from '../typed-params.ts';
import { checkWorkspaceName } from './paths.ts';
import type { WorkspaceRegistry } from './registry.ts';
import { WorkspaceTrees } from './tree.ts';
import type { ListScope } from './tree.ts';

/** Each workspace effect's def name and the schema of its params. */
const EFFECTS = {
  'sys/workspace.resolve@1': 'sys/WorkspaceResolveParams@1',
  'sys/workspace.empty_root@1': 'sys/WorkspaceEmptyRootParams@1',
  'sys/workspace.list@1': 'sys/WorkspaceListParams@1',
  'sys/workspace.read_ref@1': 'sys/WorkspaceReadRefParams@1',
  'sys/workspace.read_bytes@1': 'sys/WorkspaceReadBytesParams@1',
  'sys/workspace.write_bytes@1': 'sys/WorkspaceWriteBytesParams@1',
  'sys/workspace.write_ref@1': 'sys/WorkspaceWriteRefParams@1',
  'sys/workspace.remove@1': 'sys/WorkspaceRemoveParams@1',
  'sys/workspace.diff@1': 'sys/WorkspaceDiffParams@1',
  'sys/workspace.annotations_get@1': 'sys/WorkspaceAnnotationsGetParams@1',
  'sys/workspace.annotations_set@1': 'sys/WorkspaceAnnotationsSetParams@1',
} as const;
type WorkspaceEffect = keyof typeof EFFECTS;

/** The workspace effects' def names. */
export const WORKSPACE_EFFECTS: readonly string[] = Object.freeze(Object.keys(EFFECTS));

const SCOPES: ReadonlySet<string> = new Set<ListScope>(['dir', 'subtree']);

/** Executes workspace.* over the context's CAS and the world's registry of committed versions. */
export class WorkspaceAdapter implements Adapter {
  readonly id = KERNEL_ADAPTER_ID;
  readonly kinds: readonly string[] = WORKSPACE_EFFECTS;

  constructor(private readonly registry: WorkspaceRegistry) {}

  // Synchronous work behind the async interface: a failure rejects the promise like any adapter's.
  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    assert(intent.effect_kind in EFFECTS, `the executor routes only workspace effects to the workspace adapter, not ${intent.effect_kind}`);
    const effect = intent.effect_kind as WorkspaceEffect;
    const reading = readParams(intent, EFFECTS[effect]);
    if (!reading.ok) return { status: 'error', payload: reading.message };
    try {
      return { status: 'ok', payload: this.run(effect, reading.params, new WorkspaceTrees(context.blobs)) };
    } catch (error) {
      // Anything else (a CAS write failing, a broken invariant) is not the request's fault: it
      // propagates, and the executor settles or retries the intent.
      if (!(error instanceof AdapterError)) throw error;
      return { status: 'error', payload: `${intent.effect_kind}: ${error.message}` };
    }
  }

  private run(effect: WorkspaceEffect, params: CborObject, trees: WorkspaceTrees): CborValue {
    switch (effect) {
      case 'sys/workspace.resolve@1': return this.resolve(text(params, 'workspace'), optionalNat(params, 'version'));
      case 'sys/workspace.empty_root@1':
        checkWorkspaceName(text(params, 'workspace'));
        return { root_hash: trees.emptyRoot() };
      case 'sys/workspace.list@1': {
        const scope = optionalText(params, 'scope') ?? 'dir';
        if (!SCOPES.has(scope)) throw new AdapterError('WORKSPACE_PATH_INVALID', `list scope ${JSON.stringify(scope)} is neither "dir" nor "subtree"`);
        const listing = trees.list(hash(params, 'root_hash'), optionalText(params, 'path'), scope as ListScope, optionalText(params, 'cursor'), nat(params, 'limit'));
        return { entries: listing.entries.map((entry) => ({ ...entry })), next_cursor: listing.next_cursor };
      }
      case 'sys/workspace.read_ref@1': {
        const entry = trees.lookup(hash(params, 'root_hash'), text(params, 'path'));
        return entry === null ? null : { kind: entry.kind, hash: entry.hash, size: entry.size, mode: entry.mode };
      }
      case 'sys/workspace.read_bytes@1': return trees.readBytes(hash(params, 'root_hash'), text(params, 'path'), range(params));
      case 'sys/workspace.write_bytes@1': {
        const bytes = params['bytes'];
        assert(bytes instanceof Uint8Array, 'checked bytes are bytes');
        const written = trees.writeBytes(hash(params, 'root_hash'), text(params, 'path'), bytes, optionalNat(params, 'mode'));
        return { new_root_hash: written.root, blob_hash: written.blob };
      }
      case 'sys/workspace.write_ref@1': {
        const blob = hash(params, 'blob_hash');
        return { new_root_hash: trees.writeRef(hash(params, 'root_hash'), text(params, 'path'), blob, optionalNat(params, 'mode')), blob_hash: blob };
      }
      case 'sys/workspace.remove@1': return { new_root_hash: trees.remove(hash(params, 'root_hash'), text(params, 'path')) };
      case 'sys/workspace.diff@1':
        return { changes: trees.diff(hash(params, 'root_a'), hash(params, 'root_b'), optionalText(params, 'prefix')).map((change) => ({ ...change })) };
      case 'sys/workspace.annotations_get@1': {
        const annotations = trees.annotationsGet(hash(params, 'root_hash'), optionalText(params, 'path'));
        return { annotations: annotations === null ? null : { ...annotations } };
      }
      case 'sys/workspace.annotations_set@1': {
        const patch = params['annotations_patch'] ?? null;
        assert(isCborObject(patch), 'a checked annotations patch is a text-keyed map');
        const set = trees.annotationsSet(hash(params, 'root_hash'), optionalText(params, 'path'), patch as Record<string, Hash | null>);
        return { new_root_hash: set.root, annotations_hash: set.annotations };
      }
    }
  }

  /** sys/WorkspaceResolveReceipt@1: a version that does not exist resolves to none, with the head. */
  private resolve(workspace: string, version: number | null): CborValue {
    checkWorkspaceName(workspace);
    const history = this.registry.history(workspace);
    if (history === null) return { exists: false, resolved_version: null, head: null, root_hash: null };
    const wanted = version ?? history.latest;
    const found = history.versions.get(wanted);
    return { exists: true, resolved_version: found === undefined ? null : wanted, head: history.latest, root_hash: found?.root_hash ?? null };
  }
}

function text(params: CborObject, field: string): string {
  const value = params[field];
  assert(typeof value === 'string', `the checked field ${field} is text`);
  return value;
}

function optionalText(params: CborObject, field: string): string | null {
  const value = params[field];
  assert(value === null || typeof value === 'string', `the checked field ${field} is optional text`);
  return value;
}

function hash(params: CborObject, field: string): Hash {
  const value = params[field];
  assert(isHash(value), `the checked field ${field} is a hash`);
  return value;
}

function nat(params: CborObject, field: string): number {
  const value = params[field];
  assert(typeof value === 'number' || typeof value === 'bigint', `the checked field ${field} is a nat`);
  // Beyond 2^53 every bound here is exceeded anyway; saturate rather than lose the comparison.
  return typeof value === 'bigint' ? (value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value)) : value;
}

function optionalNat(params: CborObject, field: string): number | null {
  return params[field] === null ? null : nat(params, field);
}

function range(params: CborObject): { start: number; end: number } | null {
  const value = params['range'];
  if (value === null || value === undefined) return null;
  assert(isCborObject(value), 'a checked range is a record');
  return { start: nat(value, 'start'), end: nat(value, 'end') };
}
