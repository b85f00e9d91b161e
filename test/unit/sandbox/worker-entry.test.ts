// Goal: SandboxHost finds its worker both from sources (under tsx) and from the CLI bundle,
// and the bundled worker runs modules in plain Node, without tsx.
// Method: check the path selection for both layouts; bundle sandbox-worker.ts with the
// options of package.json "build" into a temp dir in node_modules/.cache, start it as a plain worker thread, and
// load and step the counter fixture through its messages.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { test } from 'node:test';
import { build } from 'esbuild';
import { decodeCanonical } from '../../../src/cbor/index.ts';
import { BUNDLED_WORKER_FILE, workerEntry } from '../../../src/sandbox/host/worker-entry.ts';
import type { WorkerRequest, WorkerResponse } from '../../../src/sandbox/host/messages.ts';
import type { WorkflowStepResult } from '../../../src/sandbox/index.ts';
import { fixtureBundle, stepInput } from './fixtures.ts';

test('from a bundle the worker is the bundled file beside it; from sources it is the .ts under tsx', () => {
  const bundled = workerEntry('file:///opt/agentos/dist/aos.js');
  assert.deepEqual(bundled, { kind: 'bundle', url: new URL(`file:///opt/agentos/dist/${BUNDLED_WORKER_FILE}`) });
  const source = workerEntry('file:///work/src/sandbox/host/sandbox-host.ts');
  assert.equal(source.kind, 'source');
  assert.equal(source.url.href, 'file:///work/src/sandbox/host/sandbox-worker.ts');
  assert.match(source.kind === 'source' ? source.boot : '', /tsx\/esm\/api.*sandbox-worker\.ts/);
});

test('the bundled worker loads and steps a module in plain Node', async () => {
  // Inside the checkout, so the bundle resolves its external packages from our node_modules.
  const cache = fileURLToPath(new URL('../../../node_modules/.cache/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const directory = mkdtempSync(join(cache, 'aos-worker-'));
  try {
    const entry = fileURLToPath(new URL('../../../src/sandbox/host/sandbox-worker.ts', import.meta.url));
    const outfile = join(directory, BUNDLED_WORKER_FILE);
    // The options of package.json "build".
    await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning', absWorkingDir: fileURLToPath(new URL('../../../', import.meta.url)) });
    const worker = new Worker(pathToFileURL(outfile), { execArgv: [] });
    try {
      assert.deepEqual(await new Promise((resolve) => worker.once('message', resolve)), { ready: true });
      const ask = (request: WorkerRequest) => new Promise<WorkerResponse>((resolve) => {
        worker.once('message', resolve);
        worker.postMessage(request);
      });
      const loaded = await ask({ id: 1, type: 'load', moduleId: 'counter', artifact: (await fixtureBundle('counter')).bytes, options: {} });
      assert.deepEqual(loaded, { id: 1, ok: true, value: { runtime: 'js', moduleKind: 'workflow' } });
      const stepped = await ask({ id: 2, type: 'step', moduleId: 'counter', input: stepInput({ count: 1 }, 'demo/Increment@1', { by: 2 }) });
      assert.ok(stepped.ok, JSON.stringify(stepped));
      const result = stepped.value as WorkflowStepResult; // the answer to a step request
      assert.ok(result.kind === 'ok', JSON.stringify(result));
      assert.deepEqual(decodeCanonical(result.output.state ?? new Uint8Array()), { count: 3 });
    } finally {
      await worker.terminate();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
