// Which principal key a workflow decides governance proposals with (DESIGN §8: a workflow may
// approve only if the approval policy names its principal). The node operator assigns them in
// <root>/.aos/workflow-principals.json, {"<workflow module>": "<principal key name>"}, naming
// principal keys of <root>/.aos/keys (`aos key gen --role principal`). The file is node-local
// configuration, never part of the world: the approval policy still decides whether the key
// counts, and without an entry the workflow cannot approve or reject at all.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ApprovalSigner } from './approval-signer.ts';
import { NodeError } from './errors.ts';
import { loadApprovalSigner } from './keys.ts';
import { WORKFLOW_PRINCIPALS_FILE_BYTES_MAX } from './limits.ts';

/** The file, under <root>/.aos, that assigns principal keys to workflows. */
export const WORKFLOW_PRINCIPALS_FILE = 'workflow-principals.json';

/** The path of a root's assignment file. */
export function workflowPrincipalsPath(root: string): string {
  return join(root, '.aos', WORKFLOW_PRINCIPALS_FILE);
}

/** The principal signers assigned to workflows, by module; empty when the root assigns none. */
export function loadWorkflowPrincipals(root: string): Map<string, ApprovalSigner> {
  const file = workflowPrincipalsPath(root);
  const assigned = new Map<string, ApprovalSigner>();
  if (!existsSync(file)) return assigned;
  if (statSync(file).size > WORKFLOW_PRINCIPALS_FILE_BYTES_MAX) throw invalid(file, `it is larger than ${WORKFLOW_PRINCIPALS_FILE_BYTES_MAX} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw invalid(file, `it is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid(file, 'it is not a JSON object');
  for (const [module, key] of Object.entries(parsed)) {
    if (typeof key !== 'string') throw invalid(file, `the entry for ${module} is not a key name`);
    assigned.set(module, loadApprovalSigner(root, key));
  }
  return assigned;
}

function invalid(file: string, problem: string): NodeError {
  return new NodeError('BAD_INPUT', `${file} does not assign principal keys to workflows: ${problem}`, 'write {"<workflow module>": "<principal key name>", …}, naming keys made with `aos key gen --role principal`');
}
