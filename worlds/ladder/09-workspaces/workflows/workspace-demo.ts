// demo/WorkspaceDemo@1 (ladder 09): seeds each workspace of a Start, one at a time, through the
// internal workspace.* effects, then commits it to sys/WorkspaceCommit@1. Per workspace:
// resolve → (empty_root when it does not exist) → write seed/<ws>.txt → write README.txt →
// write data.json (this root is the base) → list the subtree (entry count) → rewrite
// README.txt → diff base against the current root (change count) → commit {workspace,
// expected_head: the resolved head, meta {root_hash, owner, created_at: ingress now_ns}}.
// A receipt counts only when its kind is the current step's; an error receipt abandons the
// workspace (it is not summarised or committed) and the next one starts.
import { decodeReceipt, defineWorkflow, effect, RECEIPT_ENVELOPE_SCHEMA } from 'agentos/sdk';
import type { AirRecord, AirValue, EffectIntent, EmittedEvent, StepOutcome, WorkflowContext } from 'agentos/sdk';

type StepName = 'Resolving' | 'CreatingEmptyRoot' | 'WritingMarker' | 'WritingReadme' | 'WritingData' | 'Listing' | 'WritingReadmeUpdate' | 'Diffing';
interface Summary {
  readonly version: number | bigint | null;
  readonly root_hash: string;
  readonly entry_count: number | bigint;
  readonly diff_count: number | bigint;
}
interface DemoState {
  readonly workspaces: ReadonlyMap<string, Summary> | Readonly<Record<string, Summary>>;
  readonly pending_workspaces: readonly string[];
  readonly active_workspace: string | null;
  readonly active_owner: string | null;
  readonly active_step: { readonly $tag: StepName } | null;
  readonly active_expected_head: number | bigint | null;
  readonly active_base_root: string | null;
  readonly active_current_root: string | null;
  readonly active_entry_count: number | bigint | null;
}
type DemoEvent = { $tag: 'Start'; $value: { workspaces: string[]; owner: string } } | { $tag: 'Receipt'; $value: AirValue };

/** The effect kind whose receipt each step waits for. */
const EXPECTS: Readonly<Record<StepName, string>> = Object.freeze({
  Resolving: 'workspace.resolve', CreatingEmptyRoot: 'workspace.empty_root', WritingMarker: 'workspace.write_bytes', WritingReadme: 'workspace.write_bytes',
  WritingData: 'workspace.write_bytes', Listing: 'workspace.list', WritingReadmeUpdate: 'workspace.write_bytes', Diffing: 'workspace.diff',
});
const LIST_LIMIT = 200;
const cleared = Object.freeze({ active_workspace: null, active_step: null, active_expected_head: null, active_base_root: null, active_current_root: null, active_entry_count: null } as const);

/** UTF-8 bytes of a text (the sandbox has no TextEncoder). */
function utf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    if (point < 0x80) bytes.push(point);
    else if (point < 0x800) bytes.push(0xc0 | (point >> 6), 0x80 | (point & 0x3f));
    else if (point < 0x10000) bytes.push(0xe0 | (point >> 12), 0x80 | ((point >> 6) & 0x3f), 0x80 | (point & 0x3f));
    else bytes.push(0xf0 | (point >> 18), 0x80 | ((point >> 12) & 0x3f), 0x80 | ((point >> 6) & 0x3f), 0x80 | (point & 0x3f));
  }
  return new Uint8Array(bytes);
}

const write = (root: string, path: string, text: string): EffectIntent =>
  effect.custom('workspace.write_bytes', { root_hash: root, path, bytes: utf8(text), mode: null });

/** Text-keyed maps decode as records: summaries are kept as a plain object. */
function summaries(state: DemoState): Record<string, Summary> {
  return state.workspaces instanceof Map ? Object.fromEntries(state.workspaces) : { ...(state.workspaces as Record<string, Summary>) };
}

/** Starts the next queued workspace, or goes idle (clearing the owner) when none is left. */
function next(state: DemoState, events: EmittedEvent[] = []): StepOutcome<DemoState> {
  const [workspace, ...rest] = state.pending_workspaces;
  if (workspace === undefined) return { state: { ...state, ...cleared, pending_workspaces: [], active_owner: null }, events };
  return {
    state: { ...state, ...cleared, pending_workspaces: rest, active_workspace: workspace, active_step: { $tag: 'Resolving' } },
    events,
    effects: [effect.custom('workspace.resolve', { workspace, version: null })],
  };
}

/** Records the summary, commits the workspace, and starts the next one. */
function finalize(state: DemoState, diffCount: number, ctx: WorkflowContext | null): StepOutcome<DemoState> {
  const workspace = state.active_workspace ?? '';
  const root = state.active_current_root ?? '';
  const all = summaries(state);
  const previous = all[workspace]?.version ?? null;
  const version = state.active_expected_head !== null ? Number(state.active_expected_head) + 1 : previous !== null ? Number(previous) + 1 : 1;
  all[workspace] = { version, root_hash: root, entry_count: state.active_entry_count ?? 0, diff_count: diffCount };
  const commit: AirRecord = {
    workspace, expected_head: state.active_expected_head,
    meta: { root_hash: root, owner: state.active_owner ?? '', created_at: ctx?.now_ns ?? 0 },
  };
  return next({ ...state, workspaces: all }, [{ schema: 'sys/WorkspaceCommit@1', value: commit }]);
}

function onReceipt(state: DemoState, step: StepName, payload: AirRecord, ctx: WorkflowContext | null): StepOutcome<DemoState> {
  const workspace = state.active_workspace ?? '';
  const current = state.active_current_root ?? '';
  const at = (tag: StepName, changes: Partial<DemoState>, effects: EffectIntent[]): StepOutcome<DemoState> => ({ state: { ...state, ...changes, active_step: { $tag: tag } }, effects });
  switch (step) {
    case 'Resolving': {
      const head = (payload['head'] ?? null) as number | bigint | null;
      const root = (payload['root_hash'] ?? null) as string | null;
      if (payload['exists'] === true && root !== null) {
        return at('WritingMarker', { active_expected_head: head, active_base_root: root, active_current_root: root }, [write(root, `seed/${workspace}.txt`, `seed marker for ${workspace}\n`)]);
      }
      return at('CreatingEmptyRoot', { active_expected_head: head }, [effect.custom('workspace.empty_root', { workspace })]);
    }
    case 'CreatingEmptyRoot': {
      const root = payload['root_hash'] as string;
      return at('WritingMarker', { active_base_root: root, active_current_root: root }, [write(root, `seed/${workspace}.txt`, `seed marker for ${workspace}\n`)]);
    }
    case 'WritingMarker': {
      const root = payload['new_root_hash'] as string;
      return at('WritingReadme', { active_current_root: root }, [write(root, 'README.txt', 'seeded by workflow\n')]);
    }
    case 'WritingReadme': {
      const root = payload['new_root_hash'] as string;
      return at('WritingData', { active_current_root: root }, [write(root, 'data.json', '{"demo":true,"items":[1,2,3]}\n')]);
    }
    case 'WritingData': {
      const root = payload['new_root_hash'] as string;
      return at('Listing', { active_current_root: root, active_base_root: root }, [effect.custom('workspace.list', { root_hash: root, path: null, scope: 'subtree', cursor: null, limit: LIST_LIMIT })]);
    }
    case 'Listing': {
      const entries = payload['entries'] as readonly AirValue[];
      return at('WritingReadmeUpdate', { active_entry_count: entries.length }, [write(current, 'README.txt', 'updated by workflow\n')]);
    }
    case 'WritingReadmeUpdate': {
      const root = payload['new_root_hash'] as string;
      return at('Diffing', { active_current_root: root }, [effect.custom('workspace.diff', { root_a: state.active_base_root ?? root, root_b: root, prefix: null })]);
    }
    case 'Diffing': return finalize(state, (payload['changes'] as readonly AirValue[]).length, ctx);
  }
}

defineWorkflow<DemoState, DemoEvent>({
  init: () => ({ workspaces: {}, pending_workspaces: [], active_owner: null, ...cleared }),
  step(state, event, ctx) {
    const input = event.value;
    if (input.$tag === 'Start') {
      if (state.active_step !== null) return { state };
      return next({ ...state, pending_workspaces: input.$value.workspaces, active_owner: input.$value.owner });
    }
    const receipt = decodeReceipt({ schema: RECEIPT_ENVELOPE_SCHEMA, value: input.$value });
    const step = state.active_step?.$tag;
    if (step === undefined || receipt.envelope.effect_kind !== EXPECTS[step]) return { state };
    if (receipt.envelope.status !== 'ok') return next(state);
    return onReceipt(state, step, receipt.payload as AirRecord, ctx);
  },
});
