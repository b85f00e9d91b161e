// Where a value walk is: the caller's location plus the JSON path below it, and how deep it is.
import type { SchemaResolver } from '../type-ast.ts';
import { AirError, childPath } from '../errors.ts';
import type { AirErrorCode, AirWhere } from '../errors.ts';
import { VALUE_DEPTH_MAX } from '../limits.ts';

/** One position in a value walk; errors raised there name `path`. */
export interface Site {
  readonly schemas: SchemaResolver;
  readonly where: AirWhere;
  readonly path: string;
  readonly depth: number;
}

/** The root of a walk: the path starts at `where.path`. */
export function rootSite(schemas: SchemaResolver, where: AirWhere): Site {
  return { schemas, where, path: where.path ?? '', depth: 0 };
}

/** The site of a child (`.field`, `["key"]` or `[3]`), one level deeper. */
export function childSite(site: Site, key: string | number): Site {
  return deeperSite({ ...site, path: childPath(site.path, key) });
}

/** The same path one level deeper: an option's inner value sits where the option is. */
export function deeperSite(site: Site): Site {
  if (site.depth >= VALUE_DEPTH_MAX) {
    fail(site, 'VALUE_TOO_DEEP', `the value nests deeper than ${VALUE_DEPTH_MAX} levels; ` +
      'its schema is recursive or deeper than any accepted schema (expand it with expandType first)');
  }
  return { ...site, depth: site.depth + 1 };
}

/** Throws an AirError located at the site. */
export function fail(site: Site, code: AirErrorCode, detail: string): never {
  throw new AirError(code, { ...site.where, path: site.path }, detail);
}
