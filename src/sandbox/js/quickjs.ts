// The only file that imports quickjs-emscripten. We use the bellard release-sync variant
// (DESIGN §13): no asyncify, so a host call into QuickJS is a plain synchronous wasm call.
// A namespace import: the package's CommonJS typings hide its default export from NodeNext.
import * as releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSSyncVariant, QuickJSWASMModule } from 'quickjs-emscripten';

// Under ESM the namespace's `default` is the variant (dist/index.mjs); only the typings disagree.
const RELEASE_SYNC = (releaseSync as unknown as { readonly default: QuickJSSyncVariant }).default;

export type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule };

let loading: Promise<QuickJSWASMModule> | undefined;

/** The QuickJS wasm module of this process, instantiated once (about 30 ms) and shared by every JsRuntime. */
export function loadQuickJs(): Promise<QuickJSWASMModule> {
  loading ??= newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
  return loading;
}
