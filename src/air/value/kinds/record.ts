// record: exactly the declared fields; a missing field of option type is none.
import { assert, isCborObject } from '../../../cbor/index.ts';
import type { CborValue } from '../../../cbor/index.ts';
import type { TypeAst } from '../../type-ast.ts';
import type { CompositeCodec, Lens, WriteChild } from '../composite-codec.ts';
import { isJsonObject, quote, setOwn, textKeyedObject } from '../json-shape.ts';
import { mismatch } from '../leaf-codec.ts';
import { childSite, fail } from '../site.ts';
import type { Site } from '../site.ts';
import { resolveNode } from '../type-node.ts';

type RecordNode = { readonly kind: 'record'; readonly fields: ReadonlyArray<readonly [string, TypeAst]> };

function expected(node: RecordNode): string {
  return node.fields.length === 0 ? 'a record with no fields: {}' : `a record with fields ${node.fields.map(([name]) => quote(name)).join(', ')}`;
}

// The declared field names of each record node, made once: nodes are kept per TypeAST (type-node.ts).
const declaredFields = new WeakMap<RecordNode, ReadonlySet<string>>();

function declaredOf(node: RecordNode): ReadonlySet<string> {
  let declared = declaredFields.get(node);
  if (declared === undefined) {
    declared = new Set(node.fields.map(([name]) => name));
    declaredFields.set(node, declared);
  }
  return declared;
}

/** Reads the fields of an object (JSON or CBOR data alike) through `child`. */
function readFields<V>(object: { readonly [key: string]: V }, node: RecordNode, site: Site, child: (value: V, type: TypeAst, site: Site) => CborValue): CborValue {
  const declared = declaredOf(node);
  for (const key of Object.keys(object)) {
    if (!declared.has(key)) fail(childSite(site, key), 'UNKNOWN_FIELD', `found the undeclared field ${quote(key)}; expected ${expected(node)}`);
  }
  const out: Record<string, CborValue> = {};
  for (const [name, type] of node.fields) {
    const at = childSite(site, name);
    const value = Object.hasOwn(object, name) ? object[name] : undefined;
    if (value !== undefined) setOwn(out, name, child(value, type, at));
    else if (resolveNode(type, at).kind === 'option') setOwn(out, name, null);
    else fail(at, 'MISSING_FIELD', `the field ${quote(name)} is missing; expected ${expected(node)} (only option fields may be left out)`);
  }
  return out;
}

function writeFields(value: CborValue, node: RecordNode, site: Site, lens: Lens, write: WriteChild): unknown {
  assert(isCborObject(value), 'a checked record is an object');
  const out: Record<string, unknown> = {};
  for (const [name, type] of node.fields) {
    assert(Object.hasOwn(value, name), 'a checked record has every declared field');
    const field = value[name];
    assert(field !== undefined, 'a checked record field is defined');
    setOwn(out, name, write(field, type, lens, childSite(site, name)));
  }
  return out;
}

export const record: CompositeCodec<RecordNode> = {
  canonicalTag: 'record',
  fromSugar(json, node, site, read) {
    if (!isJsonObject(json)) mismatch(site, json, expected(node));
    return readFields(json, node, site, read);
  },
  fromCanonical(body, node, site, read) {
    if (!isJsonObject(body)) mismatch(site, body, `{"record": {…}} to hold ${expected(node)}`);
    return readFields(body, node, site, read);
  },
  fromCbor(value, node, site, check) {
    const object = textKeyedObject(value);
    if (object === undefined) mismatch(site, value, expected(node));
    return readFields(object, node, site, check);
  },
  toSugar: (value, node, site, write) => writeFields(value, node, site, 'sugar', write),
  toCanonical: (value, node, site, write) => writeFields(value, node, site, 'canonical', write),
};
