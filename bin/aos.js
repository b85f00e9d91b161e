#!/usr/bin/env node
// Runs the bundled CLI (dist/aos.js, made by `npm run build`); in a checkout without a build,
// runs the TypeScript sources through tsx instead.
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/aos.js', import.meta.url);
if (existsSync(bundled)) {
  await import(bundled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/run.ts', import.meta.url).href);
}
