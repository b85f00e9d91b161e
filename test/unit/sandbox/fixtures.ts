// Shared by the sandbox tests: bundles fixture modules (once per process) and builds envelopes.
import { fileURLToPath } from 'node:url';
import { encodeCanonical } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { bundleModule } from '../../../src/cli/build/index.ts';
import type { BundledModule } from '../../../src/cli/build/index.ts';
import { encodeWorkflowInput } from '../../../src/sandbox/index.ts';

const bundles = new Map<string, Promise<BundledModule>>();

/** The bundle of test/fixtures/modules/<name>.ts. */
export function fixtureBundle(name: string): Promise<BundledModule> {
  let bundle = bundles.get(name);
  if (bundle === undefined) {
    bundle = bundleModule(fixturePath(name), { moduleName: `test/${name}@1` });
    bundles.set(name, bundle);
  }
  return bundle;
}

/** Absolute path of a fixture module source. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/modules/${name}.ts`, import.meta.url));
}

/** Canonical CBOR without the self-describe prefix, as inside envelopes. */
export function inner(value: CborValue): Uint8Array {
  return encodeCanonical(value, { selfDescribe: false });
}

/** A workflow input envelope for `value` under `schema`. */
export function stepInput(state: CborValue, schema: string, value: CborValue, ctx?: CborValue): Uint8Array {
  return encodeWorkflowInput({
    state: state === null ? null : inner(state),
    event: { schema, value: inner(value) },
    ...(ctx === undefined ? {} : { ctx: inner(ctx) }),
  });
}

/** A sys/WorkflowContext@1 value with the given entropy byte. */
export function workflowContext(entropyByte: number): CborValue {
  return {
    now_ns: 1_700_000_000_000_000_000n,
    logical_now_ns: 5,
    journal_height: 7,
    entropy: new Uint8Array(64).fill(entropyByte),
    event_hash: `sha256:${'1'.repeat(64)}`,
    manifest_hash: `sha256:${'2'.repeat(64)}`,
    workflow: 'test/Random@1',
    key: null,
    cell_mode: false,
  };
}
