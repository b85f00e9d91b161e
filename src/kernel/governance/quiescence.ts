// Strict quiescence (DESIGN §8): a manifest is swapped only when nothing is in flight. Inputs run
// to completion one at a time, so between inputs the queues are always empty, and an instance
// waits exactly when it has open intents: open work is the whole of what can block an apply.
// The one exception is the intent asking for the apply (a workflow's governance.apply), which
// the apply itself settles, atomically with the swap.
import type { Hash } from '../../cbor/index.ts';
import { toHex } from '../../cbor/index.ts';
import type { OpenIntent } from '../open-work.ts';

/** What blocks an apply: the open intents, and the instances waiting on them. */
export interface ApplyBlockers {
  readonly intents: ReadonlyArray<{ readonly intent_hash: Hash; readonly effect_kind: string; readonly module: string; readonly key: string | null; readonly awaiting_approval: boolean }>;
  readonly instances: ReadonlyArray<{ readonly module: string; readonly key: string | null; readonly open_intents: number }>;
}

/** The open work other than `exempt` (the apply's own intent), oldest first; empty means quiescent. */
export function applyBlockers(open: ReadonlyMap<Hash, OpenIntent>, exempt: Hash | null): ApplyBlockers {
  const intents = [...open.values()].filter((intent) => intent.hash !== exempt).sort((a, b) => a.emittedAt - b.emittedAt);
  const instances = new Map<string, { module: string; key: string | null; open_intents: number }>();
  for (const intent of intents) {
    const key = intent.key === null ? null : toHex(intent.key);
    const id = `${intent.module} ${key ?? ''}`;
    const instance = instances.get(id) ?? { module: intent.module, key, open_intents: 0 };
    instance.open_intents += 1;
    instances.set(id, instance);
  }
  return {
    intents: intents.map((intent) => ({ intent_hash: intent.hash, effect_kind: intent.kind, module: intent.module, key: intent.key === null ? null : toHex(intent.key), awaiting_approval: intent.approval !== null })),
    instances: [...instances.values()],
  };
}

/** Says what blocks an apply, for people: which instances wait, on which intents. */
export function describeBlockers(blockers: ApplyBlockers): string {
  const instances = blockers.instances.map((instance) => `${instance.module}${instance.key === null ? '' : `[key 0x${instance.key}]`} waits on ${instance.open_intents} intent(s)`);
  const intents = blockers.intents.map((intent) => `${intent.effect_kind} ${intent.intent_hash}${intent.awaiting_approval ? ' (awaiting approval)' : ''}`);
  return `${instances.join('; ')}; open intents: ${intents.join(', ')}`;
}
