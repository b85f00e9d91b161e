// `npm run bench -- <name>` runs bench/<name>.ts; `all` runs every benchmark in this folder.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { report } from './report.ts';
import type { BenchResult } from './report.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SKIP = new Set(['run.ts', 'report.ts', 'world-kit.ts', 'restore-probe.ts']);

function available(): string[] {
  return readdirSync(HERE).filter((file) => file.endsWith('.ts') && !SKIP.has(file)).map((file) => file.slice(0, -3)).sort();
}

async function runOne(name: string): Promise<void> {
  const module = (await import(pathToFileURL(`${HERE}/${name}.ts`).href)) as { run: () => Promise<BenchResult | BenchResult[]> };
  const results = await module.run();
  for (const result of Array.isArray(results) ? results : [results]) report(result);
}

const requested = process.argv[2];
const names = available();
if (requested === undefined || (requested !== 'all' && !names.includes(requested))) {
  console.error(`usage: npm run bench -- <${['all', ...names].join('|')}>`);
  process.exit(2);
}
for (const name of requested === 'all' ? names : [requested]) await runOne(name);
