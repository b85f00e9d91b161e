// Compact JSON text of parsed JSON data, keeping big integers exact. cbor's parseJsonExact
// reads integers beyond 2^53 as bigints; JSON.stringify refuses bigints, and Node 20 has no
// JSON.rawJSON, so the adapter writes such values itself. Key order is kept as given.
import { LLM_JSON_DEPTH_MAX } from './limits.ts';

/** JSON text, or why the value is not JSON data. */
type JsonTextResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

type Work = { readonly literal: string } | { readonly value: unknown; readonly depth: number };

/**
 * Writes JSON data (null, booleans, finite numbers, bigints, strings, arrays, plain objects)
 * as compact JSON text, without recursion: nesting deeper than LLM_JSON_DEPTH_MAX is refused.
 */
export function jsonText(root: unknown): JsonTextResult {
  const out: string[] = [];
  const pending: Work[] = [{ value: root, depth: 0 }];
  for (let work = pending.pop(); work !== undefined; work = pending.pop()) {
    if ('literal' in work) {
      out.push(work.literal);
      continue;
    }
    const { value, depth } = work;
    const scalar = scalarText(value);
    if (scalar !== null) {
      out.push(scalar);
      continue;
    }
    if (depth >= LLM_JSON_DEPTH_MAX) return { ok: false, reason: `it nests deeper than ${LLM_JSON_DEPTH_MAX} levels` };
    const children = childrenOf(value);
    if (children === null) return { ok: false, reason: `it holds a ${describe(value)}, which JSON cannot express` };
    pushContainer(pending, children, depth + 1);
  }
  return { ok: true, text: out.join('') };
}

/** Pushes a container's pieces in reverse, so they pop in writing order. */
function pushContainer(pending: Work[], children: Children, depth: number): void {
  const [open, close] = children.kind === 'array' ? ['[', ']'] : ['{', '}'];
  pending.push({ literal: close });
  for (let index = children.entries.length - 1; index >= 0; index--) {
    const [key, child] = children.entries[index] ?? ['', null];
    pending.push({ value: child, depth });
    if (children.kind === 'object') pending.push({ literal: `${JSON.stringify(key)}:` });
    if (index > 0) pending.push({ literal: ',' });
  }
  pending.push({ literal: open });
}

type Children = { readonly kind: 'array' | 'object'; readonly entries: ReadonlyArray<readonly [string, unknown]> };

function childrenOf(value: unknown): Children | null {
  if (Array.isArray(value)) return { kind: 'array', entries: value.map((item: unknown) => ['', item] as const) };
  if (typeof value !== 'object' || value === null) return null;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return null;
  return { kind: 'object', entries: Object.entries(value) };
}

function scalarText(value: unknown): string | null {
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
  return null;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return `non-finite number (${value})`;
  if (typeof value === 'object' && value !== null) return value.constructor.name;
  return typeof value;
}

/**
 * The same data as plain JSON.parse output, for request bodies the SDKs serialise with
 * JSON.stringify (which throws on bigints): integers beyond 2^53 become the nearest double,
 * as any JSON client would send them. Null when the value is not JSON data.
 */
export function plainJson(value: unknown): unknown {
  const written = jsonText(value);
  return written.ok ? JSON.parse(written.text) : null;
}
