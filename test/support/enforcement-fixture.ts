// Builds manifests with grants, bindings, policies and secrets in memory (loaded and validated
// like any world), and effect requests to check against them, for the enforcement tests.
import { builtinCatalog, loadWorld, valueFromJson } from '../../src/air/index.ts';
import { encodeCanonical } from '../../src/cbor/index.ts';
import type { CborValue } from '../../src/cbor/index.ts';
import { compileManifest } from '../../src/kernel/index.ts';
import type { ManifestView, ModuleProvider } from '../../src/kernel/index.ts';
import type { CheckEnv, EffectRequest } from '../../src/kernel/authorize.ts';
import { BudgetLedger } from '../../src/kernel/budgets.ts';

/** The workflow whose effects the tests check: slots of two cap types. */
export const AGENT = 'app/Agent@1';

const BASE_DEFS = [
  { $kind: 'defschema', name: 'app/State@1', type: { record: { n: { nat: {} } } } },
  {
    $kind: 'defmodule', name: AGENT, module_kind: 'workflow',
    abi: { workflow: { state: 'app/State@1', event: 'app/State@1', effects_emitted: ['http.request', 'llm.generate', 'timer.set'], cap_slots: { default: 'http.out', net: 'http.out', store: 'blob', llm: 'llm.basic' } } },
  },
];

/** A world of the base defs plus `defs`, whose manifest has `manifest`'s sections; its compiled view. */
export function viewOf(defs: readonly object[], manifest: Record<string, unknown>): ManifestView {
  const text = JSON.stringify({
    $kind: 'manifest', air_version: '1', schemas: [{ name: 'app/State@1' }], modules: [{ name: AGENT }],
    effects: [{ name: 'sys/http.request@1' }, { name: 'sys/llm.generate@1' }, { name: 'sys/timer.set@1' }], caps: [], policies: [], ...manifest,
  });
  const loaded = loadWorld([{ file: 'defs.air.json', text: JSON.stringify([...BASE_DEFS, ...defs]) }, { file: 'manifest.air.json', text }], { base: builtinCatalog() });
  const world = loaded.world;
  if (world === null || world.manifest === null) throw new Error(loaded.errors.map((error) => error.message).join('\n'));
  return compileManifest(world.manifest.node, world.manifest.hash, world.index);
}

/** An effect of `kind` with `params` (AIR JSON, sugar lens) as the kernel hands it to the chain. */
export function requestOf(view: ManifestView, kind: string, params: unknown, options: { slot?: string; module?: string } = {}): EffectRequest {
  const def = view.effects.get(kind);
  if (def === undefined) throw new Error(`no effect ${kind}`);
  const value: CborValue = valueFromJson(params, { ref: def.params_schema }, view.index, {});
  return {
    kind, capType: def.cap_type, paramsSchema: def.params_schema, slot: options.slot, module: options.module ?? AGENT,
    params: { bytes: encodeCanonical(value, { selfDescribe: false }), value },
  };
}

const NO_MODULES: ModuleProvider = {
  runtime(module) {
    throw new Error(`no module runtime expected, asked for ${module.name}`);
  },
  recycleAll() {},
};

/** The check environment at `logicalNowNs`, with `modules` for module enforcers. */
export function envOf(view: ManifestView, logicalNowNs = 1_000n, modules: ModuleProvider = NO_MODULES): CheckEnv {
  return { authority: view.authority, budgets: new BudgetLedger(), modules, schemas: view.index, logicalNowNs, journalHeight: 7, manifestHash: view.hash };
}

/** http.request params to `url`. */
export function httpTo(url: string, method = 'GET'): Record<string, unknown> {
  return { method, url, headers: {}, body_ref: null };
}

/** A grant of sys/http.out@1 named `name` allowing `hosts`. */
export function httpGrant(name: string, hosts: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, cap: 'sys/http.out@1', params: { hosts }, ...extra };
}
