// Goal: tool calls are planned exactly as upstream groups them (parallel_safe / resource_key, in
// model order), and calls no tool can run are rejected with a reason the model will read.
// Method: the pure planner over the built-in tools, with hand-written call lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupCalls, planCalls } from '../../../src/agent/tool-plan.ts';
import { builtinRegistry } from '../../../src/agent/tool-catalog.ts';
import type { EffectiveTool, PlannedToolCall, ToolCallObserved } from '../../../src/agent/types.ts';

const TOOLS: EffectiveTool[] = Object.values(builtinRegistry()).map((spec) => ({
  tool_id: spec.tool_id, tool_name: spec.tool_name, tool_ref: spec.tool_ref, description: spec.description, args_schema_json: spec.args_schema_json,
  mapper: spec.mapper, executor: spec.executor, parallel_safe: spec.parallelism_hint.parallel_safe, resource_key: spec.parallelism_hint.resource_key,
}));

function observed(...names: string[]): ToolCallObserved[] {
  return names.map((name, index) => ({ call_id: `c${index + 1}`, tool_name: name, arguments_json: '{}', arguments_ref: null, provider_call_id: null }));
}

test('upstream 23\'s fifteen calls group as [first 11] [apply] [commit] [diff] [exec]', () => {
  const plan = planCalls(observed('write_file', 'exists', 'read_file', 'list_dir', 'inspect_world', 'inspect_workflow', 'inspect_workflow', 'workspace_inspect', 'workspace_list', 'workspace_list', 'workspace_read', 'workspace_apply', 'workspace_commit', 'workspace_diff', 'shell'), TOOLS);
  assert.deepEqual(plan.rejected, []);
  assert.deepEqual(plan.groups, [['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11'], ['c12'], ['c13'], ['c14'], ['c15']]);
});

test('a resource key already in the group starts a new group; a serial call runs alone', () => {
  const plan = planCalls(observed('write_file', 'read_file', 'edit_file', 'apply_patch', 'grep', 'shell', 'shell', 'stat'), TOOLS);
  assert.deepEqual(plan.groups, [['c1', 'c2'], ['c3'], ['c4', 'c5'], ['c6'], ['c7'], ['c8']]);
  const call = (id: string, parallel: boolean, key: string | null): PlannedToolCall => ({ ...plan.planned[0]!, call_id: id, parallel_safe: parallel, resource_key: key });
  assert.deepEqual(groupCalls([call('a', true, 'k'), call('b', true, 'j'), call('c', true, 'k'), call('d', true, null)]), [['a', 'b'], ['c', 'd']]);
  assert.deepEqual(groupCalls([]), []);
});

test('unknown names, repeated call ids and calls past the per-turn limit are rejected with a reason', () => {
  const plan = planCalls([...observed('read_file', 'open_the_pod_bay_doors'), { call_id: 'c1', tool_name: 'stat', arguments_json: '{}', arguments_ref: null, provider_call_id: null }], TOOLS);
  assert.deepEqual(plan.planned.map((call) => call.call_id), ['c1']);
  assert.deepEqual(plan.rejected.map((rejection) => [rejection.call.call_id, rejection.code]), [['c2', 'tool_not_found'], ['c1', 'duplicate_call_id']]);
  assert.match(plan.rejected[0]?.detail ?? '', /no tool named "open_the_pod_bay_doors".*available tools: .*read_file/);
  const many = planCalls(observed(...Array.from({ length: 66 }, () => 'stat')), TOOLS);
  assert.deepEqual([many.planned.length, many.rejected.map((rejection) => rejection.code)], [64, ['too_many_tool_calls', 'too_many_tool_calls']]);
});
