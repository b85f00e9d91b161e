// What the host adapter tests share: a temp tree with the node's session root, a work dir in
// it, a directory outside holding a sentinel file, a host adapter over that root, and a
// session opened on the work dir. Receipts are checked against their receipt schemas.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostAdapter } from '../../../../src/adapters/index.ts';
import type { AdapterOutcome } from '../../../../src/adapters/index.ts';
import type { ExecSandbox, NetworkMode } from '../../../../src/adapters/host/exec-sandbox.ts';
import { builtinCatalog } from '../../../../src/air/index.ts';
import type { CborObject, CborValue } from '../../../../src/cbor/index.ts';
import { checkedPayload, MemoryBlobs, testContext, testIntent } from '../../../support/adapter-fixture.ts';

/** The sentinel's bytes: a test that finds them changed, or sees them in a receipt, found an escape. */
export const SENTINEL_TEXT = 'SENTINEL: nothing may read or change this file\n';

export interface HostTree {
  /** The real path of the temp tree. */
  readonly root: string;
  /** The session's work dir (real path). */
  readonly workdir: string;
  /** A directory outside every session root, with sentinel.txt in it. */
  readonly outside: string;
  readonly adapter: HostAdapter;
  readonly blobs: MemoryBlobs;
  readonly sessionId: string;
  /** Runs `sys/<kind>@1` with `params` (session_id added unless given); returns the outcome status and the checked receipt. */
  run(kind: string, params: Record<string, CborValue>, signal?: AbortSignal): Promise<{ status: AdapterOutcome['status']; receipt: CborObject }>;
  /** Asserts the sentinel is unchanged and the outside dir holds nothing else. */
  assertOutsideUntouched(): Promise<void>;
  cleanup(): Promise<void>;
}

let intents = 0;

/** The receipt schema of a host effect, from the built-in catalog. */
export function receiptSchemaOf(kind: string): string {
  const entry = builtinCatalog().get('defeffect', `sys/${kind}@1`);
  assert.ok(entry !== undefined, kind);
  return entry.def.receipt_schema;
}

/** How a test tree is built; its session's network_mode is "none" unless `network` says otherwise. */
export interface HostTreeOptions {
  readonly envPassthrough?: string[];
  readonly execSandbox?: ExecSandbox;
  readonly patternDeadlineMs?: number;
  readonly network?: NetworkMode;
}

export async function hostTree(options: HostTreeOptions = {}): Promise<HostTree> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'aos-host-')));
  const sessions = join(root, 'sessions');
  const workdir = join(sessions, 'work');
  const outside = join(root, 'outside');
  await mkdir(workdir, { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'sentinel.txt'), SENTINEL_TEXT);
  const sentinelMtime = (await stat(join(outside, 'sentinel.txt'))).mtimeMs;
  const adapter = new HostAdapter({ roots: [sessions], envPassthrough: options.envPassthrough ?? ['PATH'], ...(options.execSandbox === undefined ? {} : { execSandbox: options.execSandbox }), ...(options.patternDeadlineMs === undefined ? {} : { patternDeadlineMs: options.patternDeadlineMs }) });
  const blobs = new MemoryBlobs();
  // One clock for the whole tree (1 µs per reading), so session TTLs see time pass between effects.
  let nowNs = 1_700_000_000_000_000_000n;
  const run = async (kind: string, params: Record<string, CborValue>, signal?: AbortSignal) => {
    const full = kind === 'host.session.open' || 'session_id' in params ? params : { session_id: sessionId, ...params };
    // Each call is a distinct intent: a distinct idempotency key (so each open is a new session).
    const intent = { ...testIntent(`sys/${kind}@1`, full), idempotency_key: Uint8Array.from({ length: 32 }, (_, index) => (index === 0 ? ++intents % 256 : index === 1 ? Math.floor(intents / 256) : 7)) };
    const outcome = await adapter.execute(intent, { ...testContext(blobs, signal), now: () => (nowNs += 1_000n) });
    return { status: outcome.status, receipt: checkedPayload(outcome, receiptSchemaOf(kind)) };
  };
  let sessionId = '';
  const opened = await run('host.session.open', { target: { $tag: 'local', $value: { workdir, network_mode: options.network ?? 'none' } }, session_ttl_ns: 3_600_000_000_000n });
  assert.equal(opened.status, 'ok', errorMessage(opened.receipt));
  sessionId = opened.receipt['session_id'] as string;
  return {
    root, workdir, outside, adapter, blobs, sessionId, run,
    async assertOutsideUntouched() {
      assert.deepEqual(await readdir(outside), ['sentinel.txt'], 'nothing was created outside the work dir');
      assert.equal(await readFile(join(outside, 'sentinel.txt'), 'utf8'), SENTINEL_TEXT, 'the sentinel is unchanged');
      assert.equal((await stat(join(outside, 'sentinel.txt'))).mtimeMs, sentinelMtime, 'the sentinel was not rewritten');
      assert.deepEqual((await readdir(root)).sort(), ['outside', 'sessions'], 'nothing was created next to the roots');
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** The text of an inline sys/HostOutput@1 / HostTextOutput@1. */
export function inlineText(output: CborValue | undefined): string {
  const value = output as CborObject;
  assert.equal(value['$tag'], 'inline_text', `expected inline text, got ${JSON.stringify(value?.['$tag'])}`);
  return (value['$value'] as CborObject)['text'] as string;
}

/** The message an error receipt carries, whatever field its schema puts it in. */
export function errorMessage(receipt: CborObject): string {
  const errors = receipt['errors'];
  const parts = [receipt['error_code'], receipt['error_message'], receipt['summary_text'], Array.isArray(errors) ? errors.join('; ') : null];
  return parts.filter((part) => typeof part === 'string').join(' | ');
}

export { skipWithoutSandbox } from '../../../support/exec-sandbox-probe.ts';
