/** The CLI's error: a message for people, a hint saying what to do next, and the exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(readonly code: string, message: string, readonly hint?: string, readonly exitCode = 1) {
    super(message);
  }
}
