// Bundles a TypeScript module an agent wrote in its host work dir into the script the js runtime
// evaluates (host.build_module), with the esbuild options of `aos build` (module-bundle-options.ts),
// so a module gives the same bytes, and the same hash, built either way.
//
// What this adds for code the node did not write: every file the bundle reads lies inside the
// work dir or is the SDK's own source (a relative, absolute or package import that leaves the
// work dir fails the build, so a module cannot carry a file of the machine into the CAS; the
// SDK and the package sources it imports are the exception), Node
// built-ins are refused as in `aos build`, and the number of files read is bounded.
import { realpath } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, sep } from 'node:path';
import type { BuildFailure, BuildOptions, Plugin } from 'esbuild';
import { hashBytes } from '../../cbor/index.ts';
import type { Hash } from '../../cbor/index.ts';
import { HOST_BUILD_INPUTS_MAX } from '../limits.ts';
import { moduleBundleOptions, SDK_SPECIFIER } from '../module-bundle-options.ts';
import { packageRoot } from '../package-root.ts';
import { isInside } from './confine.ts';

const NODE_BUILTIN = new RegExp(`^(node:.*|${builtinModules.map((name) => name.replace(/[/]/g, '\\/')).join('|')})(/.*)?$`);

/** The outcome of one bundle: the script and its hash, or esbuild's messages. */
export type BundleOutcome =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly hash: Hash; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly messages: readonly string[] };

let sourceDirectory: string | undefined;

/** The installed package's src/ folder: the SDK and what it imports. */
function packageSources(): string {
  sourceDirectory ??= join(packageRoot(), 'src');
  return sourceDirectory;
}

/** esbuild plugin: Node built-ins refused, and no file read from outside `workdir` (the package's sources excepted). */
function confinement(workdir: string, sources: string): Plugin {
  let inputs = 0;
  return {
    name: 'host-build-confinement',
    setup(build) {
      build.onResolve({ filter: NODE_BUILTIN }, (args) => ({
        errors: [{ text: `${args.importer} imports "${args.path}", which cannot run in an AgentOS module (no I/O, no host objects). Do the I/O as an effect and handle its receipt; import only types with \`import type\`.` }],
      }));
      build.onLoad({ filter: /.*/ }, async (args) => {
        inputs += 1;
        if (inputs > HOST_BUILD_INPUTS_MAX) return { errors: [{ text: `the module reads more than ${HOST_BUILD_INPUTS_MAX} source files (HOST_BUILD_INPUTS_MAX); keep an agent's module small` }] };
        const real = await realpath(args.path);
        if (isInside(workdir, real) || isInside(sources, real)) return undefined;
        return { errors: [{ text: `the module imports a file outside the session's work dir (${args.path.startsWith(workdir) ? args.path.slice(workdir.length + 1) : 'a path elsewhere on this machine'}); keep every source file in the work dir and import the SDK as "${SDK_SPECIFIER}"` }] };
      });
    },
  };
}

function options(workdir: string, sources: string): BuildOptions {
  return {
    ...moduleBundleOptions(join(sources, 'sdk', 'index.ts')),
    plugins: [confinement(workdir, sources)],
    absWorkingDir: workdir,
  };
}

/** Bundles `entry` (a real path inside `workdir`, itself a real path). */
export async function bundleInWorkdir(workdir: string, entry: string): Promise<BundleOutcome> {
  const sources = packageSources();
  let result;
  try {
    // esbuild is loaded on first use, as `aos build` does: only builds pay for it.
    const { build } = await import('esbuild');
    result = await build({ ...options(workdir, sources), entryPoints: [entry] });
  } catch (error) {
    const failure = error as Partial<BuildFailure>;
    if (!Array.isArray(failure.errors)) throw error;
    return { ok: false, messages: failure.errors.map((message) => located(workdir, message.text, message.location?.file, message.location?.line)) };
  }
  const output = result.outputFiles?.[0];
  if (output === undefined) return { ok: false, messages: ['esbuild produced no output'] };
  const bytes = output.contents.slice();
  return { ok: true, bytes, hash: hashBytes(bytes), warnings: result.warnings.map((message) => located(workdir, message.text, message.location?.file, message.location?.line)) };
}

/** A message with its place, paths shown relative to the work dir (the machine's layout stays out of receipts). */
function located(workdir: string, text: string, file: string | undefined, line: number | undefined): string {
  const shown = (file ?? '').startsWith(workdir + sep) ? (file ?? '').slice(workdir.length + 1) : file;
  return `${shown === undefined || shown === '' ? '' : `${shown}${line === undefined ? '' : `:${line}`}: `}${text.replaceAll(workdir, '<workdir>')}`;
}
