// Wire-shaped types of AIR documents: field names exactly as AIR writes them (STYLE §4.11).
import type { Hash } from '../cbor/index.ts';
import type { TypeAst } from './type-ast.ts';

/** The kinds of AIR node a world holds. */
export type DefKind = 'defschema' | 'defmodule' | 'defeffect' | 'defcap' | 'defpolicy' | 'defsecret';
/** Every node kind, the manifest included. */
export type NodeKind = DefKind | 'manifest';

export const DEF_KINDS: readonly DefKind[] = ['defschema', 'defmodule', 'defeffect', 'defcap', 'defpolicy', 'defsecret'];
export const NODE_KINDS: readonly NodeKind[] = [...DEF_KINDS, 'manifest'];

export interface DefSchema { readonly $kind: 'defschema'; readonly name: string; readonly type: TypeAst }

/** Per-module overrides of the sandbox limits, each clamped to a hard maximum (our addition). */
export interface ModuleLimits {
  readonly instructions?: number;
  readonly memory_bytes?: number;
  readonly stack_bytes?: number;
  readonly output_bytes?: number;
}

export interface WorkflowAbi {
  readonly state: string;
  readonly event: string;
  readonly context?: string;
  readonly annotations?: string;
  readonly effects_emitted?: readonly string[];
  readonly cap_slots?: Readonly<Record<string, string>>;
}
export interface PureAbi { readonly input: string; readonly output: string; readonly context?: string }

export interface DefModule {
  readonly $kind: 'defmodule';
  readonly name: string;
  readonly module_kind: 'workflow' | 'pure';
  readonly wasm_hash: Hash;
  readonly key_schema?: string;
  readonly abi: { readonly workflow?: WorkflowAbi; readonly pure?: PureAbi };
  /** Our addition: which runtime runs the artifact; absent means "decide by the artifact's magic bytes". */
  readonly runtime?: 'wasm' | 'js';
  readonly limits?: ModuleLimits;
}

export interface DefEffect {
  readonly $kind: 'defeffect';
  readonly name: string;
  readonly kind: string;
  readonly params_schema: string;
  readonly receipt_schema: string;
  readonly cap_type: string;
  readonly origin_scope: 'workflow' | 'plan' | 'both';
  readonly description?: string;
}

export interface DefCap {
  readonly $kind: 'defcap';
  readonly name: string;
  readonly cap_type: string;
  readonly schema: TypeAst;
  readonly enforcer?: { readonly module: string };
}

/** `require_approval` is our addition: the intent waits until an allowed principal decides. */
export type PolicyDecision = 'allow' | 'deny' | 'require_approval';

export interface PolicyMatch {
  readonly effect_kind?: string;
  readonly cap_name?: string;
  readonly cap_type?: string;
  readonly origin_kind?: 'workflow' | 'system' | 'governance';
  readonly origin_name?: string;
}

export interface DefPolicy {
  readonly $kind: 'defpolicy';
  readonly name: string;
  readonly rules: ReadonlyArray<{ readonly when: PolicyMatch; readonly decision: PolicyDecision }>;
}

export interface DefSecret {
  readonly $kind: 'defsecret';
  readonly name: string;
  readonly binding_id: string;
  readonly expected_digest?: Hash;
  readonly allowed_caps?: readonly string[];
}

export type Def = DefSchema | DefModule | DefEffect | DefCap | DefPolicy | DefSecret;

/** Budgets on a grant (our addition), charged from receipts and enforced at enqueue. */
export interface GrantBudget {
  readonly cost_cents?: number | bigint;
  readonly tokens?: number | bigint;
  readonly count?: number | bigint;
  readonly window_ns?: number | bigint;
}

export interface CapGrant {
  readonly name: string;
  readonly cap: string;
  /** The grant's parameters as a canonical typed value of the defcap's schema. */
  readonly params: unknown;
  readonly expiry_ns?: number | bigint;
  readonly budget?: GrantBudget;
}

export interface NamedRef { readonly name: string; readonly hash: Hash }
export interface Subscription { readonly event: string; readonly module: string; readonly key_field?: string }

/** Who may approve proposals and effects, and how many must (our addition). */
export interface ApprovalPolicy {
  readonly principals: ReadonlyArray<{ readonly name: string; readonly public_key: string }>;
  readonly quorum: number;
  readonly rules?: ReadonlyArray<{ readonly touches: readonly string[]; readonly quorum: number; readonly principals?: readonly string[] }>;
}

export interface Manifest {
  readonly $kind: 'manifest';
  readonly air_version: '1';
  readonly schemas: readonly NamedRef[];
  readonly modules: readonly NamedRef[];
  readonly effects: readonly NamedRef[];
  readonly caps: readonly NamedRef[];
  readonly policies: readonly NamedRef[];
  readonly secrets?: readonly NamedRef[];
  readonly effect_bindings?: ReadonlyArray<{ readonly kind: string; readonly adapter_id: string }>;
  readonly defaults?: { readonly policy?: string; readonly cap_grants?: readonly CapGrant[] };
  readonly module_bindings?: Readonly<Record<string, { readonly slots: Readonly<Record<string, string>> }>>;
  readonly routing?: {
    readonly subscriptions?: readonly Subscription[];
    readonly inboxes?: ReadonlyArray<{ readonly source: string; readonly workflow: string }>;
  };
  readonly approval_policy?: ApprovalPolicy;
}

export type Node = Def | Manifest;

/** The manifest list that holds refs to defs of a kind. */
export const MANIFEST_SECTION: Readonly<Record<DefKind, 'schemas' | 'modules' | 'effects' | 'caps' | 'policies' | 'secrets'>> = {
  defschema: 'schemas', defmodule: 'modules', defeffect: 'effects', defcap: 'caps', defpolicy: 'policies', defsecret: 'secrets',
};

/**
 * The enforcer that allows every effect: the kernel's own, so it has no module def. Upstream's
 * default for a defcap that names no enforcer.
 */
export const CAP_ALLOW_ALL = 'sys/CapAllowAll@1';

/** True for names in the reserved built-in namespace. */
export function isSysName(name: string): boolean {
  return name.startsWith('sys/');
}
