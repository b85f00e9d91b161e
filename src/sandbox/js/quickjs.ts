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
  QTS_GetArrayBuffer(ctx: number, value: number): number;
  QTS_GetArrayBufferLength(ctx: number, value: number): number;
  QTS_NewFunction(ctx: number, name: string, length: number, isConstructor: boolean, hostRefId: number): number;
  QTS_ArgvGetJSValueConstPointer(argv: number, index: number): number;
  QTS_Typeof(ctx: number, value: number): number;
  QTS_GetNull(): number;
  QTS_DupValuePointer(ctx: number, value: number): number;
  QTS_NewArrayBuffer(ctx: number, buffer: number, length: number): number;
  QTS_Throw(ctx: number, error: number): number;
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
    assert(typeof memory.ffi.QTS_Call === 'function' && typeof memory.ffi.QTS_GetArrayBuffer === 'function' && typeof memory.module._malloc === 'function', 'the FFI has raw QTS_Call, QTS_GetArrayBuffer and _malloc');
    return new TextCall(memory, context.undefined.value as unknown as number);
  }

  /**
   * `fn(text, extra)` (`extra` undefined when null): the string it returned, or a handle to
   * what it threw, which the caller disposes. `text` must hold no NUL (JSON text never does).
   */
  call(fn: QuickJSHandle, text: string, extra: QuickJSHandle | null): string | QuickJSHandle {
    const { ffi } = this.memory;
    const { context, scratch } = this;
    const textValue = newString(this.memory, scratch, text);
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
    const answerText = scratch.cString(answer);
    ffi.QTS_FreeCString(context, answer);
    ffi.QTS_FreeValuePointer(context, result);
    return answerText;
  }

  /**
   * `fn()`, which must return an ArrayBuffer and throw nothing: a copy of its bytes. Raw, as
   * call() is: callFunction and getArrayBuffer cost ~5 µs of handles and scopes for a step's
   * output bytes.
   */
  bytesCall(fn: QuickJSHandle): Uint8Array {
    const { ffi, module } = this.memory;
    const { context, scratch } = this;
    const result = ffi.QTS_Call(context, fn.value as unknown as number, this.undefinedValue, 0, scratch.argv);
    const thrown = ffi.QTS_ResolveException(context, result);
    assert(thrown === 0, 'a bytes call throws nothing');
    const length = ffi.QTS_GetArrayBufferLength(context, result);
    // A copy QuickJS made with malloc (zero bytes may come back as a null pointer).
    const copy = length === 0 ? 0 : ffi.QTS_GetArrayBuffer(context, result);
    assert(length === 0 || copy !== 0, 'a bytes call returns an ArrayBuffer');
    const bytes = length === 0 ? new Uint8Array(0) : module.HEAPU8.slice(copy, copy + length);
    if (copy !== 0) module._free(copy);
    ffi.QTS_FreeValuePointer(context, result);
    return bytes;
  }
}

/** A host function a module's prelude calls with one ArrayBuffer (`bytes`) or string (`text`): it returns text, bytes or null, or throws. */
export type HostNative =
  | { readonly name: string; readonly takes: 'bytes'; run(input: Uint8Array): string | Uint8Array | null }
  | { readonly name: string; readonly takes: 'text'; run(input: string): string | Uint8Array | null };

/** quickjs-emscripten-core 0.32's private parts the natives' fast path uses; checked by installHostFunctions. */
interface RawContextParts {
  readonly runtime: { readonly hostRefs: { put(value: unknown): number } };
  readonly cToHostCallbacks: { callFunction: (ctx: number, self: number, argc: number, argv: number, fnId: number) => number };
}

/**
 * Sets each native as a global function of the context. QuickJS calls a host function through
 * quickjs-emscripten's generic path: a scope, handles for `this` and every argument, and a
 * generator that could suspend (for its asyncify builds), ~14 µs a call amid a round trip here,
 * against ~3 µs of work for a receipt payload's decode. These functions are dispatched ahead of
 * that path, on raw pointers, as TextCall calls into QuickJS: the argument read as its bytes or
 * its UTF-8, the result made with one wasm call, a thrown error turned into a QuickJS error as
 * the generic path does. Other host functions of the context still take the generic path.
 */
export function installHostFunctions(context: QuickJSContext, natives: readonly HostNative[]): void {
  const memory = (context as unknown as { readonly memory: RawMemory }).memory;
  const parts = context as unknown as RawContextParts;
  assert(typeof parts.runtime?.hostRefs?.put === 'function' && typeof parts.cToHostCallbacks?.callFunction === 'function', 'quickjs-emscripten-core dispatches host calls through cToHostCallbacks');
  const { ffi, module } = memory;
  const ctx = memory.ctx.value;
  const scratch = scratchOf(module);
  const byId = new Map<number, HostNative>();
  for (const native of natives) {
    const id = parts.runtime.hostRefs.put(() => { throw new Error(`${native.name} runs on the fast path only`); });
    const handle = memory.heapValueHandle(ffi.QTS_NewFunction(ctx, native.name, 1, false, id));
    context.setProp(context.global, native.name, handle);
    handle.dispose();
    byId.set(id, native);
  }
  const generic = parts.cToHostCallbacks.callFunction;
  parts.cToHostCallbacks.callFunction = (callCtx, self, argc, argv, fnId) => {
    const native = byId.get(fnId);
    if (native === undefined || callCtx !== ctx) return generic(callCtx, self, argc, argv, fnId);
    try {
      if (argc < 1) throw new TypeError(`${native.name} takes one argument`);
      const argument = ffi.QTS_ArgvGetJSValueConstPointer(argv, 0);
      const result = native.takes === 'bytes' ? native.run(readBytes(argument, native.name)) : native.run(readText(argument, native.name));
      // Texts the natives return are JSON or hashes: no NUL.
      return result === null ? ffi.QTS_DupValuePointer(ctx, ffi.QTS_GetNull()) : typeof result === 'string' ? newString(memory, scratch, result) : newBytes(result);
    } catch (error) {
      const made = context.newError(error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) });
      const thrown = ffi.QTS_Throw(ctx, made.value as unknown as number);
      made.dispose();
      return thrown;
    }
  };

  function typeOf(value: number): string {
    const chars = ffi.QTS_Typeof(ctx, value);
    const type = scratch.cString(chars);
    module._free(chars);
    return type;
  }

  function readBytes(value: number, name: string): Uint8Array {
    if (typeOf(value) !== 'object') throw new TypeError(`${name} takes an ArrayBuffer`);
    const length = ffi.QTS_GetArrayBufferLength(ctx, value);
    if (length === 0) return new Uint8Array(0);
    const copy = ffi.QTS_GetArrayBuffer(ctx, value);
    if (copy === 0) throw new TypeError(`${name} takes an ArrayBuffer`);
    const bytes = module.HEAPU8.slice(copy, copy + length);
    module._free(copy);
    return bytes;
  }

  function readText(value: number, name: string): string {
    if (typeOf(value) !== 'string') throw new TypeError(`${name} takes a string`);
    const chars = ffi.QTS_GetString(ctx, value);
    const text = scratch.cString(chars);
    ffi.QTS_FreeCString(ctx, chars);
    return text;
  }

  // QTS_NewArrayBuffer takes the malloc'd copy over, as QuickJSContext.newArrayBuffer relies on.
  function newBytes(bytes: Uint8Array): number {
    const pointer = module._malloc(Math.max(1, bytes.length));
    assert(pointer !== 0, 'wasm memory has room for a native\'s bytes');
    module.HEAPU8.set(bytes, pointer);
    return ffi.QTS_NewArrayBuffer(ctx, pointer, bytes.length);
  }
}

/**
 * A new QuickJS string holding `text`, which has no NUL: written as UTF-8 into the module's shared
 * text buffer, or into a buffer of its own when it may not fit, so one long text never pins wasm
 * memory (which never shrinks).
 */
function newString(memory: RawMemory, scratch: Scratch, text: string): number {
  const { ffi, module } = memory;
  const small = text.length * 3 + 1 <= TEXT_CALL_BUFFER_BYTES;
  const bytes = small ? TEXT_CALL_BUFFER_BYTES : Buffer.byteLength(text, 'utf8') + 1;
  const chars = small ? scratch.text : module._malloc(bytes);
  assert(chars !== 0, 'wasm memory has room for the text');
  const heap = scratch.bytes();
  heap[chars + heap.write(text, chars, bytes - 1, 'utf8')] = 0;
  const value = ffi.QTS_NewString(memory.ctx.value, chars);
  if (!small) module._free(chars);
  return value;
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

  /** The NUL-terminated UTF-8 text at `pointer`. */
  cString(pointer: number): string {
    const view = this.bytes();
    return view.toString('utf8', pointer, view.indexOf(0, pointer));
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
