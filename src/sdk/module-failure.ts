// The one error a module author throws on purpose. The runtime reports it as
// `{kind: 'failed', code, message}`; any other throw is `trapped` (a bug).

/** A deliberate, typed failure of a step or a pure call. */
export class ModuleFailure extends Error {
  override readonly name = 'ModuleFailure';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
