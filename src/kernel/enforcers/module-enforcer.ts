// A cap enforcer that is a pure module of the world: called through the module provider with
// upstream's ABI (upstream-kernel §4): input sys/CapCheckInput@1, output sys/CapCheckOutput@1,
// and sys/PureContext@1 when the module declares a context. It runs in journal order like any
// step, so live runs and replays call it alike. A module that fails, traps, runs over a limit
// or answers out of shape denies with `enforcer_error`: an enforcer that cannot answer says no.
import { AirError } from '../../air/index.ts';
import type { DefModule, SchemaResolver } from '../../air/index.ts';
import { CborError, encodeCanonical, isCborObject } from '../../cbor/index.ts';
import type { CborValue, Hash } from '../../cbor/index.ts';
import { DENY_MESSAGE_CHARS_MAX } from '../limits.ts';
import type { ModuleProvider } from '../module-provider.ts';
import { canonicalTyped } from '../typed-bytes.ts';
import { ALLOW, deny } from './enforcer.ts';
import type { CapVerdict } from './enforcer.ts';

const OUTPUT_SCHEMA = 'sys/CapCheckOutput@1';
/** Denial codes a module may give: short snake_case words, like the built-in ones. */
const DENY_CODE = /^[a-z][a-z0-9_.]{0,63}$/;

/** The facts a module enforcer is given (CapCheckInput's fields, by their AIR names). */
export interface EnforcerModuleInput {
  readonly cap_def: string;
  readonly grant_name: string;
  readonly cap_params: Uint8Array;
  readonly effect_kind: string;
  readonly effect_params: Uint8Array;
  readonly origin: { readonly kind: string; readonly name: string };
}

/** Where and when the check runs: what the call needs beyond its input. */
export interface EnforcerEnv {
  readonly modules: ModuleProvider;
  readonly schemas: SchemaResolver;
  readonly logicalNowNs: bigint;
  readonly journalHeight: number;
  readonly manifestHash: Hash;
}

/** Calls a module enforcer on one effect; whatever it does, the answer is a verdict. */
export function runEnforcerModule(module: DefModule, input: EnforcerModuleInput, env: EnforcerEnv): CapVerdict {
  const runtime = env.modules.runtime(module);
  const result = runtime.run(envelopeFor(module, input, env));
  if (result.kind !== 'ok') return deny('enforcer_error', `enforcer ${module.name} gave no answer (${result.kind}): ${result.message}`);
  let output: CborValue;
  try {
    output = canonicalTyped(result.output, OUTPUT_SCHEMA, env.schemas, 'output', runtime.runtime === 'js').value;
  } catch (error) {
    if (!(error instanceof AirError || error instanceof CborError)) throw error;
    return deny('enforcer_error', `enforcer ${module.name} answered something that is not a ${OUTPUT_SCHEMA}: ${error.message}`);
  }
  if (!isCborObject(output)) return deny('enforcer_error', `enforcer ${module.name} answered something that is not a ${OUTPUT_SCHEMA}`);
  const given = output.deny ?? null;
  const reason = given !== null && isCborObject(given) ? given : null;
  if (output.constraints_ok === true) {
    return reason === null ? ALLOW : deny('enforcer_error', `enforcer ${module.name} answered constraints_ok with a deny reason; it must give one or the other`);
  }
  if (reason === null) return deny('constraints_failed', `enforcer ${module.name} refused the effect without giving a reason`);
  const code = typeof reason.code === 'string' ? reason.code : '';
  if (!DENY_CODE.test(code)) return deny('enforcer_error', `enforcer ${module.name} denied with code ${JSON.stringify(code.slice(0, 64))}, which is not a snake_case code`);
  const message = typeof reason.message === 'string' ? reason.message : '';
  return deny(code, message.length > DENY_MESSAGE_CHARS_MAX ? `${message.slice(0, DENY_MESSAGE_CHARS_MAX)}…` : message);
}

/** `{version: 1, input, ctx?}`: the pure envelope of DESIGN §5. */
function envelopeFor(module: DefModule, input: EnforcerModuleInput, env: EnforcerEnv): Uint8Array {
  const check = encodeCanonical({ ...input, logical_now_ns: env.logicalNowNs }, { selfDescribe: false });
  if (module.abi.pure?.context === undefined) return encodeCanonical({ input: check, version: 1 }, { selfDescribe: false });
  const ctx = encodeCanonical({ logical_now_ns: env.logicalNowNs, journal_height: env.journalHeight, manifest_hash: env.manifestHash, module: module.name }, { selfDescribe: false });
  return encodeCanonical({ ctx, input: check, version: 1 }, { selfDescribe: false });
}
