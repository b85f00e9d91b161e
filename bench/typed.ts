// canonicalTyped before and after the typed-bytes checker, on the values every input carries:
// a small record (a counter's event or state) and a medium nested value (~0.7 KB). "Before" is
// the full path canonicalTyped used to take for every input: decode (strict, or without the
// re-encode comparison for js-sandbox output), check against the schema, encode.
import { decodeCanonical, decodeVerified, DEC128_TAG, encodeCanonical, Tagged, ZERO_HASH } from '../src/cbor/index.ts';
import type { CborValue } from '../src/cbor/index.ts';
import { DefIndex, encodeDec128, typedBytesChecker, valueFromCbor } from '../src/air/index.ts';
import type { TypeAst } from '../src/air/index.ts';
import { canonicalTyped } from '../src/kernel/typed-bytes.ts';
import type { BenchResult } from './report.ts';

const WARMUP_ITERATIONS = 20_000;
const MEASURE_MS = 1_000;

const SCHEMAS: Readonly<Record<string, TypeAst>> = {
  'bench/Cell@1': { record: { cell: { text: {} }, inc: { nat: {} } } },
  'bench/Order@1': {
    record: {
      id: { uuid: {} }, customer: { text: {} }, placed: { time: {} }, total: { dec128: {} }, note: { option: { text: {} } },
      tags: { set: { text: {} } }, status: { variant: { Open: { unit: {} }, Paid: { record: { at: { time: {} }, ref: { hash: {} } } }, Failed: { text: {} } } },
      lines: { list: { ref: 'bench/Line@1' } }, stock: { map: { key: { nat: {} }, value: { int: {} } } },
    },
  },
  'bench/Line@1': { record: { sku: { text: {} }, qty: { nat: {} }, price: { dec128: {} }, gift: { bool: {} } } },
};

function index(): DefIndex {
  const defs = new DefIndex();
  for (const [name, type] of Object.entries(SCHEMAS)) {
    defs.set({ def: { $kind: 'defschema', name, type }, hash: ZERO_HASH, bytes: new Uint8Array(), where: {}, builtin: false });
  }
  return defs;
}

function medium(): CborValue {
  const lines = Array.from({ length: 8 }, (_, line) => ({ sku: `sku-${1000 + line}`, qty: line + 1, price: new Tagged(DEC128_TAG, encodeDec128(`${line}.95`)), gift: line % 3 === 0 }));
  return {
    id: '7f1c6e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b', customer: 'ada@example.com', placed: 1_767_225_600_000_000_000n, total: new Tagged(DEC128_TAG, encodeDec128('123.45')),
    note: null, tags: ['express', 'gift', 'priority'], status: { $tag: 'Paid', $value: { at: 1_767_225_660_000_000_000n, ref: `sha256:${'ab'.repeat(32)}` } },
    lines, stock: new Map([[1, 40], [2, -3], [300, 7]]),
  };
}

/** Nanoseconds per call, after a warm-up. */
function nsPerCall(work: () => void): number {
  for (let i = 0; i < WARMUP_ITERATIONS; i += 1) work();
  let count = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(MEASURE_MS) * 1_000_000n;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < 500; i += 1) work();
    count += 500;
    now = process.hrtime.bigint();
  }
  return Number(now - started) / count;
}

function measure(label: string, schema: string, value: CborValue, defs: DefIndex): Record<string, number> {
  const ref: TypeAst = { ref: schema };
  const bytes = encodeCanonical(valueFromCbor(value, ref, defs, {}), { selfDescribe: false });
  const full = (decoded: CborValue) => encodeCanonical(valueFromCbor(decoded, ref, defs, { path: 'value' }), { selfDescribe: false });
  let sink = 0;
  const before = nsPerCall(() => { sink += full(decodeCanonical(bytes)).length; });
  const beforeSandbox = nsPerCall(() => { sink += full(decodeVerified(bytes)).length; });
  const check = nsPerCall(() => { sink += typedBytesChecker(ref, defs)(bytes) ? 1 : 0; });
  const after = nsPerCall(() => { sink += canonicalTyped(bytes, schema, defs, 'value').bytes.length; });
  const afterValue = nsPerCall(() => { sink += canonicalTyped(bytes, schema, defs, 'value').value === null ? 0 : 1; });
  if (sink === 0) throw new Error('nothing was measured');
  const round = (ns: number) => Math.round(ns);
  return {
    [`${label}_bytes`]: bytes.length,
    [`${label}_before_strict_ns`]: round(before),
    [`${label}_before_sandbox_ns`]: round(beforeSandbox),
    [`${label}_check_only_ns`]: round(check),
    [`${label}_after_ns`]: round(after),
    [`${label}_after_value_read_ns`]: round(afterValue),
    [`${label}_speedup_strict_x`]: Number((before / after).toFixed(1)),
  };
}

export async function run(): Promise<BenchResult> {
  const defs = index();
  return {
    name: 'typed',
    metrics: {
      ...measure('small', 'bench/Cell@1', { cell: 'counter-1', inc: 1 }, defs),
      ...measure('medium', 'bench/Order@1', medium(), defs),
    },
    params: { measure_ms: MEASURE_MS, warmup_iterations: WARMUP_ITERATIONS },
  };
}
