// The sys/WorkflowContext@1 a module gets when its ABI declares a context schema.
import { encodeCanonical } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import type { IngressStamp } from './records.ts';

/** Canonical bytes of the workflow context for one step. */
export function workflowContext(stamp: IngressStamp, height: number, eventHash: Hash, workflow: string, key: Uint8Array | null): Uint8Array {
  return encodeCanonical({
    now_ns: stamp.now_ns, logical_now_ns: stamp.logical_now_ns, journal_height: height, entropy: stamp.entropy,
    event_hash: eventHash, manifest_hash: stamp.manifest_hash, workflow, key, cell_mode: key !== null,
  }, { selfDescribe: false });
}
