// Budgets on cap grants (DESIGN §4, §6): what each grant with a budget has spent, charged from
// its intents' receipts (cost in cents, tokens = prompt + completion, count = 1 per receipt), and
// what its open intents have reserved; both are checked when an effect is enqueued, so N intents
// emitted before any receipt cannot all pass a budget that allows fewer.
//
// Reservation rule (deterministic: a function of the intent and of journaled receipts only):
//   count       1 per open intent;
//   tokens      an llm.generate's params.runtime.max_tokens (0 when it sets none: the enforcer
//               sys/CapEnforceLlmBasic@1 can require one); 0 for other effects;
//   cost_cents  the largest cost any single receipt has charged to the grant so far (its "peak",
//               0 before the first receipt): the cost of an effect is known only from its
//               receipt, so the best deterministic guess is the dearest one seen.
// An intent's reservation is fixed when it opens (journaled as the effect_intent's `reserved`,
// kept with the open intent in snapshots) and released when it settles: by a receipt of any
// status, which then charges what it reports, or by an approval denial, which charges nothing.
// World state: charges and peaks are in snapshots and re-derived on replay (every charge follows
// from a journaled receipt); reservations are re-derived from the open work. Pure; time is
// logical time.
import { assert, isCborObject } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import type { CompiledBudget, CompiledGrant } from './authority.ts';
import { ALLOW, deny } from './enforcers/index.ts';
import type { CapVerdict } from './enforcers/index.ts';
import { BUDGET_WINDOW_CHARGES_MAX } from './limits.ts';

/** Amounts in the three budget dimensions. */
export interface BudgetAmounts {
  readonly costCents: bigint;
  readonly tokens: bigint;
  readonly count: bigint;
}

/** What one receipt (or several merged) spent, at the logical time it was charged. */
export interface BudgetCharge extends BudgetAmounts {
  readonly atNs: bigint;
}

/** What a grant's budget check reads: spending within the window, open reservations, the peak receipt cost. */
export interface BudgetUsage {
  usage(grant: string, budget: CompiledBudget, nowNs: bigint): BudgetCharge;
  /** What the grant's open intents have reserved (zero when none). */
  reserved(grant: string): BudgetAmounts;
  /** The largest cost_cents one receipt has charged to the grant (0 before any). */
  peakCostCents(grant: string): bigint;
}

/** The effect kind whose params bound the tokens it may spend (runtime.max_tokens). */
const LLM_GENERATE_KIND = 'llm.generate';
const ZERO: BudgetAmounts = Object.freeze({ costCents: 0n, tokens: 0n, count: 0n });

/**
 * Charges by grant, reservations by grant, and peak receipt cost by grant. A grant without a
 * window keeps one running total; a windowed grant keeps its charges (oldest first) and drops
 * those that left the window when it is charged again.
 */
export class BudgetLedger implements BudgetUsage {
  private readonly charges = new Map<string, BudgetCharge[]>();
  private readonly reservations = new Map<string, BudgetAmounts>();
  private readonly peaks = new Map<string, bigint>();

  /** Charges one receipt to a grant with a budget. */
  charge(grant: string, budget: CompiledBudget, charge: BudgetCharge): void {
    const kept = this.charges.get(grant) ?? [];
    const last = kept[kept.length - 1];
    assert(last === undefined || last.atNs <= charge.atNs, 'logical time never goes backwards');
    if (charge.costCents > (this.peaks.get(grant) ?? 0n)) this.peaks.set(grant, charge.costCents);
    if (budget.windowNs === null) {
      this.charges.set(grant, [last === undefined ? charge : sum(last, charge, charge.atNs)]);
      return;
    }
    const since = charge.atNs - budget.windowNs;
    const live = kept.filter((entry) => entry.atNs > since);
    live.push(charge);
    if (live.length > BUDGET_WINDOW_CHARGES_MAX) {
      const [oldest, next, ...rest] = live;
      assert(oldest !== undefined && next !== undefined, 'more than the maximum means at least two');
      live.splice(0, live.length, sum(oldest, next, next.atNs), ...rest);
    }
    this.charges.set(grant, live);
  }

  /** Adds an opening intent's reservation to its grant. */
  reserve(grant: string, amounts: BudgetAmounts): void {
    this.reservations.set(grant, add(this.reserved(grant), amounts));
  }

  /** Removes a settled intent's reservation from its grant. */
  release(grant: string, amounts: BudgetAmounts): void {
    const held = this.reserved(grant);
    assert(held.costCents >= amounts.costCents && held.tokens >= amounts.tokens && held.count >= amounts.count, 'a release returns what an open intent reserved');
    const left = { costCents: held.costCents - amounts.costCents, tokens: held.tokens - amounts.tokens, count: held.count - amounts.count };
    if (left.count === 0n) {
      assert(left.costCents === 0n && left.tokens === 0n, 'a grant with no open intent holds no reservation');
      this.reservations.delete(grant);
      return;
    }
    this.reservations.set(grant, left);
  }

  /** What a grant spent within its window at `nowNs` (everything, without a window). */
  usage(grant: string, budget: CompiledBudget, nowNs: bigint): BudgetCharge {
    let total: BudgetCharge = { atNs: nowNs, costCents: 0n, tokens: 0n, count: 0n };
    const since = budget.windowNs === null ? null : nowNs - budget.windowNs;
    for (const entry of this.charges.get(grant) ?? []) if (since === null || entry.atNs > since) total = sum(total, entry, nowNs);
    return total;
  }

  reserved(grant: string): BudgetAmounts {
    return this.reservations.get(grant) ?? ZERO;
  }

  peakCostCents(grant: string): bigint {
    return this.peaks.get(grant) ?? 0n;
  }

  /** Every grant's charges, sorted by grant: what a snapshot stores. */
  entries(): Array<[string, readonly BudgetCharge[]]> {
    return [...this.charges.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** Every grant's peak receipt cost above zero, sorted by grant: what a snapshot stores. */
  peakEntries(): Array<[string, bigint]> {
    return [...this.peaks.entries()].filter(([, peak]) => peak > 0n).sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** Replaces the ledger with a snapshot's; the open intents' reservations are added back by the caller. */
  restore(entries: ReadonlyArray<readonly [string, readonly BudgetCharge[]]>, peaks: ReadonlyArray<readonly [string, bigint]>): void {
    this.charges.clear();
    this.reservations.clear();
    this.peaks.clear();
    for (const [grant, charges] of entries) this.charges.set(grant, [...charges]);
    for (const [grant, peak] of peaks) this.peaks.set(grant, peak);
  }
}

/**
 * A step's view of the ledger: the effects a step emits are all decided before any opens, so each
 * one's check must also count what the allowed effects before it in the same step will reserve.
 */
export class StepBudgets implements BudgetUsage {
  private readonly pending = new Map<string, BudgetAmounts>();
  private readonly counted = new Set<Hash>();

  constructor(private readonly ledger: BudgetUsage) {}

  /** Counts an allowed effect's reservation (once per intent hash: the same intent opens once). */
  add(grant: string, intentHash: Hash, amounts: BudgetAmounts): void {
    if (this.counted.has(intentHash)) return;
    this.counted.add(intentHash);
    this.pending.set(grant, add(this.pending.get(grant) ?? ZERO, amounts));
  }

  usage(grant: string, budget: CompiledBudget, nowNs: bigint): BudgetCharge {
    return this.ledger.usage(grant, budget, nowNs);
  }

  reserved(grant: string): BudgetAmounts {
    return add(this.ledger.reserved(grant), this.pending.get(grant) ?? ZERO);
  }

  peakCostCents(grant: string): bigint {
    return this.ledger.peakCostCents(grant);
  }
}

/** What an effect reserves under its grant when it opens (see the file comment); null when the grant has no budget. */
export function reservationFor(grant: CompiledGrant, effectKind: string, params: { readonly value: CborValue }, budgets: BudgetUsage): BudgetAmounts | null {
  if (grant.budget === null) return null;
  // Params are decoded only here, for an llm.generate under a budget (~20 µs for a small value otherwise spent on every effect).
  return { costCents: budgets.peakCostCents(grant.name), tokens: effectKind === LLM_GENERATE_KIND ? maxTokensOf(params.value) : 0n, count: 1n };
}

/** An llm.generate's runtime.max_tokens (params already canonical against sys/LlmGenerateParams@1), or 0. */
function maxTokensOf(params: CborValue): bigint {
  const runtime = isCborObject(params) ? params.runtime : undefined;
  const asked = runtime !== undefined && isCborObject(runtime) ? runtime.max_tokens : undefined;
  return typeof asked === 'number' || typeof asked === 'bigint' ? BigInt(asked) : 0n;
}

function sum(a: BudgetCharge, b: BudgetAmounts, atNs: bigint): BudgetCharge {
  return { atNs, ...add(a, b) };
}

function add(a: BudgetAmounts, b: BudgetAmounts): BudgetAmounts {
  return { costCents: a.costCents + b.costCents, tokens: a.tokens + b.tokens, count: a.count + b.count };
}

/** Each dimension's name in AIR and messages, and its field. */
const DIMENSIONS: ReadonlyArray<readonly [string, keyof BudgetAmounts]> = [['cost_cents', 'costCents'], ['tokens', 'tokens'], ['count', 'count']];

/**
 * Denies with `budget_exhausted` when, in any dimension with a ceiling, what the grant spent plus
 * what its open intents reserved already reaches the ceiling, or this effect's reservation would
 * take it past the ceiling.
 */
export function checkBudget(grant: CompiledGrant, budgets: BudgetUsage, nowNs: bigint, reservation: BudgetAmounts | null): CapVerdict {
  const budget = grant.budget;
  if (budget === null) return ALLOW;
  assert(reservation !== null, 'an effect under a grant with a budget has a reservation');
  const used = budgets.usage(grant.name, budget, nowNs);
  const held = budgets.reserved(grant.name);
  const window = budget.windowNs === null ? '' : ` within the last ${budget.windowNs} ns of logical time`;
  const raise = budget.windowNs === null ? 'raise the budget in defaults.cap_grants' : 'wait for the window to pass, or raise the budget in defaults.cap_grants';
  for (const [name, field] of DIMENSIONS) {
    const ceiling = budget[field];
    if (ceiling === null) continue;
    const spent = used[field];
    const reserved = held[field];
    const committed = spent + reserved;
    if (committed >= ceiling) {
      if (reserved === 0n) return deny('budget_exhausted', `grant "${grant.name}" has spent its ${name} budget: ${spent} of ${ceiling}${window}; ${raise}`);
      return deny('budget_exhausted', `grant "${grant.name}" has committed its ${name} budget: ${spent} spent and ${reserved} reserved by open intents, of ${ceiling}${window}; wait for those intents to settle, or ${raise}`);
    }
    const asked = reservation[field];
    if (committed + asked > ceiling) {
      const lower = name === 'tokens' ? 'lower the request\'s runtime.max_tokens, ' : '';
      return deny('budget_exhausted', `grant "${grant.name}" cannot reserve ${asked} ${name} for this effect: ${spent} spent and ${reserved} reserved by open intents leave ${ceiling - committed} of ${ceiling}${window}; ${lower}wait for open intents to settle, or ${raise}`);
    }
  }
  return ALLOW;
}
