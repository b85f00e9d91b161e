// The only file that imports quickjs-emscripten. We use the bellard release-sync variant
// (DESIGN §13): no asyncify, so a host call into QuickJS is a plain synchronous wasm call.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSSyncVariant, QuickJSWASMModule } from 'quickjs-emscripten';
import { Buffer } from 'node:buffer';
import { assert } from '../../cbor/index.ts';

export type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule };

let loading: Promise<QuickJSWASMModule> | undefined;

/**
 * The QuickJS wasm module of this process, instantiated once (about 30 ms) and shared by every
 * JsRuntime. The packages are imported here, on first use, so a process that never steps a
 * module (reading a world's state) never loads them.
 */
export function loadQuickJs(): Promise<QuickJSWASMModule> {
  loading ??= (async () => {
    // A namespace import: the package's CommonJS typings hide its default export from NodeNext;
    // under ESM the namespace's `default` is the variant (dist/index.mjs).
    const [releaseSync, { newQuickJSWASMModuleFromVariant }] = await Promise.all([import('@jitl/quickjs-wasmfile-release-sync'), import('quickjs-emscripten')]);
    return newQuickJSWASMModuleFromVariant((releaseSync as unknown as { readonly default: QuickJSSyncVariant }).default);
  })();
  return loading;
}

/**
 * Input texts up to this many UTF-8 bytes (with the terminating NUL) are written into one
 * buffer in wasm memory, shared by every TextCall of the module (calls run one at a time on
 * a thread); a longer text gets a buffer of its own for the call, so one large input never
 * pins wasm memory, which never shrinks.
 */
export const TEXT_CALL_BUFFER_BYTES = 16 * 1024;

/** The raw exports a TextCall uses: each is one wasm call (number-only cwraps are the exports). */
interface RawFfi {
  QTS_NewString(ctx: number, chars: number): number;
  QTS_GetString(ctx: number, value: number): number;
  QTS_FreeCString(ctx: number, chars: number): void;
  QTS_Call(ctx: number, fn: number, self: number, argc: number, argv: number): number;
  QTS_ResolveException(ctx: number, value: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
}

/** The emscripten module under the FFI. */
interface RawModule {
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

/** The context's memory helper: quickjs-emscripten-core 0.32 keeps it in `context.memory`. */
interface RawMemory {
  readonly ctx: { readonly value: number };
  readonly ffi: RawFfi;
  readonly module: RawModule;
  heapValueHandle(pointer: number): QuickJSHandle;
}

/**
 * Calls `fn(text, extra)` in one context and reads the string it returns, in seven raw wasm
 * calls. QuickJSContext's newString, callFunction and getString do the same work through
 * handle objects, pointer arrays and typed-array views made for each call: about 2 µs of a
 * 14 µs call here. This reads quickjs-emscripten-core's private `memory` field, so the
 * package is pinned exactly, and TextCall.open checks the field's shape.
 *
 * Texts cross as UTF-8 through a Buffer over wasm memory: the input is JSON the host wrote
 * from valid UTF-8, and QuickJS's JSON.stringify escapes lone surrogates, so both directions
 * are well-formed and every UTF-8 codec reads them alike.
 */
export class TextCall {
  private readonly context: number;
  private readonly undefinedValue: number;
  private readonly scratch: Scratch;

  private constructor(private readonly memory: RawMemory, undefinedValue: number) {
    this.context = memory.ctx.value;
    this.undefinedValue = undefinedValue;
    this.scratch = scratchOf(memory.module);
  }

  static open(context: QuickJSContext): TextCall {
    const memory = (context as unknown as { readonly memory: RawMemory }).memory;
    assert(typeof memory?.ctx?.value === 'number' && typeof memory.heapValueHandle === 'function', 'quickjs-emscripten-core keeps the context memory in `memory`');
    assert(typeof memory.ffi.QTS_Call === 'function' && typeof memory.module._malloc === 'function', 'the FFI has raw QTS_Call and _malloc');
    return new TextCall(memory, context.undefined.value as unknown as number);
  }

  /**
   * `fn(text, extra)` (`extra` undefined when null): the string it returned, or a handle to
   * what it threw, which the caller disposes. `text` must hold no NUL (JSON text never does).
   */
  call(fn: QuickJSHandle, text: string, extra: QuickJSHandle | null): string | QuickJSHandle {
    const { ffi, module } = this.memory;
    const { context, scratch } = this;
    const small = text.length * 3 + 1 <= TEXT_CALL_BUFFER_BYTES;
    const bytes = small ? TEXT_CALL_BUFFER_BYTES : Buffer.byteLength(text, 'utf8') + 1;
    const chars = small ? scratch.text : module._malloc(bytes);
    assert(chars !== 0, 'wasm memory has room for the input text');
    const heap = scratch.bytes();
    heap[chars + heap.write(text, chars, bytes - 1, 'utf8')] = 0;
    const textValue = ffi.QTS_NewString(context, chars);
    if (!small) module._free(chars);
    const words = scratch.words();
    words[scratch.argv >> 2] = textValue;
    words[(scratch.argv >> 2) + 1] = extra === null ? this.undefinedValue : (extra.value as unknown as number);
    const result = ffi.QTS_Call(context, fn.value as unknown as number, this.undefinedValue, 2, scratch.argv);
    ffi.QTS_FreeValuePointer(context, textValue);
    const thrown = ffi.QTS_ResolveException(context, result);
    if (thrown !== 0) {
      ffi.QTS_FreeValuePointer(context, result);
      return this.memory.heapValueHandle(thrown);
    }
    const answer = ffi.QTS_GetString(context, result);
    const view = scratch.bytes();
    const answerText = view.toString('utf8', answer, view.indexOf(0, answer));
    ffi.QTS_FreeCString(context, answer);
    ffi.QTS_FreeValuePointer(context, result);
    return answerText;
  }
}

/** What the TextCalls of one wasm module share: the argument array, the text buffer, and views of memory. */
class Scratch {
  readonly argv: number;
  readonly text: number;
  // Remade when memory grows: growing detaches the old buffer.
  private bytesView: Buffer | null = null;
  private wordsView: Int32Array | null = null;

  constructor(private readonly module: RawModule) {
    this.argv = module._malloc(8);
    this.text = module._malloc(TEXT_CALL_BUFFER_BYTES);
    assert(this.argv !== 0 && this.text !== 0, 'wasm memory has room for the TextCall scratch');
  }

  /** Wasm memory as a Buffer: its UTF-8 write and read are native, 2–3× faster than emscripten's for these texts. */
  bytes(): Buffer {
    const memory = this.module.HEAPU8.buffer;
    if (this.bytesView === null || this.bytesView.buffer !== memory) this.bytesView = Buffer.from(memory);
    return this.bytesView;
  }

  words(): Int32Array {
    const memory = this.module.HEAPU8.buffer;
    if (this.wordsView === null || this.wordsView.buffer !== memory) this.wordsView = new Int32Array(memory);
    return this.wordsView;
  }
}

/** Lives as long as the wasm module: the process's one QuickJS module (loadQuickJs). */
const scratches = new WeakMap<RawModule, Scratch>();

function scratchOf(module: RawModule): Scratch {
  let scratch = scratches.get(module);
  if (scratch === undefined) {
    scratch = new Scratch(module);
    scratches.set(module, scratch);
  }
  return scratch;
}
