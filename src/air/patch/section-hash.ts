import { hashValue } from '../../cbor/index.ts';
import type { CborValue, Hash } from '../../cbor/index.ts';
import type { Manifest } from '../defs.ts';

/** Manifest sections whose patch ops carry a `pre_hash` (optimistic concurrency). */
export type GuardedSection = 'routing_events' | 'routing_inboxes' | 'module_bindings' | 'secrets' | 'approval_policy';

/**
 * The pre_hash of a manifest section: the hash of its canonical value, with an absent section
 * counted as empty (`[]`, `{}`, or null for the approval policy), so authors can compute it
 * from what `aos air hash` and `aos gov show` print.
 */
export function sectionHash(manifest: Manifest, section: GuardedSection): Hash {
  return hashValue(sectionValue(manifest, section) as CborValue);
}

function sectionValue(manifest: Manifest, section: GuardedSection): unknown {
  switch (section) {
    case 'routing_events': return manifest.routing?.subscriptions ?? [];
    case 'routing_inboxes': return manifest.routing?.inboxes ?? [];
    case 'module_bindings': return manifest.module_bindings ?? {};
    case 'secrets': return manifest.secrets ?? [];
    case 'approval_policy': return manifest.approval_policy ?? null;
  }
}

/** Every guarded section's current pre_hash, for people writing patches. */
export function sectionHashes(manifest: Manifest): Record<GuardedSection, Hash> {
  return {
    routing_events: sectionHash(manifest, 'routing_events'), routing_inboxes: sectionHash(manifest, 'routing_inboxes'),
    module_bindings: sectionHash(manifest, 'module_bindings'), secrets: sectionHash(manifest, 'secrets'),
    approval_policy: sectionHash(manifest, 'approval_policy'),
  };
}
