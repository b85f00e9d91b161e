import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

/** What one benchmark measured: snake_case metric names that end in their unit. */
export interface BenchResult {
  readonly name: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, unknown>>;
}

const RESULTS_DIR = join(REPO_ROOT, 'bench/results');

/** Prints a result for people and writes bench/results/<name>.json for machines. */
export function report(result: BenchResult): void {
  const record = { name: result.name, metrics: result.metrics, params: result.params, node: process.version };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${result.name}.json`), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`\n${result.name}`);
  for (const [metric, value] of Object.entries(result.metrics)) {
    console.log(`  ${metric.padEnd(32)} ${formatNumber(value)}`);
  }
  console.log(`  params ${JSON.stringify(result.params)}`);
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}
