// Picks the runtime for a module artifact (DESIGN §4): `defmodule.runtime` when given,
// otherwise the bytes decide: the wasm magic `\0asm` runs as wasm, anything else as JS.
import { SandboxError } from './errors.ts';
import { JsRuntime } from './js/js-runtime.ts';
import { loadQuickJs } from './js/quickjs.ts';
import type { QuickJSWASMModule } from './js/quickjs.ts';
import { MODULE_ARTIFACT_BYTES_MAX } from './limits.ts';
import { resolveModuleLimits } from './module-limits.ts';
import type { ModuleLimits } from './module-limits.ts';
import type { ModuleRuntime, RuntimeKind } from './runtime.ts';
import { WasmRuntime } from './wasm/wasm-runtime.ts';

/** How to load a module. */
export interface LoadModuleOptions {
  /** `defmodule.runtime`; when absent the artifact decides. */
  readonly runtime?: RuntimeKind;
  /** Per-module overrides of the default limits, within the hard maxima. */
  readonly limits?: Partial<ModuleLimits>;
  /** The module's name, used in messages. */
  readonly name?: string;
}

/** True when the bytes start with the wasm magic `\0asm`. */
export function isWasmBinary(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x00 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
}

/** Loads a module artifact into a warm runtime; module init runs now. */
export async function loadModule(artifact: Uint8Array, options: LoadModuleOptions = {}): Promise<ModuleRuntime> {
  return (await ModuleLoader.ready()).load(artifact, options);
}

/**
 * Loads modules synchronously once the process's QuickJS module is instantiated (~30 ms, once),
 * so a host can create a module's context only when its first step comes.
 */
export class ModuleLoader {
  private constructor(private readonly quickjs: QuickJSWASMModule) {}

  static async ready(): Promise<ModuleLoader> {
    return new ModuleLoader(await loadQuickJs());
  }

  load(artifact: Uint8Array, options: LoadModuleOptions = {}): ModuleRuntime {
    const name = options.name ?? 'module';
    if (artifact.length > MODULE_ARTIFACT_BYTES_MAX) {
      throw new SandboxError('MODULE_TOO_LARGE', `module ${name} is ${artifact.length} bytes; the limit is ${MODULE_ARTIFACT_BYTES_MAX}`);
    }
    const limits = resolveModuleLimits(options.limits);
    const runtime = options.runtime ?? (isWasmBinary(artifact) ? 'wasm' : 'js');
    if (runtime === 'wasm') return new WasmRuntime(artifact, limits, name);
    return JsRuntime.loadWith(this.quickjs, artifact, limits, name);
  }
}
