// `aos world fork`: a new world folder whose journal is a prefix of another world's, cut at an
// input boundary (a height where an input's records start, or the head) or just after a
// snapshot. It carries the CAS closure of that prefix, gets its own identity (a `lineage` meta
// entry naming where it came from and a fresh fork id), and is replayed from genesis and every
// snapshot before it is moved into place (bundle-install.ts). From then on it lives on its own:
// its next inputs get their own time and entropy, so it diverges from the source.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { assertNever, encodeCanonical } from '../cbor/index.ts';
import type { Hash } from '../cbor/index.ts';
import { openRecord } from '../kernel/index.ts';
import type { SealedRecord } from '../kernel/index.ts';
import type { JournalStore, SnapshotRef } from '../store/index.ts';
import { installWorld } from './bundle-install.ts';
import type { ReplayCheck } from './bundle-install.ts';
import { META_LINEAGE, openWorldSource, readWorldParts } from './bundle-source.ts';
import type { ProgressListener } from './bundle-source.ts';
import { NodeError } from './errors.ts';

/** Records looked at on each side of a refused fork height to name the nearest valid ones. */
const BOUNDARY_SCAN_RECORDS = 10_000;
/** Bytes of a fork's random id. */
const FORK_ID_BYTES = 16;

/** Where to cut: at a height (records below it are kept), after a snapshot, or (neither) at the head. */
export interface ForkPoint {
  readonly height?: number;
  readonly snapshot?: Hash;
}

/** What a fork made. */
export interface ForkSummary {
  readonly source: string;
  readonly target: string;
  /** Records kept: the fork's journal is the source's heights 0 … height - 1. */
  readonly height: number;
  readonly head: Hash;
  readonly fork_id: string;
  readonly objects: number;
  readonly replay: ReplayCheck;
}

/** Forks the world of folder `source` into folder `target` at `point`; FORK_INVALID says which heights are valid. */
export async function forkWorld(source: string, target: string, point: ForkPoint, onProgress?: ProgressListener): Promise<ForkSummary> {
  const from = openWorldSource(resolve(source));
  try {
    const next = from.world.journal.head()?.next_height ?? 0;
    const height = cutHeight(from.world.journal, from.world.snapshots.list(), next, point);
    const parts = readWorldParts(from.world, height, onProgress);
    const head = parts.records.at(-1)?.hash;
    if (head === undefined) throw new NodeError('FORK_INVALID', `${source} has an empty journal`, 'create the world first');
    const forkId = randomBytes(FORK_ID_BYTES).toString('hex');
    const lineage = encodeCanonical({ forked_from: resolve(source), height, head, fork_id: forkId });
    const replay = await installWorld(resolve(target), parts, [[META_LINEAGE, lineage]], onProgress);
    return { source: resolve(source), target: resolve(target), height, head, fork_id: forkId, objects: parts.objects.length, replay };
  } finally {
    from.store.close();
  }
}

function cutHeight(journal: JournalStore, snapshots: readonly SnapshotRef[], next: number, point: ForkPoint): number {
  if (point.height !== undefined && point.snapshot !== undefined) throw new NodeError('FORK_INVALID', 'both a height and a snapshot were given', 'pass one of --height or --snapshot');
  if (point.snapshot !== undefined) {
    const ref = snapshots.find((snapshot) => snapshot.hash === point.snapshot);
    if (ref === undefined) {
      throw new NodeError('FORK_INVALID', `the world has no snapshot ${point.snapshot}`, snapshots.length === 0 ? 'it has no snapshots: fork at a height instead' : `its snapshots: ${snapshots.map((snapshot) => `${snapshot.hash} (height ${snapshot.height})`).join(', ')}`);
    }
    return ref.height + 1;
  }
  if (point.height === undefined) return next;
  const height = point.height;
  if (!Number.isSafeInteger(height) || height < 1 || height > next) {
    throw new NodeError('FORK_INVALID', `height ${height} is outside the journal, which holds heights 0 to ${next - 1}`, `pass a height from 1 to ${next} (the number of records the fork keeps)`);
  }
  if (height === next || startsInput(recordAt(journal, height))) return height;
  const [below, above] = nearestBoundaries(journal, height, next);
  throw new NodeError('FORK_INVALID', `height ${height} is inside an input: the record there (${recordAt(journal, height).body.kind}) was produced by the input that starts below it, and a fork keeps whole inputs`,
    `fork at height ${below}${above === null ? '' : ` or ${above}`} (the nearest input boundaries), or at the head (${next}); \`aos journal tail\` shows where inputs start`);
}

/** True for a record that starts an input (an input's first record), as replay re-executes it. */
function startsInput(record: SealedRecord): boolean {
  const body = record.body;
  switch (body.kind) {
    case 'manifest': return record.height === 0;
    case 'domain_event': return body.origin.kind === 'ingress' && body.stamp !== undefined;
    case 'trusted_keys': case 'snapshot': case 'effect_receipt': case 'stream_frame': case 'approval': case 'receipt_rejected': case 'key_rotation': case 'governance': return true;
    // Derived records: a step of the input that started before them.
    case 'effect_intent': case 'cap_decision': case 'policy_decision': case 'budget_charge': case 'workflow_fault': return false;
    default: return assertNever(body, 'record kind');
  }
}

function nearestBoundaries(journal: JournalStore, height: number, next: number): [number, number | null] {
  let below = 1;
  for (let probe = height - 1; probe >= Math.max(1, height - BOUNDARY_SCAN_RECORDS); probe -= 1) {
    if (startsInput(recordAt(journal, probe))) { below = probe; break; }
  }
  for (let probe = height + 1; probe < Math.min(next, height + BOUNDARY_SCAN_RECORDS); probe += 1) {
    if (startsInput(recordAt(journal, probe))) return [below, probe];
  }
  return [below, next];
}

function recordAt(journal: JournalStore, height: number): SealedRecord {
  const entry = journal.entryAt(height);
  if (entry === null) throw new NodeError('FORK_INVALID', `the journal has no record at height ${height}`, 'pass a height below the journal head');
  return openRecord(entry.bytes, entry.height, entry.hash);
}
