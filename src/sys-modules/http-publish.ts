// sys/HttpPublish@1, the built-in registry of HTTP publish rules (shipped with AgentOS; `aos build`
// bundles it for any world whose manifest lists it). sys/HttpPublishSet@1 {id, rule} sets the rule
// named id, or removes it when rule is none; the state is sys/HttpPublishRegistry@1 {rules}.
// Serving the rules over HTTP is the node's business; this workflow only keeps them.
import { defineWorkflow } from 'agentos/sdk';
import type { AirRecord } from 'agentos/sdk';

interface PublishRegistry {
  readonly rules: Readonly<Record<string, AirRecord>>;
}
interface PublishSet {
  readonly id: string;
  readonly rule: AirRecord | null;
}

defineWorkflow<PublishRegistry, PublishSet>({
  init: () => ({ rules: {} }),
  step(state, event) {
    const { id, rule } = event.value;
    const rules: Record<string, AirRecord> = { ...state.rules };
    if (rule === null) delete rules[id];
    else rules[id] = rule;
    return { state: { rules } };
  },
});
