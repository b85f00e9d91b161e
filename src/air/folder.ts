// Reading AIR from disk: a world folder (`air/*.air.json` or `*.air.json`), single files, and imports.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { AirError } from './errors.ts';
import { builtinCatalog, loadCatalog } from './catalog.ts';
import { authoredNodes, parseAirJson } from './authoring.ts';
import { isSysName } from './defs.ts';
import { loadWorld } from './load-world.ts';
import type { AirDocument, AirLoadResult } from './load-world.ts';
import { AIR_FILES_PER_WORLD_MAX } from './limits.ts';
import type { DefIndex } from './def-index.ts';

const AIR_SUFFIX = '.air.json';

/** The AIR files of a path: the file itself, or a folder's `air/` subfolder (or the folder) `*.air.json`. */
export function airFilesOf(path: string): string[] {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new AirError('IO', { file: path }, 'no such file or folder');
  if (statSync(absolute).isFile()) return [absolute];
  const airDir = join(absolute, 'air');
  const dir = existsSync(airDir) && statSync(airDir).isDirectory() ? airDir : absolute;
  const files = readdirSync(dir).filter((name) => name.endsWith(AIR_SUFFIX)).sort().map((name) => join(dir, name));
  if (files.length === 0) throw new AirError('IO', { file: path }, `no ${AIR_SUFFIX} files here (looked in ${relative(process.cwd(), dir) || '.'}); a world keeps its AIR in air/*.air.json`);
  if (files.length > AIR_FILES_PER_WORLD_MAX) throw new AirError('IO', { file: path }, `${files.length} AIR files; the limit is ${AIR_FILES_PER_WORLD_MAX}`);
  return files;
}

/** Reads files as documents, naming each by its path relative to the working directory. */
export function readDocuments(files: readonly string[]): AirDocument[] {
  return files.map((file) => {
    try {
      return { file: relative(process.cwd(), file) || basename(file), text: readFileSync(file, 'utf8') };
    } catch (error) {
      throw new AirError('IO', { file }, `cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
}

/** Folders a world imports defs from: `air.imports[].dir` in its aos.sync.json, relative to the world. */
export function importsOf(worldDir: string): string[] {
  const syncFile = join(resolve(worldDir), 'aos.sync.json');
  if (!existsSync(syncFile)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(syncFile, 'utf8'));
  } catch (error) {
    throw new AirError('BAD_JSON', { file: syncFile }, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const imports = (parsed as { air?: { imports?: unknown } }).air?.imports;
  if (!Array.isArray(imports)) return [];
  return imports.flatMap((entry: unknown) => {
    const dir = (entry as { dir?: unknown }).dir;
    return typeof dir === 'string' ? [resolve(worldDir, dir)] : [];
  });
}

/** Loads one world path with its imports layered between the catalog and the world's own defs. */
export function loadWorldPath(path: string, extraImports: readonly string[] = []): AirLoadResult {
  let base: DefIndex = builtinCatalog();
  const isDir = existsSync(path) && statSync(path).isDirectory();
  const imports = [...(isDir ? importsOf(path) : []), ...extraImports];
  for (const dir of imports) {
    const imported = loadWorld(readDocuments(airFilesOf(dir)), { base });
    if (imported.world === null) return imported;
    base = base.fork();
    for (const entry of imported.world.own) base.set(entry);
  }
  const documents = readDocuments(airFilesOf(path));
  if (isCatalogFolder(documents)) return loadCatalogFolder(documents);
  return loadWorld(documents, { base });
}

/** A folder of nothing but sys/* defs (like spec/defs) is a catalog, checked as the catalog is. */
function isCatalogFolder(documents: readonly AirDocument[]): boolean {
  try {
    const nodes = documents.flatMap((document) => authoredNodes(parseAirJson(document.text, document.file), document.file));
    return nodes.length > 0 && nodes.every((node) => node.kind !== 'manifest' && typeof node.json.name === 'string' && isSysName(node.json.name));
  } catch (error) {
    if (error instanceof AirError) return false;
    throw error;
  }
}

function loadCatalogFolder(documents: readonly AirDocument[]): AirLoadResult {
  try {
    const index = loadCatalog(documents.map((document) => [document.file, parseAirJson(document.text, document.file)] as const));
    return { world: { manifest: null, index, own: [...index.all()], warnings: [] }, errors: [] };
  } catch (error) {
    if (error instanceof AirError) return { world: null, errors: [error] };
    throw error;
  }
}
