// The built-in sys/* catalog, shipped as data (spec/defs) and loaded through the same checks as any world.
import builtinCaps from './spec/defs/builtin-caps.air.json' with { type: 'json' };
import builtinEffects from './spec/defs/builtin-effects.air.json' with { type: 'json' };
import builtinModules from './spec/defs/builtin-modules.air.json' with { type: 'json' };
import builtinSchemasHost from './spec/defs/builtin-schemas-host.air.json' with { type: 'json' };
import builtinSchemasSdk from './spec/defs/builtin-schemas-sdk.air.json' with { type: 'json' };
import builtinSchemas from './spec/defs/builtin-schemas.air.json' with { type: 'json' };
import { AirError } from './errors.ts';
import { authoredNodes } from './authoring.ts';
import { checkStructure } from './structural.ts';
import { canonicalDef, sealNode } from './canonical-node.ts';
import type { CanonicalNode } from './canonical-node.ts';
import { DefIndex } from './def-index.ts';
import type { DefEntry } from './def-index.ts';
import type { AirWhere } from './errors.ts';
import type { Hash } from '../cbor/index.ts';
import { checkDef } from './check-defs.ts';
import type { Def } from './defs.ts';

const CATALOG_FILES: ReadonlyArray<readonly [string, unknown]> = [
  ['builtin-schemas.air.json', builtinSchemas], ['builtin-schemas-host.air.json', builtinSchemasHost],
  ['builtin-schemas-sdk.air.json', builtinSchemasSdk], ['builtin-effects.air.json', builtinEffects],
  ['builtin-caps.air.json', builtinCaps], ['builtin-modules.air.json', builtinModules],
];

/**
 * Upstream keeps the host schemas in their own file and an older copy of some of them in
 * builtin-schemas.air.json; the two agree except sys/HostCapParams@1, where the host file has
 * the newer, larger record (the fs limits). The host file is loaded later and wins.
 */
const HOST_SCHEMAS_FILE = 'builtin-schemas-host.air.json';

let catalog: DefIndex | undefined;

/**
 * Loads catalog files (sys/* defs only) into an index; a later host-schema file may supersede
 * older copies. `checked: false` skips the structure and semantic checks: only for the catalog
 * shipped inside this package, which the conformance tests load fully checked on every run
 * (it saves ~100 ms of every CLI start).
 */
export function loadCatalog(files: ReadonlyArray<readonly [string, unknown]>, checked = true): DefIndex {
  const index = new DefIndex();
  for (const [file, parsed] of files) {
    for (const node of authoredNodes(parsed, file)) {
      if (checked) checkStructure(node.kind, node.json, node.where);
      const entry = new CatalogEntry(canonicalDef(node.json as unknown as Def), node.where);
      const earlier = index.get(entry.def.$kind, entry.def.name);
      if (earlier !== undefined) {
        if (earlier.hash === entry.hash) continue;
        const earlierIsHost = (earlier.where.file ?? '').endsWith(HOST_SCHEMAS_FILE);
        if (!earlierIsHost && !file.endsWith(HOST_SCHEMAS_FILE)) {
          throw new AirError('DUPLICATE_NAME', node.where, `the catalog defines "${entry.def.name}" twice, differently`);
        }
        if (earlierIsHost) continue;
      }
      index.set(entry);
    }
  }
  if (!checked) return index;
  const errors: AirError[] = [];
  for (const entry of index.all()) checkDef(entry.def, entry.where, index, errors);
  if (errors.length > 0) throw new AirError('SCHEMA_VIOLATION', {}, `the catalog is inconsistent: ${errors[0]?.message ?? ''}`);
  return index;
}

/**
 * A catalog def whose canonical bytes and hash are computed when first read: a world uses a
 * few of the ~150 sys defs, and sealing all of them cost ~10 ms of every world open.
 */
class CatalogEntry implements DefEntry {
  readonly builtin = true;
  private sealed: CanonicalNode<Def> | undefined;

  constructor(readonly def: Def, readonly where: AirWhere) {}

  get hash(): Hash {
    this.sealed ??= sealNode(this.def);
    return this.sealed.hash;
  }

  get bytes(): Uint8Array {
    this.sealed ??= sealNode(this.def);
    return this.sealed.bytes;
  }
}

/** The built-in catalog as an index; every world sees it. Loaded once and checked like any world. */
export function builtinCatalog(): DefIndex {
  catalog ??= loadCatalog(CATALOG_FILES.map(([file, parsed]) => [`sys catalog ${file}`, parsed] as const), false);
  return catalog;
}
