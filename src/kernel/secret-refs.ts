// Secret references in effect params (upstream-kernel §4): a variant alternative named "secret"
// holding a sys/SecretRef@1 {alias, version}, as in sys/TextOrSecretRef@1; in canonical CBOR
// {"$tag":"secret","$value":{"alias":…,"version":…}}. Journals and intent hashes hold only the
// ref; the value is injected by the adapter at execution. The ref names the defsecret
// `<alias>@<version>`. Schemas are not recursive (the loader checks), so both walks end.
import { assert, isCborObject } from '../cbor/index.ts';
import type { CborValue } from '../cbor/index.ts';
import type { SchemaResolver, TypeAst } from '../air/index.ts';

const SECRET_REF_SCHEMA = 'sys/SecretRef@1';
const SECRET_TAG = 'secret';

/** A secret a params value refers to. */
export interface SecretRef {
  readonly alias: string;
  readonly version: bigint;
}

/** The defsecret a ref names. */
export function secretName(ref: SecretRef): string {
  return `${ref.alias}@${ref.version}`;
}

function isSecretArm(tag: string, type: TypeAst | undefined): boolean {
  return tag === SECRET_TAG && type !== undefined && 'ref' in type && type.ref === SECRET_REF_SCHEMA;
}

/** The types directly inside `type` (a ref resolved), for walking a schema. */
function childTypes(type: TypeAst): readonly TypeAst[] {
  if ('record' in type) return Object.values(type.record);
  if ('variant' in type) return Object.values(type.variant);
  if ('list' in type) return [type.list];
  if ('set' in type) return [type.set];
  if ('option' in type) return [type.option];
  if ('map' in type) return [type.map.value];
  return [];
}

/** True when values of `type` can hold a secret ref anywhere; decided once per effect kind. */
export function mayHoldSecretRef(type: TypeAst, schemas: SchemaResolver): boolean {
  const seen = new Set<string>();
  const pending: TypeAst[] = [type];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if ('ref' in node) {
      if (seen.has(node.ref)) continue;
      seen.add(node.ref);
      const resolved = schemas.resolve(node.ref);
      if (resolved !== undefined) pending.push(resolved);
      continue;
    }
    if ('variant' in node && Object.entries(node.variant).some(([tag, arm]) => isSecretArm(tag, arm))) return true;
    pending.push(...childTypes(node));
  }
  return false;
}

/** The secret refs in `value`, a typed value of `type`, in the order a depth-first walk meets them. */
export function secretRefsIn(value: CborValue, type: TypeAst, schemas: SchemaResolver): SecretRef[] {
  const refs: SecretRef[] = [];
  const pending: Array<{ readonly value: CborValue; readonly type: TypeAst }> = [{ value, type }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const node = 'ref' in item.type ? schemas.resolve(item.type.ref) : item.type;
    const at = item.value;
    if (node === undefined || at === null) continue;
    if ('record' in node && isCborObject(at)) {
      // Pushed in reverse, so they are walked in schema order.
      for (const [field, fieldType] of Object.entries(node.record).reverse()) {
        const fieldValue = at[field];
        if (fieldValue !== undefined) pending.push({ value: fieldValue, type: fieldType });
      }
    } else if ('variant' in node && isCborObject(at) && typeof at.$tag === 'string') {
      const arm = node.variant[at.$tag];
      const inner = at.$value;
      if (isSecretArm(at.$tag, arm)) refs.push(refOf(inner ?? null));
      else if (arm !== undefined && inner !== undefined) pending.push({ value: inner, type: arm });
    } else if (('list' in node || 'set' in node) && Array.isArray(at)) {
      const itemType = 'list' in node ? node.list : node.set;
      for (let index = at.length - 1; index >= 0; index -= 1) pending.push({ value: at[index] ?? null, type: itemType });
    } else if ('option' in node) {
      pending.push({ value: at, type: node.option });
    } else if ('map' in node) {
      const values = at instanceof Map ? [...at.values()] : isCborObject(at) ? Object.values(at) : [];
      for (const entry of values) pending.push({ value: entry, type: node.map.value });
    }
  }
  return refs;
}

/** A sys/SecretRef@1 value: params were canonicalised against their schema before anyone reads them. */
function refOf(value: CborValue): SecretRef {
  const alias = isCborObject(value) ? value.alias : undefined;
  const version = isCborObject(value) ? value.version : undefined;
  assert(typeof alias === 'string' && (typeof version === 'number' || typeof version === 'bigint'), 'a secret ref in checked params is a sys/SecretRef@1');
  return { alias, version: BigInt(version) };
}
