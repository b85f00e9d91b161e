// One reduce in progress: the state being changed (a fresh copy of the decoded state, so changes
// are local until the step returns), and the effects and domain events it emits. Every helper
// takes the reduction and changes it in place; a refusal throws and the kernel keeps the old state.
import type { EffectIntent, EmittedEvent } from 'agentos/sdk';
import type { Nat, SessionState } from './types.ts';

export interface Reduction {
  readonly state: SessionState;
  readonly effects: EffectIntent[];
  readonly events: EmittedEvent[];
  /** The step's logical time (sys/WorkflowContext@1), when the kernel passed a context. */
  readonly logicalNowNs?: Nat;
}

/** The session's clock: the latest ingress time (receipts carry a sequence, not a time). */
export function nowOf(reduction: Reduction): Nat {
  return reduction.state.updated_at;
}

export function natOf(value: Nat): number {
  return typeof value === 'bigint' ? Number(value) : value;
}

/** Entries of a nat-keyed map, whether it decoded as a Map or (empty) as a record. */
export function natMapEntries<Value>(map: Map<Nat, Value> | Record<string, never>): Array<[number, Value]> {
  return map instanceof Map ? [...map].map(([key, value]) => [natOf(key), value]) : [];
}
