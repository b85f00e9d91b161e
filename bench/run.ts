// `npm run bench -- <name>` runs bench/<name>.ts; `all` runs every benchmark in this folder.
// Each benchmark is bundled with esbuild and run by plain Node in a process of its own, as the
// shipped `aos` runs: no TypeScript loader in the measured process (tsx alone adds ~30 MB of
// RSS and slows start-up), and no benchmark inherits another's heap or JIT state.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bundleBench } from './bundle.ts';
import { REPO_ROOT } from './paths.ts';

const HERE = join(REPO_ROOT, 'bench');
const SKIP = new Set(['run.ts', 'report.ts', 'world-kit.ts', 'paths.ts', 'bundle.ts', 'restore-probe.ts']);

function available(): string[] {
  return readdirSync(HERE).filter((file) => file.endsWith('.ts') && !SKIP.has(file)).map((file) => file.slice(0, -3)).sort();
}

async function runOne(name: string): Promise<void> {
  const code = `import { run } from './${name}.ts';\nimport { report } from './report.ts';\nconst results = await run();\nfor (const result of Array.isArray(results) ? results : [results]) report(result);\n`;
  const outfile = await bundleBench(name, { code });
  const child = spawnSync(process.execPath, [outfile], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`benchmark ${name} failed (exit ${child.status ?? child.signal})`);
}

const requested = process.argv[2];
const names = available();
if (requested === undefined || (requested !== 'all' && !names.includes(requested))) {
  console.error(`usage: npm run bench -- <${['all', ...names].join('|')}>`);
  process.exit(2);
}
for (const name of requested === 'all' ? names : [requested]) await runOne(name);
