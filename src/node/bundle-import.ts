// `aos world import` and `aos audit verify <bundle>`: a bundle is checked whole (bundle-verify.ts)
// before anything is written, then replayed in a staging folder (bundle-install.ts); an import
// moves the replayed world into place, an audit deletes it.
//
// A bundle vouches for itself: its receipts verify against keys its own journal trusts, so a
// forger who rebuilt a whole world with keys of their own passes every check. What ties it to
// the world you were given is a pin from outside the bundle: the head its sender saw (the audit
// root, `aos journal head` there), and the adapter keys you trust; an import refuses a bundle
// that misses either.
import { resolve } from 'node:path';
import type { Hash } from '../cbor/index.ts';
import type { ApprovalAuditReport } from './audit-approvals.ts';
import type { AuditReport } from './audit.ts';
import type { BundleWorld } from './bundle-format.ts';
import { installWorld, replayParts } from './bundle-install.ts';
import type { ReplayCheck } from './bundle-install.ts';
import type { ProgressListener } from './bundle-source.ts';
import { NodeError } from './errors.ts';
import { checkBundle, failUnlessSound, readBundleFile } from './bundle-verify.ts';

/** What an import or a bundle audit established. */
export interface BundleReport {
  readonly file: string;
  readonly world: BundleWorld;
  readonly sha256: Hash;
  readonly records: number;
  readonly objects: number;
  readonly trusted_keys: ReadonlyArray<readonly [string, readonly string[]]>;
  readonly principals: readonly string[];
  readonly journal: AuditReport;
  readonly approvals: ApprovalAuditReport;
  /** Null when the audits failed, so the bundle was not replayed. */
  readonly replay: ReplayCheck | null;
}

/** What an import must find besides a sound bundle: pins from outside it. */
export interface ImportPins {
  /** The journal must end at this head. */
  readonly head?: Hash;
  /** Every adapter key the journal trusts must be one of these key ids. */
  readonly trustedKeys?: readonly string[];
}

/** Imports the world of bundle `file` into folder `target`: everything is verified first; BUNDLE_INVALID / REPLAY_FAILED say what is wrong. */
export async function importBundle(file: string, target: string, onProgress?: ProgressListener, pins: ImportPins = {}): Promise<BundleReport> {
  const checked = checkBundle(readBundleFile(file), onProgress);
  failUnlessSound(checked);
  checkPins(checked, pins);
  const replay = await installWorld(resolve(target), checked.parts, [], onProgress);
  return reportOf(file, checked, replay);
}

/** Audits bundle `file` without importing it: structure, journal and approval audits, then (when they pass) a replay in a temporary folder. */
export async function auditBundle(file: string, onProgress?: ProgressListener): Promise<BundleReport> {
  const checked = checkBundle(readBundleFile(file), onProgress);
  const sound = checked.journal.ok && checked.approvals.ok;
  return reportOf(file, checked, sound ? await replayParts(checked.parts, onProgress) : null);
}

function checkPins(checked: ReturnType<typeof checkBundle>, pins: ImportPins): void {
  if (pins.head !== undefined && checked.journal.head !== pins.head) {
    throw unpinned(`the bundle's journal ends at ${checked.journal.head ?? 'no record'} (height ${checked.journal.records}), not at the pinned head ${pins.head}: it is not the world whose head you were given (an older or newer export, or another world)`);
  }
  if (pins.trustedKeys === undefined) return;
  const pinned = new Set(pins.trustedKeys);
  for (const [adapter, keys] of checked.header.trusted_keys) {
    const unknown = keys.find((key) => !pinned.has(key));
    if (unknown !== undefined) {
      throw unpinned(`the bundle's journal trusts key ${unknown} for adapter ${adapter}, which is not among the keys you pinned (${[...pinned].join(', ') || 'none'}): its receipts may be signed by anyone who made that key`);
    }
  }
}

function unpinned(what: string): NodeError {
  return new NodeError('BUNDLE_INVALID', `the bundle is sound but not the one pinned: ${what}`, 'check the head and the keys with whoever sent the bundle (`aos journal head` and `aos key ls` on their side); export again if their world moved on');
}

function reportOf(file: string, checked: ReturnType<typeof checkBundle>, replay: ReplayCheck | null): BundleReport {
  return {
    file, world: checked.header.world, sha256: checked.sha256, records: checked.header.records, objects: checked.header.objects.length,
    trusted_keys: checked.header.trusted_keys, principals: checked.header.principals, journal: checked.journal, approvals: checked.approvals, replay,
  };
}
