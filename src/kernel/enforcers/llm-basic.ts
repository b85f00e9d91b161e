// sys/CapEnforceLlmBasic@1: an llm.generate must use an allowed provider and model, stay within
// the grant's max_tokens, and may force only an allowed tool. Tool definitions are blobs the
// kernel does not read, so `tools_allow` is checked against an explicit tool_choice, as upstream;
// the agent layer answers a call to a tool it did not offer.
import { isCborObject } from '../../cbor/index.ts';
import type { CborValue } from '../../cbor/index.ts';
import { ALLOW, deny, kindMismatch, listed, quoted } from './enforcer.ts';
import type { BuiltinEnforcer, CapCheck, CapVerdict } from './enforcer.ts';
import { allowList, optionalNat, optionalRecord, requiredText } from './params.ts';

const NAME = 'sys/CapEnforceLlmBasic@1';

/** The built-in enforcer described above. */
export const enforceLlmBasic: BuiltinEnforcer = (check: CapCheck): CapVerdict => {
  if (check.effectKind !== 'llm.generate') return kindMismatch(NAME, check.effectKind);
  const cap = check.capParams;
  const effect = check.effectParams.value;
  const provider = requiredText(effect, 'provider', 'effect');
  const providers = allowList(cap, 'providers', 'cap');
  if (providers !== null && !providers.includes(provider)) {
    return deny('provider_not_allowed', `provider ${quoted(provider)} is not among the grant's providers (${listed(providers)})`);
  }
  const model = requiredText(effect, 'model', 'effect');
  const models = allowList(cap, 'models', 'cap');
  if (models !== null && !models.includes(model)) {
    return deny('model_not_allowed', `model ${quoted(model)} is not among the grant's models (${listed(models)})`);
  }
  const runtime = optionalRecord(effect, 'runtime', 'effect') ?? {};
  const ceiling = optionalNat(cap, 'max_tokens', 'cap');
  if (ceiling !== null) {
    const asked = optionalNat(runtime, 'max_tokens', 'effect');
    if (asked === null) {
      return deny('max_tokens_required', `the request sets no runtime.max_tokens, so the provider's default would apply; the grant allows at most ${ceiling}: set runtime.max_tokens to ${ceiling} or less`);
    }
    if (asked > ceiling) return deny('max_tokens_exceeded', `runtime.max_tokens ${asked} exceeds the grant's max_tokens ${ceiling}`);
  }
  const tools = allowList(cap, 'tools_allow', 'cap');
  const forced = forcedTool(runtime.tool_choice ?? null);
  if (tools !== null && forced !== null && !tools.includes(forced)) {
    return deny('tool_not_allowed', `tool_choice forces tool ${quoted(forced)}, which is not among the grant's tools_allow (${listed(tools)})`);
  }
  return ALLOW;
};

/** The tool a sys/LlmToolChoice@1 forces (`{"$tag":"Tool","$value":{"name":…}}`), or null. */
function forcedTool(choice: CborValue): string | null {
  if (!isCborObject(choice) || choice.$tag !== 'Tool') return null;
  const value = choice.$value;
  if (value === undefined || !isCborObject(value)) return null;
  return typeof value.name === 'string' ? value.name : null;
}
