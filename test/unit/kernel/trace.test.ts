// Goal: a trace holds exactly the records its root event caused (linked by cause heights,
// decision → intent by intent hash and step, intent → receipt, receipt → what its delivery
// caused), never the unrelated records in between; diagnose gives every outcome, in priority
// order, with a hint naming the grant, policy or effect; unknown record kinds are shown and
// classify nothing.
// Method: journals built by hand with sealRecord, shaped as step-input.ts writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { diagnose, firstEventWithHash, latestEventWhere, OUTCOMES, sealRecord, traceFrom } from '../../../src/kernel/index.ts';
import type { Outcome, PublicKeyId, RecordBody, SealedRecord, TraceGraph } from '../../../src/kernel/index.ts';

const MODULE = 'test/Guarded@1';
const cbor = (value: Parameters<typeof encodeCanonical>[0]) => encodeCanonical(value, { selfDescribe: false });
const hash = (label: string): Hash => hashBytes(new TextEncoder().encode(label));
const STAMP = { now_ns: 1n, logical_now_ns: 1n, entropy: new Uint8Array(64), journal_height: 0, manifest_hash: hash('manifest') };
const origin = (key: string) => ({ module: MODULE, key: cbor(key) });

/** A journal written record by record; each helper returns the height it wrote. */
class Journal {
  readonly records: SealedRecord[] = [];

  add(body: RecordBody | Record<string, unknown>): number {
    const last = this.records[this.records.length - 1];
    const record = sealRecord(this.records.length, last?.hash ?? null, body as RecordBody);
    this.records.push(record);
    return record.height;
  }

  event(id: string, op = 'op'): number {
    return this.add({ kind: 'domain_event', schema: 'test/GuardedEvent@1', value: cbor({ id, op }), event_hash: hash(`event ${id} ${op} ${this.records.length}`), origin: { kind: 'ingress' }, stamp: STAMP });
  }

  cap(cause: number, intent: Hash, key: string, decision: 'allow' | 'deny' = 'allow', code?: string, grant: string | null = 'web'): number {
    return this.add({ kind: 'cap_decision', intent_hash: intent, effect_kind: 'http.request', grant, cap_type: 'http.out', decision, ...(code !== undefined ? { code, message: `refused: ${code}` } : {}), origin: origin(key), cause });
  }

  policy(cause: number, intent: Hash, key: string, decision: 'allow' | 'deny' | 'require_approval' = 'allow', rule: number | null = 2): number {
    return this.add({ kind: 'policy_decision', intent_hash: intent, policy: 'test/policy@1', rule_index: rule, decision, origin: origin(key), cause });
  }

  intent(cause: number, intent: Hash, key: string): number {
    return this.add({ kind: 'effect_intent', intent_hash: intent, effect_kind: 'http.request', params: cbor({}), grant: 'web', idempotency_key: cbor(key), origin: origin(key), cause });
  }

  /** cap allow, policy allow, intent: an allowed effect, as one step journals it. */
  allowed(cause: number, intent: Hash, key: string): number {
    this.cap(cause, intent, key);
    this.policy(cause, intent, key);
    return this.intent(cause, intent, key);
  }

  receipt(intent: Hash, status: 'ok' | 'error' | 'timeout' = 'ok'): number {
    return this.add({ kind: 'effect_receipt', intent_hash: intent, adapter_id: 'http.default', status, payload: cbor({}), signature: new Uint8Array(64), stamp: STAMP });
  }

  fault(cause: number, key: string, kind: string, code?: string): number {
    return this.add({ kind: 'workflow_fault', module: MODULE, key: cbor(key), failure: { kind, ...(code !== undefined ? { code } : {}), message: `${kind} happened` }, cause });
  }

  emitted(cause: number, key: string): number {
    return this.add({ kind: 'domain_event', schema: 'test/Followup@1', value: cbor({ id: key }), event_hash: hash(`followup ${this.records.length}`), origin: { kind: 'workflow', module: MODULE, key: cbor(key) }, cause });
  }

  trace(root: number): TraceGraph {
    const graph = traceFrom(this.records, root);
    assert.ok(graph !== null, `a domain event at ${root}`);
    return graph;
  }
}

const heights = (graph: TraceGraph) => graph.nodes.map((record) => record.height);
const outcomeOf = (journal: Journal, root: number): Outcome => diagnose(journal.trace(root)).outcome;

test('a trace follows causal links only: interleaved inputs stay out, receipts and what they caused come in', () => {
  const journal = new Journal();
  journal.add({ kind: 'manifest', manifest_hash: hash('manifest') });
  const a = journal.event('a');
  const aIntent = journal.allowed(a, hash('intent a'), 'a');
  const b = journal.event('b');
  const bIntent = journal.allowed(b, hash('intent b'), 'b');
  const receipt = journal.receipt(hash('intent a'));
  const followup = journal.emitted(receipt, 'a');
  const routed = journal.allowed(followup, hash('intent a2'), 'a');
  journal.receipt(hash('intent b'));
  const graph = journal.trace(a);
  assert.deepEqual(heights(graph), [a, a + 1, a + 2, aIntent, receipt, followup, routed - 2, routed - 1, routed]);
  assert.ok(!heights(graph).includes(b) && !heights(graph).includes(bIntent), 'b is not caused by a');
  assert.deepEqual(graph.edges.map((edge) => edge.kind), ['caused', 'decided', 'opened', 'settled', 'caused', 'caused', 'decided', 'opened']);
  assert.deepEqual(graph.edges.find((edge) => edge.to === receipt), { from: aIntent, to: receipt, kind: 'settled' });
  assert.equal(diagnose(graph).outcome, 'waiting_receipt', 'the follow-up intent is open');
  assert.equal(diagnose(journal.trace(b)).outcome, 'completed');
});

test('a root that is not a domain event, or not there, gives no graph; selection by hash and by correlation', () => {
  const journal = new Journal();
  journal.add({ kind: 'manifest', manifest_hash: hash('manifest') });
  const first = journal.event('a', 'one');
  journal.event('b', 'two');
  const latest = journal.event('a', 'three');
  assert.equal(traceFrom(journal.records, 0), null);
  assert.equal(traceFrom(journal.records, 99), null);
  const root = journal.records[first];
  assert.ok(root?.body.kind === 'domain_event');
  assert.equal(firstEventWithHash(journal.records, root.body.event_hash)?.height, first);
  assert.equal(firstEventWithHash(journal.records, hash('nothing')), undefined);
  assert.deepEqual(
    (({ latest: found, matches }) => ({ height: found?.height, matches }))(latestEventWhere(journal.records, 'test/GuardedEvent@1', ['id'], cbor('a'))),
    { height: latest, matches: 2 },
  );
  assert.equal(latestEventWhere(journal.records, 'test/GuardedEvent@1', ['id'], cbor('z')).latest, undefined);
  assert.equal(latestEventWhere(journal.records, 'test/GuardedEvent@1', ['nope'], cbor('a')).latest, undefined);
  assert.equal(latestEventWhere(journal.records, 'test/Other@1', ['id'], cbor('a')).latest, undefined);
});

test('every outcome, with a hint naming what is involved', () => {
  const cases: Array<{ outcome: Outcome; build: (journal: Journal) => number; names: RegExp }> = [
    { outcome: 'policy_denied', names: /rule 0 of policy test\/policy@1.*grant "web"/, build: (journal) => {
      const root = journal.event('p');
      journal.cap(root, hash('p'), 'p');
      journal.policy(root, hash('p'), 'p', 'deny', 0);
      journal.fault(root, 'p', 'effect_denied', 'policy_denied');
      return root;
    } },
    { outcome: 'capability_denied', names: /grant "web".*http\.out/, build: (journal) => {
      const root = journal.event('c');
      journal.cap(root, hash('c'), 'c', 'deny', 'host_not_allowed');
      journal.fault(root, 'c', 'effect_denied', 'host_not_allowed');
      return root;
    } },
    { outcome: 'budget_exhausted', names: /budget of grant "web"/, build: (journal) => {
      const root = journal.event('u');
      journal.cap(root, hash('u'), 'u', 'deny', 'budget_exhausted');
      return root;
    } },
    { outcome: 'approval_pending', names: /aos approvals approve\|deny sha256:/, build: (journal) => {
      const root = journal.event('w');
      journal.cap(root, hash('w'), 'w');
      journal.policy(root, hash('w'), 'w', 'require_approval', 1);
      return root;
    } },
    { outcome: 'adapter_timeout', names: /http\.default/, build: (journal) => {
      const root = journal.event('t');
      journal.allowed(root, hash('t'), 't');
      journal.receipt(hash('t'), 'timeout');
      return root;
    } },
    { outcome: 'adapter_error', names: /aos journal tail --from \d+ --limit 1/, build: (journal) => {
      const root = journal.event('e');
      journal.allowed(root, hash('e'), 'e');
      journal.receipt(hash('e'), 'error');
      return root;
    } },
    { outcome: 'receipt_rejected', names: /aos key ls/, build: (journal) => {
      const root = journal.event('r');
      journal.fault(root, 'r', 'receipt_rejected');
      return root;
    } },
    { outcome: 'workflow_failed', names: /fix test\/Guarded@1/, build: (journal) => {
      const root = journal.event('f');
      journal.fault(root, 'f', 'trapped');
      return root;
    } },
    { outcome: 'waiting_receipt', names: /aos node up/, build: (journal) => {
      const root = journal.event('o');
      journal.allowed(root, hash('o'), 'o');
      return root;
    } },
    { outcome: 'completed', names: /nothing to do/, build: (journal) => {
      const root = journal.event('k');
      journal.allowed(root, hash('k'), 'k');
      journal.receipt(hash('k'));
      return root;
    } },
  ];
  const journal = new Journal();
  for (const { outcome, build, names } of cases) {
    const diagnosis = diagnose(journal.trace(build(journal)));
    assert.equal(diagnosis.outcome, outcome);
    assert.match(diagnosis.hint, names, `${outcome}: ${diagnosis.hint}`);
    assert.ok(diagnosis.summary.length > 0);
  }
  const seen = new Set([...cases.map((entry) => entry.outcome), 'waiting_event']);
  assert.deepEqual(OUTCOMES.filter((outcome) => !seen.has(outcome)), [], 'every outcome has a case here or in the next test');
});

test('waiting_event needs the live world: an instance still alive after every effect settled', () => {
  const journal = new Journal();
  const root = journal.event('k');
  journal.allowed(root, hash('k'), 'k');
  journal.receipt(hash('k'));
  const graph = journal.trace(root);
  const asked: string[] = [];
  const waiting = diagnose(graph, { isAwaitingEvent: (module, key) => { asked.push(`${module} ${key?.length ?? 0}`); return true; } });
  assert.equal(waiting.outcome, 'waiting_event');
  assert.match(waiting.hint, /aos world state test\/Guarded@1 --key-json '"k"'/);
  assert.deepEqual(asked, [`${MODULE} 2`]);
  assert.equal(diagnose(graph, { isAwaitingEvent: () => false }).outcome, 'completed');
});

test('the most pressing outcome wins: a denial over an open intent elsewhere in the chain', () => {
  const journal = new Journal();
  const root = journal.event('x');
  journal.allowed(root, hash('x1'), 'x');
  const receipt = journal.receipt(hash('x1'));
  journal.cap(receipt, hash('x2'), 'x');
  journal.policy(receipt, hash('x2'), 'x', 'deny', null);
  journal.fault(receipt, 'x', 'effect_denied', 'policy_no_match');
  const diagnosis = diagnose(journal.trace(root));
  assert.equal(diagnosis.outcome, 'policy_denied');
  assert.equal(diagnosis.height, receipt + 2);
  assert.match(diagnosis.hint, /add a rule to policy test\/policy@1 that allows http\.request/);
  assert.equal(outcomeOf(journal, root), 'policy_denied');
});

test('records of unknown kinds are shown where they link, and classify nothing', () => {
  const journal = new Journal();
  const root = journal.event('n');
  const intent = journal.allowed(root, hash('n'), 'n');
  const rejection = journal.add({ kind: 'receipt_rejection', intent_hash: hash('n'), adapter_id: 'http.default', reason: 'bad signature' });
  const caused = journal.add({ kind: 'budget_charge', grant: 'web', cost_cents: 3, cause: root });
  journal.add({ kind: 'trusted_keys', keys: [] });
  const graph = journal.trace(root);
  assert.deepEqual(heights(graph), [root, root + 1, root + 2, intent, rejection, caused]);
  assert.deepEqual(graph.edges.slice(-2).map((edge) => [edge.from, edge.kind]), [[intent, 'concerns'], [root, 'caused']]);
  assert.equal(diagnose(graph).outcome, 'waiting_receipt');
});

test('an approval settles approval_pending: approved and executed reads as completed, denied as policy_denied; a rejected receipt is named', () => {
  const journal = new Journal();
  const approve = (intent: Hash, decision: 'approve' | 'deny') => journal.add({ kind: 'approval', intent_hash: intent, decision, principal: `ed25519:${'ab'.repeat(32)}` as PublicKeyId, signature: new Uint8Array(64), stamp: STAMP });
  const waiting = (id: string) => {
    const root = journal.event(id);
    journal.cap(root, hash(id), id);
    journal.policy(root, hash(id), id, 'require_approval', 1);
    journal.intent(root, hash(id), id);
    return root;
  };
  const pending = waiting('p');
  assert.equal(outcomeOf(journal, pending), 'approval_pending');
  approve(hash('p'), 'approve');
  journal.receipt(hash('p'));
  assert.equal(outcomeOf(journal, pending), 'completed', 'approved, executed and settled');
  const refused = waiting('d');
  approve(hash('d'), 'deny');
  const denied = diagnose(journal.trace(refused));
  assert.equal(denied.outcome, 'policy_denied');
  assert.match(denied.summary, /denied by principal ed25519:/);
  const root = journal.event('x');
  journal.allowed(root, hash('x'), 'x');
  journal.add({ kind: 'receipt_rejected', intent_hash: hash('x'), adapter_id: 'http.default', status: 'ok', payload_hash: hash('payload'), reason: 'UNKNOWN_KEY', message: 'no trusted key', stamp: STAMP });
  const rejected = diagnose(journal.trace(root));
  assert.equal(rejected.outcome, 'receipt_rejected');
  assert.match(rejected.hint, /aos key ls/);
});
