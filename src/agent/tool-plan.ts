// Planning a turn's tool calls (upstream-agent.md §1.6), with upstream's gap fixed: every call
// gets a result the model sees. A call whose name no effective tool has, or past the per-turn
// limit, is settled at once as Failed with an error result; the accepted ones are grouped in
// model order: a call that is not parallel_safe flushes the current group and runs alone; a
// parallel-safe call whose resource_key the current group already holds flushes it first;
// otherwise it joins the current group. Groups run one after another; a group's calls together.
import { TOOL_CALLS_PER_TURN_MAX } from './limits.ts';
import type { EffectiveTool, PlannedToolCall, ToolCallObserved } from './types.ts';

export interface Rejection { readonly call: ToolCallObserved; readonly code: string; readonly detail: string }

export interface TurnPlan {
  readonly planned: PlannedToolCall[];
  readonly groups: string[][];
  readonly rejected: Rejection[];
}

export function groupCalls(calls: readonly PlannedToolCall[]): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let keys = new Set<string>();
  const flush = (): void => {
    if (current.length > 0) groups.push(current);
    current = [];
    keys = new Set();
  };
  for (const call of calls) {
    if (!call.parallel_safe) {
      flush();
      groups.push([call.call_id]);
      continue;
    }
    if (call.resource_key !== null && keys.has(call.resource_key)) flush();
    current.push(call.call_id);
    if (call.resource_key !== null) keys.add(call.resource_key);
  }
  flush();
  return groups;
}

export function planCalls(observed: readonly ToolCallObserved[], tools: readonly EffectiveTool[]): TurnPlan {
  const byName = new Map(tools.map((tool) => [tool.tool_name, tool]));
  const planned: PlannedToolCall[] = [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  observed.forEach((call, index) => {
    const tool = byName.get(call.tool_name);
    if (seen.has(call.call_id)) {
      rejected.push({ call, code: 'duplicate_call_id', detail: `call id ${call.call_id} is used twice in this turn; each tool call needs its own id` });
    } else if (index >= TOOL_CALLS_PER_TURN_MAX) {
      rejected.push({ call, code: 'too_many_tool_calls', detail: `a turn may make at most ${TOOL_CALLS_PER_TURN_MAX} tool calls; this one was not run, ask for it again in the next turn` });
    } else if (tool === undefined) {
      const names = tools.map((candidate) => candidate.tool_name).join(', ');
      rejected.push({ call, code: 'tool_not_found', detail: `no tool named ${JSON.stringify(call.tool_name)} is available in this turn; available tools: ${names === '' ? 'none' : names}` });
    } else {
      planned.push({
        call_id: call.call_id, tool_id: tool.tool_id, tool_name: tool.tool_name, arguments_json: call.arguments_json, arguments_ref: call.arguments_ref,
        provider_call_id: call.provider_call_id, mapper: tool.mapper, executor: tool.executor, parallel_safe: tool.parallel_safe, resource_key: tool.resource_key, accepted: true,
      });
    }
    seen.add(call.call_id);
  });
  return { planned, groups: groupCalls(planned), rejected };
}
