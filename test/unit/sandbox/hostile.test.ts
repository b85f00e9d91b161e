// Goal: every attack a hostile module can make ends in a typed failure with a clear message,
// and the runtime stays usable: the next ordinary step succeeds.
// Method: one hostile workflow (test/fixtures/modules/hostile/attacks.ts) names its attack
// in the event; each case steps it, checks the failure, then steps "ok".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadModule } from '../../../src/sandbox/index.ts';
import type { ModuleRuntime, StepFailure } from '../../../src/sandbox/index.ts';
import { fixtureBundle, stepInput } from './fixtures.ts';

type Expected = Partial<StepFailure> & { readonly pattern: RegExp };

const CASES: ReadonlyArray<readonly [string, Expected]> = [
  ['infinite_loop', { kind: 'over_limit', limit: 'fuel', pattern: /instruction budget of 20 ticks/ }],
  ['native_loop', { kind: 'over_limit', limit: 'fuel', pattern: /instruction budget/ }],
  ['memory_bomb', { kind: 'over_limit', limit: 'memory', pattern: /memory limit/ }],
  ['deep_recursion', { kind: 'over_limit', limit: 'stack', pattern: /stack limit/ }],
  ['big_output', { kind: 'over_limit', limit: 'output_bytes', pattern: /at most 1048576 are allowed/ }],
  ['many_effects', { kind: 'over_limit', limit: 'effects', pattern: /100 effects; at most 64/ }],
  ['many_events', { kind: 'over_limit', limit: 'events', pattern: /300 domain events; at most 256/ }],
  ['date', { kind: 'trapped', pattern: /DeterminismError: Date is unavailable in AgentOS modules: read ctx.now_ns/ }],
  ['math_random', { kind: 'trapped', pattern: /Math.random is unavailable.*seeded from ctx.entropy/ }],
  ['eval', { kind: 'trapped', pattern: /Compiling code at run time \(eval, Function\) is unavailable/ }],
  ['function_constructor', { kind: 'trapped', pattern: /Compiling code at run time \(eval, Function\) is unavailable/ }],
  ['process', { kind: 'trapped', pattern: /is unavailable|process is not defined: modules have no process/ }],
  ['require', { kind: 'trapped', pattern: /require is unavailable in AgentOS modules/ }],
  ['dynamic_import', { kind: 'trapped', pattern: /Promise jobs pending.*import\(\)/ }],
  ['webassembly', { kind: 'trapped', pattern: /'WebAssembly' is not defined: modules cannot compile code/ }],
  ['fetch', { kind: 'trapped', pattern: /fetch is unavailable.*http.request effect/ }],
  ['set_timeout', { kind: 'trapped', pattern: /setTimeout is unavailable.*timer.set effect/ }],
  ['write_global', { kind: 'trapped', pattern: /TypeError: .*(read-only|not extensible|leak)/ }],
  ['mutate_intrinsic', { kind: 'trapped', pattern: /TypeError: .*(read-only|push)/ }],
  ['async_step', { kind: 'trapped', pattern: /returned a Promise; steps are synchronous/ }],
  ['throw_string', { kind: 'trapped', pattern: /a bare string/ }],
  ['deliberate', { kind: 'failed', code: 'NOT_TODAY', pattern: /refuses on purpose/ }],
];

let runtime: ModuleRuntime | undefined;
async function hostile(): Promise<ModuleRuntime> {
  runtime ??= await loadModule((await fixtureBundle('hostile/attacks')).bytes, { limits: { fuelTicks: 20, memoryBytes: 32 * 1024 * 1024 } });
  return runtime;
}

function attack(module: ModuleRuntime, name: string, state = 0) {
  return module.step(stepInput(state, 'test/Attack@1', { attack: name }));
}

for (const [name, expected] of CASES) {
  test(`hostile: ${name} → ${expected.kind}${'limit' in expected ? ` ${expected.limit}` : ''}`, async () => {
    const module = await hostile();
    const result = attack(module, name);
    assert.notEqual(result.kind, 'ok', `${name} must fail`);
    if (result.kind === 'ok') return;
    assert.equal(result.kind, expected.kind, JSON.stringify(result));
    if ('limit' in expected) assert.equal('limit' in result ? result.limit : undefined, expected.limit);
    if ('code' in expected) assert.equal('code' in result ? result.code : undefined, expected.code);
    assert.match(result.message, expected.pattern);
    const after = attack(module, 'ok', 41);
    assert.equal(after.kind, 'ok', `the runtime is usable after ${name}: ${JSON.stringify(after)}`);
  });
}

test('hostile: the same attack fails the same way every time (deterministic failures)', async () => {
  const module = await hostile();
  const failures = ['infinite_loop', 'memory_bomb', 'deep_recursion', 'infinite_loop'].map((name) => JSON.stringify(attack(module, name)));
  assert.equal(failures[0], failures[3]);
});
