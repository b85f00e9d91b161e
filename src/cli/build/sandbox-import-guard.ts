// Refuses Node built-ins in module code at build time (STYLE §2.1): nobody has to remember
// a rule that the build checks.
import { builtinModules } from 'node:module';
import type { Plugin } from 'esbuild';

const NODE_BUILTIN = new RegExp(`^(node:.*|${builtinModules.map((name) => name.replace(/[/]/g, '\\/')).join('|')})(/.*)?$`);

/** esbuild plugin: an import of a Node built-in fails the build with what to do instead. */
export const sandboxImportGuard: Plugin = {
  name: 'sandbox-import-guard',
  setup(build) {
    build.onResolve({ filter: NODE_BUILTIN }, (args) => ({
      errors: [{
        text: `${args.importer} imports "${args.path}", which cannot run in an AgentOS module (no I/O, no host objects: ` +
          'it would break determinism). Do the I/O as an effect (effect.http, effect.blobPut, …) and handle its receipt; ' +
          'import only types with `import type`.',
      }],
    }));
  },
};
