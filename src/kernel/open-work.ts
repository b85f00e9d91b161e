import type { Hash } from '../cbor/index.ts';
import type { BudgetAmounts } from './budgets.ts';
import type { PublicKeyId } from './public-key.ts';

/**
 * An intent a require_approval policy decision holds back: `record` is the hash of the
 * effect_intent record that opened it (what approvals sign, binding them to this world's chain),
 * `approvers` the distinct principals who approved so far, in the order they did.
 */
export interface PendingApproval {
  readonly record: Hash;
  readonly approvers: readonly PublicKeyId[];
}

/** An effect intent journaled and not yet settled: the kernel's open work (DESIGN §7). */
export interface OpenIntent {
  readonly hash: Hash;
  readonly kind: string;
  readonly params: Uint8Array;
  readonly module: string;
  readonly key: Uint8Array | null;
  readonly issuerRef: string | undefined;
  readonly emittedAt: number;
  readonly idempotencyKey: Uint8Array;
  readonly capSlot: string;
  /** The grant that authorised it: its budget is charged from the receipt. */
  readonly grant: string;
  /** Non-null while it waits for approval: executors do not start it then. */
  readonly approval: PendingApproval | null;
  /** What it holds of its grant's budget until it settles (budgets.ts); null when the grant has no budget. */
  readonly reserved: BudgetAmounts | null;
  /** Stream frames admitted for it so far (stream-frames.ts): the next one must be numbered this + 1. */
  readonly frames: number;
}
