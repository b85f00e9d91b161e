import type { Hash } from '../cbor/index.ts';

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
}
