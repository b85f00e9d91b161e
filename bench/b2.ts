// b2 (issue 5): a workflow emits blob.put, waits for its receipt, then emits the next, 1,000
// times in sequence, durably, through the real EffectExecutor and BlobAdapter, each receipt
// signed with ed25519. Durability is the node's own (embedded-world.ts receipts()): a blob.put
// starts once its intent is admitted (it only touches the store); the receipt groups admitted
// within one turn of the event loop (EXECUTOR_TURN_MS_MAX) are handed to the store's writer
// thread (sqlite-writer.ts), which commits them in one SQLite transaction, with the blobs and
// edge nodes they name, and makes them durable by an fdatasync of the WAL while the world steps
// on; the run ends when every receipt is durable. `durable_steps` counts the times the durable
// height moved during the steady chains (about one per write transaction).
// The executor signs in process with a key the world trusts, so admission checks that key
// instead of re-verifying (receipt-signature.ts); `aos audit verify` verifies every signature,
// timed below.
// Chains of 1,000 are measured in the same world. The first starts after 200 round trips that
// load the module, SQLite's cache and the sandbox: `first_round_trips_per_s`. V8 optimises a
// function only after it has run for a while (its interrupt budget), and most of ours run once
// per round trip, so that chain is still partly unoptimised. After 3,000 more, in the steady
// state a node reaches once it has run that many effects, three chains run one after another:
// `round_trips_per_s` is their median, `_min` and `_max` beside it. `machine_sha256_us` times a
// fixed piece of work around them, so a slow period of the machine shows beside the figures.
// Prints round trips per second, per-round-trip latency (between consecutive adapter starts),
// the time spent signing each receipt and inside the module sandbox per round trip (both
// measured in place, during the steady chains), verifying each receipt (the admission
// check, re-run over the journaled receipts after the run: the kernel is not instrumented), and
// the cost of a full offline audit of the journal.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobAdapter, ReceiptSigner } from '../src/adapters/index.ts';
import type { Adapter } from '../src/adapters/index.ts';
import { assert, decodeCanonical, encodeCanonical, hashBytes } from '../src/cbor/index.ts';
import { buildWorld, writeModuleHashes } from '../src/cli/build/index.ts';
import { checkReceiptSignature } from '../src/kernel/index.ts';
import type { ReceiptSigningFields, RecordBody } from '../src/kernel/index.ts';
import { auditWorld, EffectExecutor, EmbeddedWorld } from '../src/node/index.ts';
import { JsRuntime } from '../src/sandbox/index.ts';
import { EXECUTOR_TURN_MS_MAX } from '../src/node/limits.ts';
import { REPO_ROOT } from './paths.ts';
import type { BenchResult } from './report.ts';
import { median, rssMb, secondsSince } from './world-kit.ts';

/** Round trips measured, in one chain. */
const ROUND_TRIPS = 1_000;
/** Round trips run first in the same world, to load the module and warm SQLite's cache and the sandbox. */
const WARMUP_ROUND_TRIPS = 200;
/** Round trips run between the first measured chain and the steady ones, for V8 to finish optimising. */
const STEADY_WARMUP_ROUND_TRIPS = 3_000;
/** Steady chains measured one after another; the median is the figure, with the slowest and fastest beside it. */
const STEADY_CHAINS = 3;
/** sha256 digests of SHA256_CALIBRATION_BYTES per calibration window, and windows timed. */
const SHA256_CALIBRATION_DIGESTS = 2_000;
const SHA256_CALIBRATION_WINDOWS = 25;
const SHA256_CALIBRATION_BYTES = 256;
const MODULE = 'bench/Chain@1';

/** A signer that adds up the time it spends signing. */
class TimedSigner extends ReceiptSigner {
  signNs = 0n;
  signs = 0;
  override sign(fields: ReceiptSigningFields): Uint8Array {
    const started = process.hrtime.bigint();
    const signature = super.sign(fields);
    this.signNs += process.hrtime.bigint() - started;
    this.signs += 1;
    return signature;
  }
}

/**
 * Adds up the time spent in the module sandbox's steps (QuickJS, with its JSON edge). The world
 * builds its runtimes itself, so the bench wraps the runtime's step for this process only.
 */
function timeSandboxSteps(): { ns: bigint } {
  const timer = { ns: 0n };
  const step = JsRuntime.prototype.step;
  JsRuntime.prototype.step = function timedStep(this: JsRuntime, input: Uint8Array) {
    const started = process.hrtime.bigint();
    try {
      return step.call(this, input);
    } finally {
      timer.ns += process.hrtime.bigint() - started;
    }
  };
  return timer;
}

/** The blob adapter, noting when each execution starts (one per round trip). */
function timedAdapter(starts: bigint[]): Adapter {
  const blobs = new BlobAdapter();
  return { id: blobs.id, kinds: blobs.kinds, inStore: blobs.inStore, execute: (intent, context) => { starts.push(process.hrtime.bigint()); return blobs.execute(intent, context); } };
}

async function chain(world: EmbeddedWorld, executor: EffectExecutor, count: number): Promise<void> {
  world.send({ schema: 'bench/ChainStart@1', value: encodeCanonical({ count }, { selfDescribe: false }) });
  executor.dispatch();
  await executor.idle();
}

/**
 * The machine's speed at the moment, for reading the figures: µs per sha256 of 256 bytes
 * (node:crypto), the median of 25 short windows. The figures of this machine move with it
 * (other tenants of its host), by a third or more within the hour; a slow period shows here.
 */
function sha256WindowUs(): number {
  const input = new Uint8Array(SHA256_CALIBRATION_BYTES).fill(7);
  const windows: number[] = [];
  for (let window = 0; window < SHA256_CALIBRATION_WINDOWS; window += 1) {
    const started = process.hrtime.bigint();
    for (let digest = 0; digest < SHA256_CALIBRATION_DIGESTS; digest += 1) createHash('sha256').update(input).digest();
    windows.push(Number(process.hrtime.bigint() - started) / 1e3 / SHA256_CALIBRATION_DIGESTS);
  }
  return median(windows);
}

function percentileMs(sortedNs: readonly bigint[], fraction: number): number {
  const value = sortedNs[Math.min(sortedNs.length - 1, Math.floor(sortedNs.length * fraction))] ?? 0n;
  return Number(value) / 1e6;
}

/** Re-runs admission's signature check on every journaled receipt; returns µs per receipt. */
function verifyUs(world: EmbeddedWorld): { us: number; receipts: number } {
  const receipts = world.tail(0, 8_000, 'effect_receipt').map((record) => record.body as Extract<RecordBody, { kind: 'effect_receipt' }>);
  const trusted = world.trustedKeys();
  const started = process.hrtime.bigint();
  for (const body of receipts) {
    const check = checkReceiptSignature(trusted, {
      intent_hash: body.intent_hash, adapter_id: body.adapter_id, status: body.status, payload_hash: hashBytes(body.payload),
      cost_cents: body.cost_cents ?? null, usage: body.usage ?? null,
    }, body.signature);
    assert(check.ok, 'every journaled receipt verifies');
  }
  return { us: Number(process.hrtime.bigint() - started) / 1e3 / receipts.length, receipts: receipts.length };
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'aos-bench-b2-'));
  try {
    cpSync(join(REPO_ROOT, 'bench/worlds/b2-chain'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    writeModuleHashes(dir, (await buildWorld(dir)).modules);
    const steps = timeSandboxSteps();
    const signer = new TimedSigner('blob.default', generateKeyPairSync('ed25519').privateKey);
    const world = await EmbeddedWorld.create(dir, undefined, new Map([[signer.adapterId, [signer.publicKey]]]));
    const starts: bigint[] = [];
    let durableSteps = 0;
    world.onCommitted(() => { durableSteps += 1; });
    const executor = new EffectExecutor(world, [{ adapter: timedAdapter(starts), signer }]);
    try {
      await chain(world, executor, WARMUP_ROUND_TRIPS);
      const firstStarted = process.hrtime.bigint();
      await chain(world, executor, ROUND_TRIPS);
      const firstSeconds = secondsSince(firstStarted);
      await chain(world, executor, STEADY_WARMUP_ROUND_TRIPS);
      signer.signNs = 0n;
      signer.signs = 0;
      steps.ns = 0n;
      durableSteps = 0;
      const machineBefore = sha256WindowUs();
      const rates: number[] = [];
      const gaps: bigint[] = [];
      for (let steady = 0; steady < STEADY_CHAINS; steady += 1) {
        starts.length = 0;
        const started = process.hrtime.bigint();
        await chain(world, executor, ROUND_TRIPS);
        rates.push(Math.round(ROUND_TRIPS / secondsSince(started)));
        assert(starts.length === ROUND_TRIPS, 'one adapter run per round trip');
        gaps.push(...starts.slice(1).map((at, index) => at - (starts[index] ?? at)));
      }
      const stepNs = steps.ns;
      const machineUs = (machineBefore + sha256WindowUs()) / 2;
      gaps.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const total = WARMUP_ROUND_TRIPS + ROUND_TRIPS + STEADY_WARMUP_ROUND_TRIPS + STEADY_CHAINS * ROUND_TRIPS;
      const state = decodeCanonical(world.state(MODULE) ?? new Uint8Array()) as { ok: number; failed: number };
      assert(Number(state.ok) === total && Number(state.failed) === 0, 'every blob.put settled ok');
      assert(signer.signs === STEADY_CHAINS * ROUND_TRIPS, 'one signature per round trip');
      const verified = verifyUs(world);
      const auditStarted = process.hrtime.bigint();
      const audit = auditWorld(world);
      const auditMs = secondsSince(auditStarted) * 1e3;
      assert(audit.ok && audit.signatures_verified === total, 'the journal passes its audit');
      return {
        name: 'b2',
        metrics: {
          round_trips_per_s: median(rates),
          round_trips_per_s_min: Math.min(...rates),
          round_trips_per_s_max: Math.max(...rates),
          first_round_trips_per_s: Math.round(ROUND_TRIPS / firstSeconds),
          round_trip_p50_ms: percentileMs(gaps, 0.5),
          round_trip_p99_ms: percentileMs(gaps, 0.99),
          sign_us: Number((Number(signer.signNs) / 1e3 / signer.signs).toFixed(2)),
          step_us: Number((Number(stepNs) / 1e3 / (STEADY_CHAINS * ROUND_TRIPS)).toFixed(2)),
          verify_us: Number(verified.us.toFixed(2)),
          audit_ms: Number(auditMs.toFixed(1)),
          journal_records: audit.records,
          durable_steps: durableSteps,
          machine_sha256_us: Number(machineUs.toFixed(3)),
          rss_mb: rssMb(),
        },
        params: { round_trips: ROUND_TRIPS, warmup_round_trips: WARMUP_ROUND_TRIPS, steady_warmup_round_trips: STEADY_WARMUP_ROUND_TRIPS, steady_chains: STEADY_CHAINS, adapter: 'blob.default', durability: `a blob.put starts once its intent is admitted; receipt groups admitted within one ${EXECUTOR_TURN_MS_MAX} ms turn are committed in one sqlite transaction and fdatasync'd by the store's writer thread; the run ends when all are durable`, admission: 'in-process signer with a trusted key (vouched)', verify: 'signature check re-run over the journaled receipts' },
      };
    } finally {
      executor.close();
      world.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
