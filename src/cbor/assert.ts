/** Raised when one of our own invariants fails: a bug in AgentOS, never a user error. Nothing catches it. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
  readonly code = 'INVARIANT_VIOLATED';
}

/** Checks an invariant of our own code; a failure halts whatever is running. */
export function assert(condition: boolean, invariant: string): asserts condition {
  if (!condition) throw new InvariantError(`invariant violated: ${invariant}`);
}

/** Marks a branch the type system proves unreachable. */
export function assertNever(value: never, what: string): never {
  throw new InvariantError(`invariant violated: unexpected ${what}: ${String(value)}`);
}
