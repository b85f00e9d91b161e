// The node's long read-only jobs, as they run on a read-job thread (read-job-thread.ts): each
// opens the world in its folder read-only, beside the world's own thread (SQLite WAL lets a
// reader run beside the writer), and answers with a value the API sends as it is.
import { KernelError } from '../kernel/index.ts';
import { StoreError } from '../store/index.ts';
import { auditApprovals } from './audit-approvals.ts';
import type { ApprovalAuditReport } from './audit-approvals.ts';
import { auditWorld } from './audit.ts';
import type { AuditReport } from './audit.ts';
import { exportWorld } from './bundle-export.ts';
import type { ExportSummary } from './bundle-export.ts';
import { EmbeddedWorld, replayFailureOf } from './embedded-world.ts';
import type { ReplayDigest, ReplayFailure, ReplayStretch } from './embedded-world.ts';
import { NodeError } from './errors.ts';

/** A job and what it needs: plain data, since it crosses to the job's thread. */
export type ReadJob =
  /** `aos audit verify` (and `aos replay --verify`) of the world in `dir`. */
  | { readonly kind: 'audit'; readonly dir: string }
  /** `aos world export` of the world in `dir`, written to `file` (which the caller streams and removes). */
  | { readonly kind: 'export'; readonly dir: string; readonly file: string }
  /** The stretches of replay --verify that start at snapshots (EmbeddedWorld.verifyReplay), up to `headHeight`. */
  | { readonly kind: 'replay-stretches'; readonly dir: string; readonly stretches: readonly ReplayStretch[]; readonly headHeight: number };

export type ReplayOutcome = { readonly ok: true; readonly heights: number; readonly snapshots: number; readonly head: string | null } | { readonly ok: false; readonly message: string };

/** A world's audit as the node answers it: the reports the folder's audit makes, and the code a failed replay threw. */
export interface WorldAudit {
  readonly report: AuditReport;
  readonly approvals: ApprovalAuditReport;
  readonly replay: ReplayOutcome;
  readonly replay_code: string | null;
}

/** What each kind of job answers. */
export interface ReadJobValues {
  readonly audit: WorldAudit;
  readonly export: ExportSummary;
  /** The last stretch's digest, or how the replay failed (as data, so it comes back as the error it was). */
  readonly 'replay-stretches': { readonly digest: ReplayDigest | null } | { readonly failure: ReplayFailure };
}

/** Runs `job` on the calling thread. */
export function runJob(job: ReadJob): Promise<ReadJobValues[ReadJob['kind']]> {
  switch (job.kind) {
    case 'audit':
      return auditOf(job.dir);
    case 'export':
      return Promise.resolve(exportWorld(job.dir, job.file));
    case 'replay-stretches':
      return replayStretchesOf(job.dir, job.stretches, job.headHeight);
  }
}

async function replayStretchesOf(dir: string, stretches: readonly ReplayStretch[], headHeight: number): Promise<ReadJobValues['replay-stretches']> {
  try {
    return { digest: await EmbeddedWorld.replayStretches(dir, stretches, headHeight) };
  } catch (error) {
    const failure = replayFailureOf(error);
    if (failure === null) throw error;
    return { failure };
  }
}

/** The audit of the world in `dir` with its replay; a replay that fails is part of the answer, not an error. */
async function auditOf(dir: string): Promise<WorldAudit> {
  const world = await EmbeddedWorld.open(dir, { readOnly: true });
  try {
    const report = auditWorld(world);
    const approvals = auditApprovals(world.records());
    let replay: ReplayOutcome;
    let replayCode: string | null = null;
    try {
      replay = { ok: true, ...(await world.verifyReplay()) };
    } catch (error) {
      if (!(error instanceof KernelError || error instanceof NodeError || error instanceof StoreError)) throw error;
      replay = { ok: false, message: error.message };
      replayCode = error.code;
    }
    return { report, approvals, replay, replay_code: replayCode };
  } finally {
    world.close();
  }
}
