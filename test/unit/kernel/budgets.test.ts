// Goal: the reservation rule of budgets.ts, unit by unit: an llm.generate reserves its
// runtime.max_tokens, other effects none; the cost reservation is the grant's peak receipt cost;
// a grant without a budget reserves nothing; and the check counts spent + reserved + asked.
// Method: manifests built in memory (enforcement fixture) with an llm grant carrying a token
// budget, decided through the real enforcement chain against a ledger the test charges and reserves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hash } from '../../../src/cbor/index.ts';
import { decideEffect, isDenied } from '../../../src/kernel/authorize.ts';
import { BudgetLedger, StepBudgets } from '../../../src/kernel/budgets.ts';
import { AGENT, envOf, requestOf, viewOf } from '../../support/enforcement-fixture.ts';

function llmView(budget: Record<string, number> | undefined) {
  return viewOf([], {
    defaults: { cap_grants: [{ name: 'llm', cap: 'sys/llm.basic@1', params: {}, ...(budget === undefined ? {} : { budget }) }] },
    module_bindings: { [AGENT]: { slots: { llm: 'llm' } } },
  });
}
const generate = (maxTokens?: number) => ({ provider: 'openai-chat', model: 'm', message_refs: [], runtime: maxTokens === undefined ? {} : { max_tokens: maxTokens }, api_key: null });

test('an llm.generate reserves its max_tokens, one count, and the grant\'s peak cost; no budget, no reservation', () => {
  const view = llmView({ tokens: 1_000 });
  const ledger = new BudgetLedger();
  const env = { ...envOf(view), budgets: ledger };
  assert.deepEqual(decideEffect(requestOf(view, 'llm.generate', generate(300), { slot: 'llm' }), env).reserved, { costCents: 0n, tokens: 300n, count: 1n });
  assert.deepEqual(decideEffect(requestOf(view, 'llm.generate', generate(), { slot: 'llm' }), env).reserved, { costCents: 0n, tokens: 0n, count: 1n }, 'no max_tokens: no tokens reserved');
  const grant = view.authority.grants.get('llm');
  assert.ok(grant?.budget !== null && grant?.budget !== undefined);
  ledger.charge('llm', grant.budget, { atNs: 1n, costCents: 7n, tokens: 10n, count: 1n });
  ledger.charge('llm', grant.budget, { atNs: 2n, costCents: 3n, tokens: 10n, count: 1n });
  assert.equal(decideEffect(requestOf(view, 'llm.generate', generate(1), { slot: 'llm' }), env).reserved?.costCents, 7n, 'the dearest receipt so far');
  const free = llmView(undefined);
  assert.equal(decideEffect(requestOf(free, 'llm.generate', generate(300), { slot: 'llm' }), envOf(free)).reserved, undefined);
});

test('tokens: spent + reserved + asked must stay within the ceiling; a step counts its own earlier effects', () => {
  const view = llmView({ tokens: 1_000 });
  const ledger = new BudgetLedger();
  const grant = view.authority.grants.get('llm');
  assert.ok(grant?.budget !== null && grant?.budget !== undefined);
  ledger.charge('llm', grant.budget, { atNs: 1n, costCents: 0n, tokens: 200n, count: 1n });
  ledger.reserve('llm', { costCents: 0n, tokens: 500n, count: 1n });
  const step = new StepBudgets(ledger);
  const env = { ...envOf(view), budgets: step };
  const fits = decideEffect(requestOf(view, 'llm.generate', generate(300), { slot: 'llm' }), env);
  assert.ok(!isDenied(fits), '200 + 500 + 300 = 1000: exactly the ceiling');
  step.add('llm', `sha256:${'a'.repeat(64)}` as Hash, { costCents: 0n, tokens: 300n, count: 1n });
  const over = decideEffect(requestOf(view, 'llm.generate', generate(1), { slot: 'llm' }), env);
  assert.ok(isDenied(over) && !over.cap.allowed);
  assert.match(over.cap.allowed ? '' : over.cap.message, /has committed its tokens budget: 200 spent and 800 reserved by open intents, of 1000/);
  ledger.release('llm', { costCents: 0n, tokens: 500n, count: 1n });
  const asked = decideEffect(requestOf(view, 'llm.generate', generate(600), { slot: 'llm' }), env);
  assert.ok(!asked.cap.allowed);
  assert.match(asked.cap.message, /cannot reserve 600 tokens for this effect: 200 spent and 300 reserved by open intents leave 500 of 1000; lower the request's runtime.max_tokens/);
});
