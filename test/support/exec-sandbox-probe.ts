// Whether this machine can build host.exec's sandbox (bubblewrap): tests that run real commands
// skip, saying why, where it cannot (every host.exec is refused there, so they could show nothing).
import type { TestContext } from 'node:test';
import { BubblewrapSandbox } from '../../src/adapters/host/exec-sandbox.ts';

let sandboxProbe: string | null | undefined;

/**
 * Skips the test, saying why, when this machine cannot build host.exec's sandbox (bubblewrap):
 * every host.exec is refused there, so an exec test could show nothing. True when skipped.
 */
export function skipWithoutSandbox(t: TestContext): boolean {
  if (sandboxProbe === undefined) {
    try {
      new BubblewrapSandbox().check();
      sandboxProbe = null;
    } catch (error) {
      sandboxProbe = (error as Error).message;
    }
  }
  if (sandboxProbe === null) return false;
  t.skip(`bwrap not installed or unusable here (apt-get install bubblewrap): ${sandboxProbe}`);
  return true;
}
