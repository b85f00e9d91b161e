// Reading authored AIR JSON: exact numbers, comments removed, and one node per entry.
import { parseJsonExact } from '../cbor/index.ts';
import { AirError } from './errors.ts';
import type { AirWhere } from './errors.ts';
import { NODE_KINDS } from './defs.ts';
import type { NodeKind } from './defs.ts';
import { showJson } from './show-json.ts';
import { AIR_FILE_BYTES_MAX, AIR_NODES_PER_FILE_MAX } from './limits.ts';

/** One authored node before validation: its kind, the raw JSON and where it came from. */
export interface AuthoredNode {
  readonly kind: NodeKind;
  readonly json: Record<string, unknown>;
  readonly where: AirWhere;
}

/** Parses JSON text exactly (64-bit integers stay bigints) and says where it is broken. */
export function parseAirJson(text: string, file: string): unknown {
  if (text.length > AIR_FILE_BYTES_MAX) {
    throw new AirError('BAD_JSON', { file }, `file is ${text.length} bytes; AIR files are limited to ${AIR_FILE_BYTES_MAX}`);
  }
  try {
    return parseJsonExact(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AirError('BAD_JSON', { file }, `${detail}. Fix the JSON syntax (a linter such as \`node -e "JSON.parse(require('fs').readFileSync(0))" < file\` shows the spot)`, { cause: error });
  }
}

/** Removes `$comment` keys at every depth: authors annotate AIR with them; they are never part of a node. */
export function stripComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripComments);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key !== '$comment') out[key] = stripComments(child);
    }
    return out;
  }
  return value;
}

/** Splits a parsed file (one node or an array of nodes) into authored nodes with their locations. */
export function authoredNodes(parsed: unknown, file: string): AuthoredNode[] {
  const entries = Array.isArray(parsed) ? parsed : [parsed];
  if (entries.length > AIR_NODES_PER_FILE_MAX) {
    throw new AirError('BAD_JSON', { file }, `${entries.length} nodes in one file; the limit is ${AIR_NODES_PER_FILE_MAX}`);
  }
  return entries.map((entry, index) => {
    const path = Array.isArray(parsed) ? `[${index}]` : '';
    const where: AirWhere = { file, path };
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new AirError('UNKNOWN_KIND', where, `found ${describeJson(entry)}, expected an AIR node (an object with "$kind")`);
    }
    const json = stripComments(entry) as Record<string, unknown>;
    const kind = json.$kind;
    const name = typeof json.name === 'string' ? json.name : undefined;
    const named: AirWhere = name === undefined ? where : { ...where, def: name };
    if (typeof kind !== 'string' || !(NODE_KINDS as readonly string[]).includes(kind)) {
      throw new AirError('UNKNOWN_KIND', { ...named, path: `${path}.$kind` },
        `found ${kind === undefined ? 'no "$kind"' : `"$kind": ${showJson(kind)}`}, expected one of ${NODE_KINDS.join(', ')}`);
    }
    return { kind: kind as NodeKind, json, where: named };
  });
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
