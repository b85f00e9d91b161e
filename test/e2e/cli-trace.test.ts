// Goal: `aos trace` and `aos diagnose` show, as a user runs them, the denial chain of an effect
// the policy or the grant refused (and classify it policy_denied / capability_denied), an
// allowed effect waiting for its receipt, an effect waiting for approval, and a plain event that
// completed; bad selections get a clear error saying what to do.
// Method: spawn bin/aos.js (built from dist/) on a copy of test/fixtures/worlds/guarded created
// with `aos world create`; events sent with `aos world send`; JSON and text output inspected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const SCHEMA = 'test/GuardedEvent@1';

function aos(...args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/aos.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function fetchOp(id: string, url: string, slot: string | null = null): string {
  return JSON.stringify({ id, op: { Fetch: [{ url, method: 'GET', slot }] } });
}

interface TraceJson { root: { height: number; event_hash: string }; nodes: Array<{ height: number; kind: string; summary: string }>; edges: Array<{ from: number; to: number; kind: string }> }
interface DiagnoseJson { diagnosis: { outcome: string; hint: string; grant?: string | null; policy?: string | null; effect_kind?: string } }

test('trace and diagnose on a governed world: denials, open work, approval, completion, and bad selections', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aos-trace-'));
  try {
    cpSync(join(ROOT, 'test/fixtures/worlds/guarded'), dir, { recursive: true, filter: (path) => !path.endsWith('.aos') });
    const created = aos('world', 'create', '--root', dir);
    assert.equal(created.code, 0, created.stderr);
    const sends = [
      fetchOp('allowed', 'https://api.example.com/v1/items'),
      fetchOp('policy', 'https://internal.example/v1/x', 'internal'),
      fetchOp('cap', 'https://evil.example/v1/x'),
      JSON.stringify({ id: 'plain', op: { Inc: 2 } }),
      JSON.stringify({ id: 'wait', op: { Wait: 5 } }),
    ];
    for (const value of sends) assert.equal(aos('world', 'send', '--root', dir, '--schema', SCHEMA, '--value-json', value).code, 0);
    const select = (id: string) => ['--root', dir, '--schema', SCHEMA, '--correlate-by', 'id', '--value', JSON.stringify(id)];
    const diagnosis = (id: string) => (JSON.parse(aos('diagnose', ...select(id), '--json').stdout) as DiagnoseJson).diagnosis;

    // Denied by the policy: the decisions, then the fault, all under the event; nothing else.
    const policy = JSON.parse(aos('trace', ...select('policy'), '--json').stdout) as TraceJson;
    assert.deepEqual(policy.nodes.map((node) => node.kind), ['domain_event', 'cap_decision', 'policy_decision', 'workflow_fault']);
    assert.deepEqual(policy.edges.map((edge) => edge.kind), ['caused', 'decided', 'caused']);
    assert.ok(policy.edges.every((edge) => policy.nodes.some((node) => node.height === edge.from)));
    const text = aos('trace', ...select('policy'));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^@\d+ domain_event {2}test\/GuardedEvent@1 from outside \{"id":"policy"/);
    assert.match(text.stdout, /\n {2}@\d+ cap_decision {2}allow http\.request by test\/Guarded@1\["policy"\] under grant "internal"/);
    assert.match(text.stdout, /\n {4}@\d+ policy_decision {2}deny by policy test\/policy@1 rule 0/);
    const denied = diagnosis('policy');
    assert.deepEqual([denied.outcome, denied.grant, denied.policy, denied.effect_kind], ['policy_denied', 'internal', 'test/policy@1', 'http.request']);
    const deniedText = aos('diagnose', ...select('policy'));
    assert.match(deniedText.stdout, /^policy_denied: http\.request by test\/Guarded@1\["policy"\] under grant "internal" was denied by policy test\/policy@1: rule 0\nhint: change rule 0 of policy test\/policy@1/);

    // Denied by the grant's enforcer.
    const cap = JSON.parse(aos('trace', ...select('cap'), '--json').stdout) as TraceJson;
    assert.deepEqual(cap.nodes.map((node) => node.kind), ['domain_event', 'cap_decision', 'workflow_fault']);
    assert.match(cap.nodes[1]?.summary ?? '', /deny http\.request .* under grant "web": host_not_allowed/);
    const capDenied = diagnosis('cap');
    assert.deepEqual([capDenied.outcome, capDenied.grant], ['capability_denied', 'web']);
    assert.match(capDenied.hint, /widen grant "web"/);

    // Allowed: open work with no receipt (no node runs adapters here); by hash as well.
    const allowed = JSON.parse(aos('trace', ...select('allowed'), '--json').stdout) as TraceJson;
    assert.deepEqual(allowed.nodes.map((node) => node.kind), ['domain_event', 'cap_decision', 'policy_decision', 'effect_intent']);
    assert.equal(diagnosis('allowed').outcome, 'waiting_receipt');
    const byHash = JSON.parse(aos('trace', '--root', dir, '--event', allowed.root.event_hash, '--json').stdout) as TraceJson;
    assert.deepEqual(byHash.nodes, allowed.nodes);

    assert.equal(diagnosis('wait').outcome, 'approval_pending');
    const plain = aos('diagnose', ...select('plain'));
    assert.match(plain.stdout, /^completed: 1 record in the chain/);
    assert.equal((JSON.parse(aos('trace', ...select('plain'), '--json').stdout) as TraceJson).nodes.length, 1, 'later records are not part of it');

    // Bad selections.
    const missing = aos('trace', ...select('nobody'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no test\/GuardedEvent@1 event has id = "nobody"[\s\S]*hint: .*aos journal tail --root .* --kind domain_event/);
    const noHash = aos('diagnose', '--root', dir, '--event', `sha256:${'0'.repeat(64)}`, '--json');
    assert.equal(noHash.code, 1);
    assert.equal((JSON.parse(noHash.stderr) as { error: { code: string } }).error.code, 'NO_SUCH_EVENT');
    const both = aos('trace', ...select('cap'), '--event', allowed.root.event_hash);
    assert.match(both.stderr, /pass one or the other/);
    const badPath = aos('trace', '--root', dir, '--schema', SCHEMA, '--correlate-by', 'op.id', '--value', '"x"');
    assert.equal(badPath.code, 1);
    assert.match(badPath.stderr, /--correlate-by "op\.id": test\/GuardedEvent@1 at "op" has no field "id" \(it is not a record\)/);
    const badField = aos('trace', '--root', dir, '--schema', SCHEMA, '--correlate-by', 'name', '--value', '"x"');
    assert.match(badField.stderr, /has no field "name" \(it has fields "id", "op"\)/);
    const badValue = aos('trace', '--root', dir, '--schema', SCHEMA, '--correlate-by', 'id', '--value', '42');
    assert.equal(badValue.code, 1);
    assert.match(badValue.stderr, /--value/);
    const none = aos('trace', '--root', dir);
    assert.match(none.stderr, /choose the root event/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
