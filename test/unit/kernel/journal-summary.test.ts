// Goal: summarizeJournal counts what a journal holds (records by kind, intents, receipts by
// status, rejected receipts, cap/policy/approval decisions, faults and faulted instances) and
// lists exactly the intents no receipt or denial settled, oldest first; kinds it does not know
// are counted, not refused; the same records give the same summary.
// Method: journals built by hand with sealRecord, shaped as the kernel writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import { sealRecord, summarizeJournal } from '../../../src/kernel/index.ts';
import type { PublicKeyId, RecordBody, SealedRecord } from '../../../src/kernel/index.ts';

const MODULE = 'test/Worker@1';
const cbor = (value: Parameters<typeof encodeCanonical>[0]) => encodeCanonical(value, { selfDescribe: false });
const hash = (label: string): Hash => hashBytes(new TextEncoder().encode(label));
const STAMP = { now_ns: 1n, logical_now_ns: 1n, entropy: new Uint8Array(64), journal_height: 0, manifest_hash: hash('manifest') };

/** A journal written record by record. */
class Journal {
  readonly records: SealedRecord[] = [];

  add(body: RecordBody | Record<string, unknown>): number {
    const last = this.records[this.records.length - 1];
    const record = sealRecord(this.records.length, last?.hash ?? null, body as RecordBody);
    this.records.push(record);
    return record.height;
  }

  event(): number {
    return this.add({ kind: 'domain_event', schema: 'test/Event@1', value: cbor({}), event_hash: hash(`event ${this.records.length}`), origin: { kind: 'ingress' }, stamp: STAMP });
  }

  /** cap allow, policy `decision`, then (unless denied) the intent. */
  effect(cause: number, intent: Hash, key: string, decision: 'allow' | 'require_approval' = 'allow'): void {
    const origin = { module: MODULE, key: cbor(key) };
    this.add({ kind: 'cap_decision', intent_hash: intent, effect_kind: 'http.request', grant: 'web', cap_type: 'http.out', decision: 'allow', origin, cause });
    this.add({ kind: 'policy_decision', intent_hash: intent, policy: 'test/policy@1', rule_index: 0, decision, origin, cause });
    this.add({
      kind: 'effect_intent', intent_hash: intent, effect_kind: 'http.request', params: cbor({}), grant: 'web', idempotency_key: cbor(key),
      ...(decision === 'require_approval' ? { awaiting_approval: true } : {}), origin, cause,
    });
  }

  receipt(intent: Hash, status: 'ok' | 'error' | 'timeout'): number {
    return this.add({ kind: 'effect_receipt', intent_hash: intent, adapter_id: 'http.default', status, payload: cbor({}), signature: new Uint8Array(64), stamp: STAMP });
  }

  fault(cause: number, key: string): number {
    return this.add({ kind: 'workflow_fault', module: MODULE, key: cbor(key), failure: { kind: 'trapped', message: 'boom' }, cause });
  }
}

test('an empty journal sums to zero with nothing open', () => {
  assert.deepEqual(summarizeJournal([]), {
    records: 0, kinds: {},
    effects: { intents: 0, receipts: { ok: 0, error: 0, timeout: 0 }, rejected_receipts: 0 },
    cap_decisions: { allow: 0, deny: 0 }, policy_decisions: { allow: 0, deny: 0, require_approval: 0 }, approvals: { approve: 0, deny: 0 },
    workflows: { faults: 0, faulted_instances: 0 }, open_intents: [],
  });
});

test('receipts settle their intents, by status; the unsettled stay open, oldest first', () => {
  const journal = new Journal();
  journal.add({ kind: 'manifest', manifest_hash: hash('manifest') });
  const start = journal.event();
  for (const name of ['a', 'b', 'c', 'd']) journal.effect(start, hash(name), name);
  journal.receipt(hash('b'), 'ok');
  journal.receipt(hash('d'), 'timeout');
  journal.add({ kind: 'receipt_rejected', intent_hash: hash('a'), adapter_id: 'http.default', status: 'ok', payload_hash: hash('forged'), reason: 'bad_signature', message: 'forged', stamp: STAMP });
  journal.receipt(hash('c'), 'error');
  const summary = summarizeJournal(journal.records);
  assert.equal(summary.records, 18);
  assert.deepEqual(summary.kinds, { cap_decision: 4, domain_event: 1, effect_intent: 4, effect_receipt: 3, manifest: 1, policy_decision: 4, receipt_rejected: 1 });
  assert.deepEqual(summary.effects, { intents: 4, receipts: { ok: 1, error: 1, timeout: 1 }, rejected_receipts: 1 });
  assert.deepEqual(summary.open_intents, [{ intent_hash: hash('a'), effect_kind: 'http.request', module: MODULE, height: 4, awaiting_approval: false }], 'a rejected receipt settles nothing');
});

test('decisions are counted by verdict; an approver\'s denial settles its intent, an approval does not', () => {
  const journal = new Journal();
  const start = journal.event();
  journal.effect(start, hash('held'), 'held', 'require_approval');
  journal.effect(start, hash('denied'), 'denied', 'require_approval');
  journal.add({ kind: 'cap_decision', intent_hash: hash('refused'), effect_kind: 'http.request', grant: 'web', cap_type: 'http.out', decision: 'deny', code: 'host_not_allowed', message: 'no', origin: { module: MODULE }, cause: start });
  const principal = `ed25519:${'ab'.repeat(32)}` as PublicKeyId;
  journal.add({ kind: 'approval', intent_hash: hash('held'), decision: 'approve', principal, signature: new Uint8Array(64), stamp: STAMP });
  journal.add({ kind: 'approval', intent_hash: hash('denied'), decision: 'deny', principal, signature: new Uint8Array(64), stamp: STAMP });
  const summary = summarizeJournal(journal.records);
  assert.deepEqual([summary.cap_decisions, summary.policy_decisions, summary.approvals], [{ allow: 2, deny: 1 }, { allow: 0, deny: 0, require_approval: 2 }, { approve: 1, deny: 1 }]);
  assert.deepEqual(summary.open_intents.map((open) => [open.intent_hash, open.awaiting_approval]), [[hash('held'), true]]);
});

test('faults are counted per record and per instance', () => {
  const journal = new Journal();
  const start = journal.event();
  journal.fault(start, 'x');
  journal.fault(start, 'x');
  journal.fault(start, 'y');
  journal.add({ kind: 'workflow_fault', module: 'test/Other@1', failure: { kind: 'trapped', message: 'boom' }, cause: start });
  assert.deepEqual(summarizeJournal(journal.records).workflows, { faults: 4, faulted_instances: 3 });
});

test('a kind this kernel does not know is counted, not refused; the same records give the same summary', () => {
  const journal = new Journal();
  journal.event();
  journal.add({ kind: 'future_kind', note: 'from a later kernel' });
  const summary = summarizeJournal(journal.records);
  assert.deepEqual(summary.kinds, { domain_event: 1, future_kind: 1 });
  assert.deepEqual(summarizeJournal(journal.records), summary);
});
