// host.fs.read_file, write_file, stat, exists and list_dir: single-path file operations, each
// on a path confined to the session's work dir (confine.ts) before it is touched.
import { mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assert, isHash } from '../../cbor/index.ts';
import type { CborObject } from '../../cbor/index.ts';
import type { AdapterContext } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { HOST_READ_BYTES_MAX, HOST_RESULTS_DEFAULT, HOST_RESULTS_MAX, HOST_WRITE_BYTES_MAX } from '../limits.ts';
import { confinePath, isMissing } from './confine.ts';
import { hostOutput, hostTextOutput, outputMode } from './host-output.ts';
import { optionalBool, optionalNat, optionalText, requiredText, resultCount, variantOf } from './host-params.ts';
import type { HostSession } from './sessions.ts';

/** Write modes of host.fs.write_file: replace the file, only create it, or append to it. */
const WRITE_MODES: readonly string[] = ['overwrite', 'create_new', 'append'];

function mtimeNs(stats: { mtimeMs: number }): bigint {
  return BigInt(Math.trunc(stats.mtimeMs * 1_000_000));
}

/** host.fs.read_file: a window of a file (offset_bytes, max_bytes), as text when UTF-8 and encoding is not "bytes". */
export async function readFileEffect(session: HostSession, params: CborObject, context: AdapterContext): Promise<CborObject> {
  const target = await confinePath(session.workdir, requiredText(params, 'path'), 'path');
  const mode = outputMode(optionalText(params, 'output_mode'));
  const encoding = optionalText(params, 'encoding') ?? 'utf8';
  if (!['utf8', 'utf-8', 'bytes'].includes(encoding)) throw new AdapterError('HOST_INVALID_PARAMS', `encoding ${JSON.stringify(encoding)} is not "utf8" or "bytes"`);
  if (!target.exists) throw new AdapterError('HOST_NOT_FOUND', `${target.relative} does not exist in the session's work dir`);
  const offset = optionalNat(params, 'offset_bytes') ?? 0n;
  const asked = optionalNat(params, 'max_bytes') ?? BigInt(HOST_READ_BYTES_MAX);
  const length = Number(asked > BigInt(HOST_READ_BYTES_MAX) ? BigInt(HOST_READ_BYTES_MAX) : asked);
  const handle = await open(target.absolute, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new AdapterError('HOST_NOT_A_FILE', `${target.relative} is not a regular file`);
    const start = offset > BigInt(stats.size) ? stats.size : Number(offset);
    const buffer = new Uint8Array(Math.min(length, stats.size - start));
    let read = 0;
    while (read < buffer.byteLength) {
      const { bytesRead } = await handle.read(buffer, read, buffer.byteLength - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const bytes = buffer.subarray(0, read);
    const content = hostOutput(bytes, mode, context.blobs, target.relative, encoding !== 'bytes');
    return { status: 'ok', content, truncated: start + read < stats.size, size_bytes: stats.size, mtime_ns: mtimeNs(stats) };
  } finally {
    await handle.close();
  }
}

/** The bytes a write_file content variant names (inline text, inline bytes, or a blob of the CAS). */
function contentBytes(params: CborObject, context: AdapterContext): Uint8Array {
  const content = variantOf(params, 'content');
  if (content.tag === 'inline_text') {
    const text = content.value['text'];
    assert(typeof text === 'string', 'checked inline_text is text');
    return new TextEncoder().encode(text);
  }
  if (content.tag === 'inline_bytes') {
    const bytes = content.value['bytes'];
    assert(bytes instanceof Uint8Array, 'checked inline_bytes are bytes');
    return bytes;
  }
  const ref = content.value['blob_ref'];
  assert(content.tag === 'blob_ref' && isHash(ref), 'sys/HostFileContentInput@1 is inline_text, inline_bytes or blob_ref');
  try {
    return context.blobs.get(ref);
  } catch (error) {
    throw new AdapterError('HOST_NOT_FOUND', `content blob ${ref} could not be read from the CAS (${error instanceof Error ? error.message : String(error)}); put it with blob.put first`);
  }
}

/** host.fs.write_file: writes the content (mode overwrite, create_new or append), creating parents when asked. */
export async function writeFileEffect(session: HostSession, params: CborObject, context: AdapterContext): Promise<CborObject> {
  const target = await confinePath(session.workdir, requiredText(params, 'path'), 'path');
  const mode = optionalText(params, 'mode') ?? 'overwrite';
  if (!WRITE_MODES.includes(mode)) throw new AdapterError('HOST_INVALID_PARAMS', `mode ${JSON.stringify(mode)} is not one of ${WRITE_MODES.join(', ')}`);
  const bytes = contentBytes(params, context);
  if (bytes.byteLength > HOST_WRITE_BYTES_MAX) throw new AdapterError('HOST_TOO_LARGE', `the content has ${bytes.byteLength} bytes, over the ${HOST_WRITE_BYTES_MAX}-byte cap (HOST_WRITE_BYTES_MAX)`);
  if (target.exists) {
    const stats = await stat(target.absolute);
    if (!stats.isFile()) throw new AdapterError('HOST_NOT_A_FILE', `${target.relative} exists and is not a regular file`);
    if (mode === 'create_new') throw new AdapterError('HOST_EXISTS', `${target.relative} already exists and mode is "create_new"; use "overwrite" or edit_file`);
  } else {
    await ensureParent(target.absolute, target.relative, optionalBool(params, 'create_parents') ?? false);
  }
  await writeFile(target.absolute, bytes, { flag: mode === 'append' ? 'a' : mode === 'create_new' ? 'wx' : 'w' });
  const after = await stat(target.absolute);
  return { status: 'ok', written_bytes: bytes.byteLength, created: !target.exists, new_mtime_ns: mtimeNs(after) };
}

/** Makes sure the parent directory of a new file exists (creating it only when allowed). */
export async function ensureParent(absolute: string, shown: string, create: boolean): Promise<void> {
  const parent = dirname(absolute);
  try {
    if (!(await stat(parent)).isDirectory()) throw new AdapterError('HOST_NOT_A_DIRECTORY', `the parent of ${shown} is not a directory`);
  } catch (error) {
    if (!isMissing(error)) throw error;
    if (!create) throw new AdapterError('HOST_NOT_FOUND', `the directory of ${shown} does not exist; pass create_parents: true to create it`);
    await mkdir(parent, { recursive: true });
  }
}

/** host.fs.stat: existence, kind, size and mtime (a missing path is an ok receipt with exists false). */
export async function statEffect(session: HostSession, params: CborObject): Promise<CborObject> {
  const target = await confinePath(session.workdir, requiredText(params, 'path'), 'path');
  if (!target.exists) return { status: 'ok', exists: false };
  const stats = await stat(target.absolute);
  return { status: 'ok', exists: true, is_dir: stats.isDirectory(), size_bytes: stats.size, mtime_ns: mtimeNs(stats) };
}

/** host.fs.exists. */
export async function existsEffect(session: HostSession, params: CborObject): Promise<CborObject> {
  const target = await confinePath(session.workdir, requiredText(params, 'path'), 'path');
  return { status: 'ok', exists: target.exists };
}

/** host.fs.list_dir: entries sorted by name, one a line, directories with a trailing "/". */
export async function listDirEffect(session: HostSession, params: CborObject, context: AdapterContext): Promise<CborObject> {
  const target = await confinePath(session.workdir, optionalText(params, 'path') ?? '.', 'path');
  const mode = outputMode(optionalText(params, 'output_mode'));
  const max = resultCount(params, HOST_RESULTS_DEFAULT, HOST_RESULTS_MAX);
  if (!target.exists) throw new AdapterError('HOST_NOT_FOUND', `${target.relative} does not exist in the session's work dir`);
  if (!(await stat(target.absolute)).isDirectory()) throw new AdapterError('HOST_NOT_A_DIRECTORY', `${target.relative} is not a directory`);
  const entries = await readdir(target.absolute, { withFileTypes: true });
  const names = entries.map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name)).sort();
  const shown = names.slice(0, max);
  return { status: 'ok', entries: hostTextOutput(shown.join('\n'), mode, context.blobs, 'the listing'), count: shown.length, truncated: names.length > max };
}
