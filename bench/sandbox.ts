// Sandbox throughput: warm steps of the SDK counter workflow (envelope in and out as
// canonical CBOR, state carried from step to step), the cost of a fresh context, and the
// raw wasm runtime's throughput on a hand-written WAT workflow.
import { join } from 'node:path';
import wabtInit from 'wabt';
import { encodeCanonical } from '../src/cbor/index.ts';
import { bundleModule } from '../src/cli/build/index.ts';
import { encodeWorkflowInput, loadModule } from '../src/sandbox/index.ts';
import type { ModuleRuntime } from '../src/sandbox/index.ts';
import { REPO_ROOT } from './paths.ts';
import type { BenchResult } from './report.ts';

const WARMUP_STEPS = 20_000;
const MEASURED_STEPS = 100_000;
const FRESH_CONTEXTS = 200;
const EVENT = { schema: 'demo/Increment@1', value: encodeCanonical({ by: 1 }, { selfDescribe: false }) };

const CONSTANT_WAT = `(module (memory (export "memory") 1) (global $next (mut i32) (i32.const 1024))
  (func (export "alloc") (param $len i32) (result i32) (local $at i32)
    (local.set $at (global.get $next)) (global.set $next (i32.add (global.get $next) (local.get $len)))
    (if (i32.gt_u (global.get $next) (i32.const 60000)) (then (global.set $next (i32.const 1024)))) (local.get $at))
  (func (export "step") (param i32 i32) (result i32 i32) (i32.const 16) (i32.const 9))
  (data (i32.const 16) "\\a1\\65state\\41\\01"))`;

function steps(runtime: ModuleRuntime, count: number): number {
  let state: Uint8Array | null = null;
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const result = runtime.step(encodeWorkflowInput({ state, event: EVENT }));
    if (result.kind !== 'ok') throw new Error(`bench step failed: ${JSON.stringify(result)}`);
    state = runtime.runtime === 'js' ? result.output.state : null;
  }
  return performance.now() - started;
}

export async function run(): Promise<BenchResult> {
  const counter = await bundleModule(join(REPO_ROOT, 'test/fixtures/modules/counter.ts'), { moduleName: 'demo/Counter@1' });
  const js = await loadModule(counter.bytes);
  steps(js, WARMUP_STEPS);
  const jsMs = steps(js, MEASURED_STEPS);
  const freshStarted = performance.now();
  for (let index = 0; index < FRESH_CONTEXTS; index += 1) js.recycle();
  const freshMs = performance.now() - freshStarted;
  const wabt = await wabtInit();
  const wat = wabt.parseWat('bench.wat', CONSTANT_WAT, { multi_value: true });
  const wasm = await loadModule(Uint8Array.from(wat.toBinary({}).buffer));
  wat.destroy();
  steps(wasm, WARMUP_STEPS);
  const wasmMs = steps(wasm, MEASURED_STEPS);
  return {
    name: 'sandbox',
    metrics: {
      js_warm_steps_per_s: Math.round(MEASURED_STEPS / (jsMs / 1000)),
      js_warm_step_us: (jsMs * 1000) / MEASURED_STEPS,
      js_fresh_context_us: (freshMs * 1000) / FRESH_CONTEXTS,
      wasm_steps_per_s: Math.round(MEASURED_STEPS / (wasmMs / 1000)),
      bundle_bytes: counter.bytes.length,
    },
    params: { steps: MEASURED_STEPS, warmup_steps: WARMUP_STEPS, fresh_contexts: FRESH_CONTEXTS, module: 'test/fixtures/modules/counter.ts' },
  };
}
