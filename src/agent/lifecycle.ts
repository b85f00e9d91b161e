// The session lifecycle (upstream-agent.md §1.2). One SessionLifecycle@1 value carries both the
// session and its current run: Running/WaitingInput/Paused/Cancelling mean a run is active;
// Idle and the terminal Completed/Failed/Cancelled mean none is, and the next RunRequested opens
// one on the same session, whose transcript carries over (the session outlives its runs).
import { refuse } from './failure.ts';
import type { LifecycleTag } from './types.ts';

const ALLOWED: Readonly<Record<LifecycleTag, readonly LifecycleTag[]>> = Object.freeze({
  Idle: ['Running'],
  Running: ['WaitingInput', 'Paused', 'Cancelling', 'Cancelled', 'Completed', 'Failed'],
  WaitingInput: ['Running', 'Paused', 'Cancelling', 'Cancelled', 'Completed', 'Failed'],
  Paused: ['Running', 'Cancelling', 'Cancelled', 'Failed'],
  Cancelling: ['Cancelled'],
  Completed: ['Running'],
  Failed: ['Running'],
  Cancelled: ['Running'],
});

/** Completed, Failed and Cancelled: the run is over. */
export function isTerminal(tag: LifecycleTag): boolean {
  return tag === 'Completed' || tag === 'Failed' || tag === 'Cancelled';
}

/** A run is active (it has an id and a config) in these states. */
export function hasActiveRun(tag: LifecycleTag): boolean {
  return tag === 'Running' || tag === 'WaitingInput' || tag === 'Paused' || tag === 'Cancelling';
}

/** Refuses a transition the lifecycle does not allow. */
export function checkTransition(from: LifecycleTag, to: LifecycleTag): void {
  if (from === to) return;
  if (!ALLOWED[from].includes(to)) refuse('invalid_lifecycle_transition', `the session cannot go from ${from} to ${to}`);
}
