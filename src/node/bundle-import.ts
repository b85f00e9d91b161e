// `aos world import` and `aos audit verify <bundle>`: a bundle is checked whole (bundle-verify.ts)
// before anything is written, then replayed in a staging folder (bundle-install.ts); an import
// moves the replayed world into place, an audit deletes it.
import { resolve } from 'node:path';
import type { Hash } from '../cbor/index.ts';
import type { ApprovalAuditReport } from './audit-approvals.ts';
import type { AuditReport } from './audit.ts';
import type { BundleWorld } from './bundle-format.ts';
import { installWorld, replayParts } from './bundle-install.ts';
import type { ReplayCheck } from './bundle-install.ts';
import type { ProgressListener } from './bundle-source.ts';
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

/** Imports the world of bundle `file` into folder `target`: everything is verified first; BUNDLE_INVALID / REPLAY_FAILED say what is wrong. */
export async function importBundle(file: string, target: string, onProgress?: ProgressListener): Promise<BundleReport> {
  const checked = checkBundle(readBundleFile(file), onProgress);
  failUnlessSound(checked);
  const replay = await installWorld(resolve(target), checked.parts, [], onProgress);
  return reportOf(file, checked, replay);
}

/** Audits bundle `file` without importing it: structure, journal and approval audits, then (when they pass) a replay in a temporary folder. */
export async function auditBundle(file: string, onProgress?: ProgressListener): Promise<BundleReport> {
  const checked = checkBundle(readBundleFile(file), onProgress);
  const sound = checked.journal.ok && checked.approvals.ok;
  return reportOf(file, checked, sound ? await replayParts(checked.parts, onProgress) : null);
}

function reportOf(file: string, checked: ReturnType<typeof checkBundle>, replay: ReplayCheck | null): BundleReport {
  return {
    file, world: checked.header.world, sha256: checked.sha256, records: checked.header.records, objects: checked.header.objects.length,
    trusted_keys: checked.header.trusted_keys, principals: checked.header.principals, journal: checked.journal, approvals: checked.approvals, replay,
  };
}
