// host.fs.apply_patch: a v4a patch (patch-parse.ts) applied to the session's work dir.
//
// All or nothing as far as the patch goes: every target path is confined, every file read and
// every chunk located before the first write, so a chunk that does not apply (or a path that
// escapes) leaves every file untouched. A dry run stops there and reports what would change.
// (A disk failing during the writes themselves can still leave part of them done.)
//
// Locating a chunk: its anchor line ("@@ anchor") first, searching forward from the previous
// chunk; then its expected lines, compared exactly, then ignoring trailing whitespace, then
// ignoring surrounding whitespace. A chunk with no expected lines inserts after its anchor,
// or at the end of the file.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assert, isHash } from '../../cbor/index.ts';
import type { CborObject } from '../../cbor/index.ts';
import type { AdapterContext } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { HOST_PATCH_BYTES_MAX, HOST_PATCH_FILES_MAX, HOST_WRITE_BYTES_MAX } from '../limits.ts';
import { confinePath } from './confine.ts';
import type { ConfinedPath } from './confine.ts';
import { optionalBool, optionalText, variantOf } from './host-params.ts';
import { parsePatch } from './patch-parse.ts';
import type { PatchChunk, PatchOp } from './patch-parse.ts';
import type { HostSession } from './sessions.ts';

/** The patch formats this adapter reads. */
export const PATCH_FORMATS: readonly string[] = ['v4a'];

/** What applying the patch will do, decided in full before anything is written. */
interface PatchPlan {
  readonly writes: Array<{ readonly target: ConfinedPath; readonly text: string }>;
  readonly deletes: ConfinedPath[];
  readonly changed: string[];
  readonly counts: { add: number; update: number; delete: number; move: number };
}

const COMPARISONS: ReadonlyArray<(line: string) => string> = [(line) => line, (line) => line.trimEnd(), (line) => line.trim()];

function seek(lines: readonly string[], wanted: readonly string[], from: number, atEnd: boolean): number {
  for (const compare of COMPARISONS) {
    if (atEnd) {
      const start = lines.length - wanted.length;
      if (start >= from && wanted.every((line, offset) => compare(lines[start + offset]!) === compare(line))) return start;
    }
    for (let start = from; start + wanted.length <= lines.length; start++) {
      if (wanted.every((line, offset) => compare(lines[start + offset]!) === compare(line))) return start;
    }
  }
  return -1;
}

/** The file's new text after its chunks; throws HOST_PATCH_CONFLICT naming the chunk that does not apply. */
export function applyChunks(text: string, chunks: readonly PatchChunk[], shown: string): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const replacements: Array<{ start: number; length: number; lines: readonly string[] }> = [];
  let cursor = 0;
  chunks.forEach((chunk, number) => {
    if (chunk.anchor !== null) {
      const found = seek(lines, [chunk.anchor], cursor, false);
      if (found === -1) throw new AdapterError('HOST_PATCH_CONFLICT', `chunk ${number + 1} of ${shown}: its anchor ${JSON.stringify(chunk.anchor)} was not found; nothing was written`);
      cursor = found + 1;
    }
    if (chunk.oldLines.length === 0) {
      const at = chunk.anchor !== null ? cursor : lines.length;
      replacements.push({ start: at, length: 0, lines: chunk.newLines });
      return;
    }
    const start = seek(lines, chunk.oldLines, cursor, chunk.atEndOfFile);
    if (start === -1) {
      throw new AdapterError('HOST_PATCH_CONFLICT', `chunk ${number + 1} of ${shown} does not apply: its lines starting ${JSON.stringify(chunk.oldLines[0]!.slice(0, 80))} were not found after line ${cursor}; nothing was written`);
    }
    replacements.push({ start, length: chunk.oldLines.length, lines: chunk.newLines });
    cursor = start + chunk.oldLines.length;
  });
  for (const replacement of [...replacements].reverse()) lines.splice(replacement.start, replacement.length, ...replacement.lines);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

async function readTarget(target: ConfinedPath): Promise<string> {
  if (!target.exists) throw new AdapterError('HOST_NOT_FOUND', `${target.relative} does not exist; the patch can only update or delete existing files; nothing was written`);
  const stats = await stat(target.absolute);
  if (!stats.isFile()) throw new AdapterError('HOST_NOT_A_FILE', `${target.relative} is not a regular file; nothing was written`);
  if (stats.size > HOST_WRITE_BYTES_MAX) throw new AdapterError('HOST_TOO_LARGE', `${target.relative} has ${stats.size} bytes, over the ${HOST_WRITE_BYTES_MAX}-byte cap of files a patch rewrites`);
  return readFile(target.absolute, 'utf8');
}

/** Confines every path and computes every new file; touches nothing. */
async function planPatch(session: HostSession, ops: readonly PatchOp[]): Promise<PatchPlan> {
  const plan: PatchPlan = { writes: [], deletes: [], changed: [], counts: { add: 0, update: 0, delete: 0, move: 0 } };
  const touched = new Set<string>();
  const claim = async (path: string, what: string): Promise<ConfinedPath> => {
    const target = await confinePath(session.workdir, path, what);
    if (touched.has(target.absolute)) throw new AdapterError('HOST_PATCH_INVALID', `the patch touches ${target.relative} twice; merge those changes into one section`);
    touched.add(target.absolute);
    plan.changed.push(target.relative);
    return target;
  };
  for (const op of ops) {
    if (op.kind === 'add') {
      const target = await claim(op.path, 'Add File path');
      if (target.exists) throw new AdapterError('HOST_EXISTS', `${target.relative} already exists; use "*** Update File:" to change it; nothing was written`);
      plan.writes.push({ target, text: op.lines.length === 0 ? '' : `${op.lines.join('\n')}\n` });
      plan.counts.add++;
    } else if (op.kind === 'delete') {
      const target = await claim(op.path, 'Delete File path');
      await readTarget(target);
      plan.deletes.push(target);
      plan.counts.delete++;
    } else {
      const source = await claim(op.path, 'Update File path');
      const original = await readTarget(source);
      // A pure rename (no chunks) keeps the bytes exactly, final newline or not.
      const text = op.chunks.length === 0 ? original : applyChunks(original, op.chunks, source.relative);
      if (op.moveTo === null) {
        plan.writes.push({ target: source, text });
      } else {
        const destination = await claim(op.moveTo, 'Move to path');
        if (destination.exists) throw new AdapterError('HOST_EXISTS', `move target ${destination.relative} already exists; nothing was written`);
        plan.writes.push({ target: destination, text });
        plan.deletes.push(source);
        plan.counts.move++;
      }
      plan.counts.update++;
    }
  }
  for (const write of plan.writes) {
    const size = Buffer.byteLength(write.text);
    if (size > HOST_WRITE_BYTES_MAX) throw new AdapterError('HOST_TOO_LARGE', `${write.target.relative} would have ${size} bytes, over the ${HOST_WRITE_BYTES_MAX}-byte cap`);
  }
  return plan;
}

function patchText(params: CborObject, context: AdapterContext): string {
  const patch = variantOf(params, 'patch');
  if (patch.tag === 'inline_text') {
    const text = patch.value['text'];
    assert(typeof text === 'string', 'checked inline_text is text');
    return text;
  }
  const ref = patch.value['blob_ref'];
  assert(patch.tag === 'blob_ref' && isHash(ref), 'sys/HostPatchInput@1 is inline_text or blob_ref');
  let bytes: Uint8Array;
  try {
    bytes = context.blobs.get(ref);
  } catch (error) {
    throw new AdapterError('HOST_NOT_FOUND', `patch blob ${ref} could not be read from the CAS (${error instanceof Error ? error.message : String(error)})`);
  }
  if (bytes.byteLength > HOST_PATCH_BYTES_MAX) throw new AdapterError('HOST_TOO_LARGE', `the patch has ${bytes.byteLength} bytes, over the ${HOST_PATCH_BYTES_MAX}-byte cap (HOST_PATCH_BYTES_MAX)`);
  return new TextDecoder().decode(bytes);
}

/** host.fs.apply_patch. */
export async function applyPatchEffect(session: HostSession, params: CborObject, context: AdapterContext): Promise<CborObject> {
  const format = optionalText(params, 'patch_format') ?? 'v4a';
  if (!PATCH_FORMATS.includes(format)) throw new AdapterError('HOST_UNSUPPORTED', `patch_format ${JSON.stringify(format)} is not supported; use "v4a"`);
  const text = patchText(params, context);
  if (Buffer.byteLength(text) > HOST_PATCH_BYTES_MAX) throw new AdapterError('HOST_TOO_LARGE', `the patch is over the ${HOST_PATCH_BYTES_MAX}-byte cap (HOST_PATCH_BYTES_MAX)`);
  const ops = parsePatch(text);
  if (ops.length > HOST_PATCH_FILES_MAX) throw new AdapterError('HOST_TOO_LARGE', `the patch has ${ops.length} file sections, over the ${HOST_PATCH_FILES_MAX} cap (HOST_PATCH_FILES_MAX)`);
  const plan = await planPatch(session, ops);
  const dryRun = optionalBool(params, 'dry_run') ?? false;
  if (!dryRun) {
    for (const write of plan.writes) {
      await mkdir(dirname(write.target.absolute), { recursive: true });
      await writeFile(write.target.absolute, write.text, 'utf8');
    }
    for (const target of plan.deletes) await rm(target.absolute);
  }
  const { add, update, delete: deleted, move } = plan.counts;
  const summary = `${dryRun ? 'dry run: would change' : 'changed'} ${plan.changed.length} path${plan.changed.length === 1 ? '' : 's'} (${add} added, ${update} updated, ${deleted} deleted, ${move} moved)`;
  return { status: 'ok', files_changed: plan.changed.length, changed_paths: plan.changed, ops: { add, update, delete: deleted, move }, summary_text: summary };
}
