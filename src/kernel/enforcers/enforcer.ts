// What a built-in cap enforcer sees and says: upstream's CapCheckInput and CapCheckOutput
// (upstream-kernel §4), as in-memory values. Enforcers are pure functions of these.
import type { CborValue } from '../../cbor/index.ts';
import { DENY_QUOTED_CHARS_MAX } from '../limits.ts';
import type { TypedBytes } from '../typed-bytes.ts';

/** One effect to check against one grant. */
export interface CapCheck {
  /** The grant's name. */
  readonly grant: string;
  /** The grant's params: a typed value of its defcap's schema. */
  readonly capParams: CborValue;
  readonly effectKind: string;
  /** Canonical bytes and typed value (decoded when first read: enforcers that need no params cost nothing). */
  readonly effectParams: TypedBytes;
}

/** An enforcer's answer: allowed, or denied with a stable code and a message that says what was refused. */
export type CapVerdict = { readonly allowed: true } | { readonly allowed: false; readonly code: string; readonly message: string };

/** A built-in enforcer: pure, deterministic, no I/O. */
export type BuiltinEnforcer = (check: CapCheck) => CapVerdict;

/** The one allow verdict (shared: allowing allocates nothing). */
export const ALLOW: CapVerdict = Object.freeze({ allowed: true });

/** A denial with its stable code and a message saying what was refused. */
export function deny(code: string, message: string): CapVerdict {
  return { allowed: false, code, message };
}

/** The enforcer allows everything: for caps whose params constrain nothing (and `sys/CapAllowAll@1`). */
export const allowAll: BuiltinEnforcer = () => ALLOW;

/** A value quoted in a message, cut to a bounded length so a denial never journals a huge string. */
export function quoted(value: string): string {
  const cut = value.length > DENY_QUOTED_CHARS_MAX ? `${value.slice(0, DENY_QUOTED_CHARS_MAX)}…` : value;
  return JSON.stringify(cut);
}

/** An allowlist as a message shows it. */
export function listed(values: readonly (string | number | bigint)[]): string {
  return values.map((value) => (typeof value === 'string' ? quoted(value) : String(value))).join(', ');
}

/** The denial of an effect kind an enforcer does not know how to check: it fails closed. */
export function kindMismatch(enforcer: string, kind: string): CapVerdict {
  return deny('effect_kind_mismatch', `enforcer ${enforcer} cannot check "${kind}" effects; grant them with a cap whose enforcer knows that kind`);
}
