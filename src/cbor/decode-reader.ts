// The cursor and the stack of open containers of the fast decoder (decoder.ts).
import { assert } from './assert.ts';

/** What a frame holds: nothing (the root, which receives the decoded item), an array, a text-keyed map as an object, or a map as a Map. */
export const FRAME_ROOT = 0;
export const FRAME_ARRAY = 1;
export const FRAME_OBJECT = 2;
export const FRAME_MAP = 3;

/** Placeholders for a frame's unused container slots; frozen, so writing to one by mistake throws. */
const NO_ITEMS: unknown[] = Object.freeze([]) as unknown as unknown[];
const NO_FIELDS: Record<string, unknown> = Object.freeze({});
const NO_ENTRIES: Map<unknown, unknown> = new Map();
const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY_BYTES.buffer);

/**
 * One open container. Frames are kept and reused from decode to decode (a chain as deep as the
 * deepest input so far, at most CBOR_DEPTH_MAX + 1), so opening a container allocates only the
 * container itself.
 */
export class Frame {
  kind = FRAME_ROOT;
  /** Items (arrays) or pairs (maps) still to read. */
  left = 0;
  items = NO_ITEMS;
  fields = NO_FIELDS;
  entries = NO_ENTRIES;
  /** In a map: the key of the value being read. */
  textKey = '';
  mapKey: unknown = undefined;
  /** Where the previous key's encoding starts and ends, for the order check; -1 before the first key. */
  keyStart = -1;
  keyEnd = -1;
  inner: Frame | null = null;
  /** Open containers, this one included; the root frame, which holds no container, is at 0. */
  readonly depth: number;
  readonly outer: Frame;

  constructor(outer: Frame | null) {
    this.outer = outer ?? this;
    this.depth = outer === null ? 0 : outer.depth + 1;
  }
}

/** A cursor over one input; one reader is reused by every decode that does not overlap another. */
export class Reader {
  data: Uint8Array = EMPTY_BYTES;
  view: DataView = EMPTY_VIEW;
  pos = 0;
  end = 0;
  /** Read every map as a Map, as cborg does once any map in the input has a key that is not text. */
  useMaps = false;
  /** The last value read (STEP_VALUE), then the root value (STEP_DONE). */
  value: unknown = undefined;
  readonly root = new Frame(null);
  top = this.root;

  open(kind: number, left: number): Frame {
    const frame = this.top.inner ?? new Frame(this.top);
    this.top.inner = frame;
    frame.kind = kind;
    frame.left = left;
    frame.keyStart = -1;
    this.top = frame;
    return frame;
  }

  /** Closes the innermost container and returns it, dropping the frame's references to it. */
  close(): unknown {
    const frame = this.top;
    const kind = frame.kind;
    assert(kind !== FRAME_ROOT, 'the root frame is never closed');
    const container = kind === FRAME_ARRAY ? frame.items : kind === FRAME_OBJECT ? frame.fields : frame.entries;
    frame.items = NO_ITEMS;
    frame.fields = NO_FIELDS;
    frame.entries = NO_ENTRIES;
    frame.mapKey = undefined;
    this.top = frame.outer;
    return container;
  }

  /** Forgets the input and anything half built from it, so nothing outlives the decode. */
  release(): void {
    while (this.top !== this.root) this.close();
    this.data = EMPTY_BYTES;
    this.view = EMPTY_VIEW;
    this.value = undefined;
  }
}
