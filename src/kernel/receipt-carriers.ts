// Receipts reach a workflow only from the kernel, after their signature was checked (DESIGN §7).
// An event from outside (or emitted by a workflow) that is a receipt envelope, or a variant whose
// chosen arm is one, would reach the workflow looking exactly like an admitted receipt: a forgery
// without a signature. Such events are refused where they enter.
import { decodeCanonical } from '../cbor/index.ts';
import type { SchemaResolver, TypeAst } from '../air/index.ts';
import { bytesAtPath } from './event-bytes.ts';
import { RECEIPT_ENVELOPE_SCHEMA } from './manifest-view.ts';

/** The envelope, stream frames (signed by adapters too), and the older receipt events upstream workflows took as receipts. */
const RECEIPT_SCHEMAS: ReadonlySet<string> = new Set([RECEIPT_ENVELOPE_SCHEMA, 'sys/EffectStreamFrame@1', 'sys/TimerFired@1', 'sys/BlobPutResult@1', 'sys/BlobGetResult@1']);
/** Alias hops followed to reach a variant (schemas that passed the loader have no cycles). */
const ALIAS_HOPS_MAX = 64;

/** The receipt schema an event of `schema` with canonical `bytes` carries, if it carries one. */
export function carriedReceipt(schema: string, bytes: Uint8Array, schemas: SchemaResolver): string | undefined {
  if (RECEIPT_SCHEMAS.has(schema)) return schema;
  let type: TypeAst | undefined = schemas.resolve(schema);
  for (let hops = 0; type !== undefined && 'ref' in type && hops < ALIAS_HOPS_MAX; hops += 1) {
    if (RECEIPT_SCHEMAS.has(type.ref)) return type.ref;
    type = schemas.resolve(type.ref);
  }
  if (type === undefined || !('variant' in type)) return undefined;
  const tagBytes = bytesAtPath(bytes, ['$tag']);
  if (tagBytes === undefined) return undefined;
  const tag = decodeCanonical(tagBytes);
  const arm = typeof tag === 'string' && Object.hasOwn(type.variant, tag) ? type.variant[tag] : undefined;
  return arm !== undefined && 'ref' in arm && RECEIPT_SCHEMAS.has(arm.ref) ? arm.ref : undefined;
}
