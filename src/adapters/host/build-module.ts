// host.build_module (aos.agent/host.build_module@1, defined with the agent AIR): bundles a
// TypeScript module from a host session's work dir (module-bundler.ts) and stores the bundle in
// the world's CAS; its hash is the wasm_hash a defmodule names, so a governance proposal can add
// the module. It wraps the host adapter, whose sessions it reads: one route and one adapter_id
// (the node's host key) serve host.* and host.build_module alike. A module that does not bundle is an answer, not a
// failure of the node: an error receipt with error_code "build_failed" and esbuild's messages,
// which the agent reads and fixes.
import { stat } from 'node:fs/promises';
import { isCborObject } from '../../cbor/index.ts';
import type { CborObject, CborValue } from '../../cbor/index.ts';
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from '../adapter.ts';
import { AdapterError } from '../errors.ts';
import { HOST_BUILD_BUNDLE_BYTES_MAX, HOST_BUILD_MESSAGE_CHARS_MAX } from '../limits.ts';
import { confinePath } from './confine.ts';
import type { HostAdapter } from './host-adapter.ts';
import { bundleInWorkdir } from './module-bundler.ts';

/** The effect's def name (agent AIR: governance-tools.air.json). */
export const HOST_BUILD_MODULE_EFFECT = 'aos.agent/host.build_module@1';
/** Source files a module may be bundled from. */
const SOURCE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** Executes host.build_module in the sessions of `host`, and passes every other host effect to it. */
export class HostBuildAdapter implements Adapter {
  readonly id: string;
  readonly kinds: readonly string[];

  constructor(private readonly host: HostAdapter) {
    this.id = host.id;
    this.kinds = Object.freeze([...host.kinds, HOST_BUILD_MODULE_EFFECT]);
  }

  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    if (intent.effect_kind !== HOST_BUILD_MODULE_EFFECT) return this.host.execute(intent, context);
    const params = isCborObject(intent.params) ? intent.params : {};
    const sessionId = textOf(params, 'session_id');
    const entry = textOf(params, 'entry');
    const moduleName = textOf(params, 'module_name');
    if (sessionId === null || entry === null || moduleName === null) return failure('invalid_params', `the params of ${intent.effect_kind} need text session_id, entry and module_name`);
    try {
      const session = await this.host.liveSession(sessionId, context.now());
      const path = await confinePath(session.workdir, entry, 'entry');
      if (!path.exists) throw new AdapterError('HOST_NOT_FOUND', `entry ${JSON.stringify(entry)} does not exist in the work dir; write the module first`);
      if (!(await stat(path.absolute)).isFile()) throw new AdapterError('HOST_NOT_A_FILE', `entry ${JSON.stringify(entry)} is not a file`);
      if (!SOURCE_EXTENSIONS.some((extension) => path.absolute.endsWith(extension))) throw new AdapterError('HOST_INVALID_PATH', `entry ${JSON.stringify(entry)} is not a module source (${SOURCE_EXTENSIONS.join(', ')})`);
      const bundled = await bundleInWorkdir(session.workdir, path.absolute);
      if (!bundled.ok) return failure('build_failed', cap(`module ${moduleName} (${path.relative}) does not bundle:\n${bundled.messages.join('\n')}`));
      if (bundled.bytes.length > HOST_BUILD_BUNDLE_BYTES_MAX) return failure('too_large', `module ${moduleName} bundles to ${bundled.bytes.length} bytes, over HOST_BUILD_BUNDLE_BYTES_MAX (${HOST_BUILD_BUNDLE_BYTES_MAX})`);
      const hash = context.blobs.put(bundled.bytes);
      return { status: 'ok', payload: { status: 'ok', module_hash: hash, size_bytes: bundled.bytes.length, warnings: bundled.warnings.map(cap), error_code: null, error_message: null } };
    } catch (error) {
      if (error instanceof AdapterError && error.code.startsWith('HOST_')) return failure(error.code.slice('HOST_'.length).toLowerCase(), error.message);
      throw error;
    }
  }
}

function textOf(params: CborObject, name: string): string | null {
  const value: CborValue | undefined = params[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

function cap(text: string): string {
  return text.length > HOST_BUILD_MESSAGE_CHARS_MAX ? `${text.slice(0, HOST_BUILD_MESSAGE_CHARS_MAX)}…[cut at HOST_BUILD_MESSAGE_CHARS_MAX]` : text;
}

/** An error receipt of the effect's own receipt schema, as the host adapter's refusals are: the agent reads why. */
function failure(code: string, message: string): AdapterOutcome {
  return { status: 'error', payload: { status: 'error', module_hash: null, size_bytes: null, warnings: [], error_code: code, error_message: message } };
}
