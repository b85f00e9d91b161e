// Shared by the node tests: run an action that must be refused with a NodeError of `code` whose
// message or hint mentions every fragment; returns the error for further checks.
import assert from 'node:assert/strict';
import { NodeError } from '../../src/node/index.ts';
import type { NodeErrorCode } from '../../src/node/index.ts';

export function nodeRefusal(action: () => unknown, code: NodeErrorCode, ...fragments: string[]): NodeError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof NodeError, `expected NodeError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  const text = `${caught.message}\n${caught.hint ?? ''}`;
  for (const fragment of fragments) assert.ok(text.includes(fragment), `${JSON.stringify(text)} lacks ${JSON.stringify(fragment)}`);
  return caught;
}
