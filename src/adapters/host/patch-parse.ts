// The v4a patch format (the one OpenAI's apply_patch tool emits), parsed into operations:
//
//   *** Begin Patch
//   *** Add File: path          then lines "+text" (the new file's lines)
//   *** Delete File: path
//   *** Update File: path
//   *** Move to: new/path       (optional, right after Update File)
//   @@ anchor                   (optional: a line to find first; "@@" alone starts a chunk)
//    context / -removed / +added lines
//   *** End of File             (optional: the chunk ends at the end of the file)
//   *** End Patch
//
// Parsing is a single pass over the lines, bounded by their number; a line it cannot place is
// an error naming its line number.
import { AdapterError } from '../errors.ts';

/** One chunk of an update: where to look (anchor), the lines it expects and what replaces them. */
export interface PatchChunk {
  readonly anchor: string | null;
  readonly oldLines: readonly string[];
  readonly newLines: readonly string[];
  readonly atEndOfFile: boolean;
}

export type PatchOp =
  | { readonly kind: 'add'; readonly path: string; readonly lines: readonly string[] }
  | { readonly kind: 'delete'; readonly path: string }
  | { readonly kind: 'update'; readonly path: string; readonly moveTo: string | null; readonly chunks: readonly PatchChunk[] };

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';
const ADD = '*** Add File: ';
const DELETE = '*** Delete File: ';
const UPDATE = '*** Update File: ';
const MOVE = '*** Move to: ';
const END_OF_FILE = '*** End of File';

function invalid(line: number, message: string): AdapterError {
  return new AdapterError('HOST_PATCH_INVALID', `patch line ${line}: ${message}`);
}

interface ChunkBuilder { anchor: string | null; oldLines: string[]; newLines: string[]; atEndOfFile: boolean }

/** Parses a whole v4a patch; throws HOST_PATCH_INVALID naming the first line it cannot read. */
export function parsePatch(text: string): PatchOp[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0 || lines[0]!.trim() !== BEGIN) throw invalid(1, `a v4a patch starts with "${BEGIN}"`);
  if (lines[lines.length - 1]!.trim() !== END) throw invalid(lines.length, `a v4a patch ends with "${END}"`);
  const ops: PatchOp[] = [];
  let index = 1;
  while (index < lines.length - 1) {
    const line = lines[index]!;
    const number = index + 1;
    if (line.startsWith(ADD)) {
      const added: string[] = [];
      index++;
      while (index < lines.length - 1 && !lines[index]!.startsWith('*** ')) {
        if (!lines[index]!.startsWith('+')) throw invalid(index + 1, 'every line of an added file starts with "+"');
        added.push(lines[index]!.slice(1));
        index++;
      }
      ops.push({ kind: 'add', path: pathOf(line, ADD, number), lines: added });
    } else if (line.startsWith(DELETE)) {
      ops.push({ kind: 'delete', path: pathOf(line, DELETE, number) });
      index++;
    } else if (line.startsWith(UPDATE)) {
      const path = pathOf(line, UPDATE, number);
      index++;
      let moveTo: string | null = null;
      if (index < lines.length - 1 && lines[index]!.startsWith(MOVE)) {
        moveTo = pathOf(lines[index]!, MOVE, index + 1);
        index++;
      }
      const parsed = parseChunks(lines, index, number);
      index = parsed.next;
      if (parsed.chunks.length === 0 && moveTo === null) throw invalid(number, `the update of ${path} has no changes`);
      ops.push({ kind: 'update', path, moveTo, chunks: parsed.chunks });
    } else {
      throw invalid(number, `expected "${ADD}", "${DELETE}" or "${UPDATE}", found ${JSON.stringify(line.slice(0, 80))}`);
    }
  }
  if (ops.length === 0) throw invalid(1, 'the patch changes no file');
  return ops;
}

function pathOf(line: string, prefix: string, number: number): string {
  const path = line.slice(prefix.length).trim();
  if (path === '') throw invalid(number, `"${prefix.trim()}" names no path`);
  return path;
}

/** The chunks of one Update File section, up to the next "*** " header. */
function parseChunks(lines: readonly string[], start: number, header: number): { chunks: PatchChunk[]; next: number } {
  const chunks: PatchChunk[] = [];
  let current: ChunkBuilder | null = null;
  let index = start;
  const close = (): void => {
    if (current !== null && (current.oldLines.length > 0 || current.newLines.length > 0)) chunks.push(current);
    current = null;
  };
  for (; index < lines.length - 1; index++) {
    const line = lines[index]!;
    if (line.trim() === END_OF_FILE) {
      if (current === null) throw invalid(index + 1, `"${END_OF_FILE}" outside a chunk`);
      (current as ChunkBuilder).atEndOfFile = true;
      close();
      continue;
    }
    if (line.startsWith('*** ')) break;
    if (line.startsWith('@@')) {
      close();
      const anchor = line.slice(2).trim();
      current = { anchor: anchor === '' ? null : anchor, oldLines: [], newLines: [], atEndOfFile: false };
      continue;
    }
    // The first chunk of a section may start without "@@".
    if (current === null) {
      if (chunks.length > 0) throw invalid(index + 1, 'a chunk after the first starts with "@@"');
      current = { anchor: null, oldLines: [], newLines: [], atEndOfFile: false };
    }
    const chunk: ChunkBuilder = current;
    const marker = line.charAt(0);
    const body = line.slice(1);
    if (line === '') {
      // An empty line inside a chunk is an empty context line whose leading space was stripped.
      chunk.oldLines.push('');
      chunk.newLines.push('');
    } else if (marker === ' ') {
      chunk.oldLines.push(body);
      chunk.newLines.push(body);
    } else if (marker === '-') {
      chunk.oldLines.push(body);
    } else if (marker === '+') {
      chunk.newLines.push(body);
    } else {
      throw invalid(index + 1, `a chunk line starts with " ", "-" or "+" (in the update at line ${header}), found ${JSON.stringify(line.slice(0, 80))}`);
    }
  }
  close();
  return { chunks, next: index };
}
