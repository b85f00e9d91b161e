// The tools a turn offers (upstream-agent.md §2 "Effective set"): the profile (run → session
// default → state → provider default), plus session and run enables and forces, minus session
// and run disables (disable beats force); profile order first, then extras by name; filtered by
// availability against the host session. Names in overrides are tool_ids.
import { profilesOf, providerDefaultProfile, registryOf, ZERO_HASH } from './tool-catalog.ts';
import { refuse } from './failure.ts';
import { TOOL_NAME_LENGTH_MAX } from './limits.ts';
import type { EffectiveTool, EffectiveToolRef, EffectiveToolSet, SessionState, ToolSpec } from './types.ts';

const TOOL_NAME = /^[A-Za-z0-9_-]+$/;

function hostReady(state: SessionState): boolean {
  return state.tool_runtime_context.host_session_status?.$tag === 'Ready';
}

function available(spec: ToolSpec, ready: boolean): boolean {
  return spec.availability_rules.every((rule) => rule.$tag === 'Always' || (rule.$tag === 'HostSessionReady') === ready);
}

/** The profile id the active run (or, between runs, the session) uses. */
export function selectedProfile(state: SessionState): string {
  const run = state.active_run_config;
  return run?.tool_profile ?? state.session_config.default_tool_profile ?? (state.tool_profile !== '' ? state.tool_profile : providerDefaultProfile(run?.provider ?? state.session_config.provider));
}

export function computeEffectiveTools(state: SessionState): EffectiveToolSet {
  const profileId = selectedProfile(state);
  const profile = profilesOf(state)[profileId] ?? [];
  const registry = registryOf(state);
  // A built-in spec is never written to: the ref its definition was materialised under lives in
  // the effective set, and is carried over when the set is computed again.
  const materialised = new Map(state.effective_tools.ordered_tools.map((tool) => [tool.tool_id, tool.tool_ref]));
  const run = state.active_run_config;
  const config = state.session_config;
  const extras = [...(config.default_tool_enable ?? []), ...(config.default_tool_force ?? []), ...(run?.tool_enable ?? []), ...(run?.tool_force ?? [])];
  const disabled = new Set([...(config.default_tool_disable ?? []), ...(run?.tool_disable ?? [])]);
  const ordered = [...profile, ...[...new Set(extras)].filter((id) => !profile.includes(id)).sort()];
  const ready = hostReady(state);
  const tools: EffectiveToolRef[] = [];
  let requiresHost = false;
  for (const id of ordered) {
    const spec = registry[id];
    if (spec === undefined || disabled.has(id)) continue;
    if (spec.availability_rules.some((rule) => rule.$tag === 'HostSessionReady')) requiresHost = true;
    if (!available(spec, ready)) continue;
    tools.push({ tool_id: spec.tool_id, tool_ref: spec.tool_ref !== ZERO_HASH ? spec.tool_ref : (materialised.get(spec.tool_id) ?? ZERO_HASH) });
  }
  return { profile_id: profileId, profile_requires_host_session: requiresHost, ordered_tools: tools };
}

/**
 * The tools a turn offers, whole: the effective set (ids and refs, what the state keeps) joined
 * with the registry's specs. The set is recomputed whenever the registry changes, so each id is there.
 */
export function offeredTools(state: SessionState): EffectiveTool[] {
  const registry = registryOf(state);
  return state.effective_tools.ordered_tools.map(({ tool_id: id, tool_ref: ref }) => {
    const spec = registry[id];
    if (spec === undefined) refuse('invalid_tool_registry', `the effective set names ${id}, which the registry lacks; the set is recomputed whenever the registry changes`);
    return {
      tool_id: spec.tool_id, tool_name: spec.tool_name, tool_ref: ref, description: spec.description, args_schema_json: spec.args_schema_json,
      mapper: spec.mapper, executor: spec.executor, parallel_safe: spec.parallelism_hint.parallel_safe, resource_key: spec.parallelism_hint.resource_key,
    };
  });
}

/** Recomputes the effective set; a changed set must be materialised again before the next turn. */
export function refreshTools(state: SessionState): void {
  const next = computeEffectiveTools(state);
  if (JSON.stringify(next) !== JSON.stringify(state.effective_tools)) {
    state.effective_tools = next;
    state.tool_refs_materialized = next.ordered_tools.every((tool) => tool.tool_ref !== `sha256:${'0'.repeat(64)}`);
  }
}

/** Checks a registry: keys equal tool_ids, LLM names valid and unique, profile members known. */
export function checkRegistry(registry: Readonly<Record<string, ToolSpec>>, profiles: Readonly<Record<string, readonly string[]>>): void {
  const names = new Set<string>();
  for (const [key, spec] of Object.entries(registry)) {
    if (key !== spec.tool_id) refuse('invalid_tool_registry', `registry key ${key} holds tool ${spec.tool_id}; key each tool by its tool_id`);
    if (!TOOL_NAME.test(spec.tool_name) || spec.tool_name.length > TOOL_NAME_LENGTH_MAX) refuse('invalid_tool_registry', `tool ${key} has name ${JSON.stringify(spec.tool_name)}; names are 1-${TOOL_NAME_LENGTH_MAX} of A-Z a-z 0-9 _ -`);
    if (names.has(spec.tool_name)) refuse('invalid_tool_registry', `two tools are named ${spec.tool_name}; the model must be able to tell them apart`);
    names.add(spec.tool_name);
  }
  for (const [id, members] of Object.entries(profiles)) {
    for (const member of members) if (registry[member] === undefined) refuse('invalid_tool_registry', `profile ${id} lists ${member}, which the registry lacks`);
  }
}

/** Refuses override names that are not registered tool_ids. */
export function checkOverrideIds(state: SessionState, ids: readonly string[]): void {
  const registry = registryOf(state);
  for (const id of ids) if (registry[id] === undefined) refuse('unknown_tool_override', `no tool with tool_id ${id} is registered; overrides name tool_ids (effect kinds), not the names the model sees`);
}
