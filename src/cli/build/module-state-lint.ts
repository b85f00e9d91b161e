// Warns when a module keeps mutable state at module level. Warm contexts are reused across
// steps, so such state carries over from one step to the next; replay stays exact only
// because contexts are recycled at deterministic points (DESIGN §5), and the state is lost
// at every recycle. The check reads each source after esbuild's transform, whose output puts
// top-level statements at column 0.
import { readFileSync } from 'node:fs';
import { extname, relative } from 'node:path';

const MUTABLE_BINDING = /^(?:export )?(let|var) (\w+)/;
const MUTABLE_CONTAINER = /^(?:export )?const (\w+) = (?:\/\* @__PURE__ \*\/ )?(?:new (?:Map|Set|WeakMap|WeakSet|Array)\b|\[|\{)/;
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.jsx': 'jsx' } as const;

/** Warnings for one source file, each naming the file, the line of the transformed code and the binding. */
export async function lintModuleState(file: string, root: string): Promise<string[]> {
  const loader = LOADERS[extname(file) as keyof typeof LOADERS];
  if (loader === undefined) return [];
  const { transform } = await import('esbuild');
  const { code } = await transform(readFileSync(file, 'utf8'), { loader, format: 'esm', target: 'es2022' });
  const warnings: string[] = [];
  const name = relative(root, file).split('\\').join('/');
  for (const line of code.split('\n')) {
    const binding = MUTABLE_BINDING.exec(line);
    if (binding !== null) {
      warnings.push(`${name}: module-level \`${binding[1]} ${binding[2]}\` can change between steps; keep state in the workflow's state instead (it is lost when the context is recycled)`);
      continue;
    }
    const container = MUTABLE_CONTAINER.exec(line);
    if (container !== null) {
      warnings.push(`${name}: module-level \`${container[1]}\` holds a mutable object that steps could change; keep state in the workflow's state, or freeze it if it is a constant table`);
    }
  }
  return warnings;
}
