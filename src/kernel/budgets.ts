// Budgets on cap grants (DESIGN §4, §6): what each grant with a budget has spent, charged from
// its intents' receipts (cost in cents, tokens = prompt + completion, count = 1 per receipt) and
// checked when an effect is enqueued. World state: it is in snapshots and re-derived on replay
// (every charge follows from a journaled receipt). Pure; time is logical time.
import { assert } from '../cbor/index.ts';
import type { CompiledBudget, CompiledGrant } from './authority.ts';
import { ALLOW, deny } from './enforcers/index.ts';
import type { CapVerdict } from './enforcers/index.ts';
import { BUDGET_WINDOW_CHARGES_MAX } from './limits.ts';

/** What one receipt (or several merged) spent, at the logical time it was charged. */
export interface BudgetCharge {
  readonly atNs: bigint;
  readonly costCents: bigint;
  readonly tokens: bigint;
  readonly count: bigint;
}

/** What a grant's budget check reads: its spending within the window at a logical time. */
export interface BudgetUsage {
  usage(grant: string, budget: CompiledBudget, nowNs: bigint): BudgetCharge;
}

/**
 * Charges by grant. A grant without a window keeps one running total; a windowed grant keeps its
 * charges (oldest first) and drops those that left the window when it is charged again.
 */
export class BudgetLedger implements BudgetUsage {
  private readonly charges = new Map<string, BudgetCharge[]>();

  /** Charges one receipt to a grant with a budget. */
  charge(grant: string, budget: CompiledBudget, charge: BudgetCharge): void {
    const kept = this.charges.get(grant) ?? [];
    const last = kept[kept.length - 1];
    assert(last === undefined || last.atNs <= charge.atNs, 'logical time never goes backwards');
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

  /** What a grant spent within its window at `nowNs` (everything, without a window). */
  usage(grant: string, budget: CompiledBudget, nowNs: bigint): BudgetCharge {
    let total: BudgetCharge = { atNs: nowNs, costCents: 0n, tokens: 0n, count: 0n };
    const since = budget.windowNs === null ? null : nowNs - budget.windowNs;
    for (const entry of this.charges.get(grant) ?? []) if (since === null || entry.atNs > since) total = sum(total, entry, nowNs);
    return total;
  }

  /** Every grant's charges, sorted by grant: what a snapshot stores. */
  entries(): Array<[string, readonly BudgetCharge[]]> {
    return [...this.charges.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** Replaces the ledger with a snapshot's. */
  restore(entries: ReadonlyArray<readonly [string, readonly BudgetCharge[]]>): void {
    this.charges.clear();
    for (const [grant, charges] of entries) this.charges.set(grant, [...charges]);
  }
}

function sum(a: BudgetCharge, b: BudgetCharge, atNs: bigint): BudgetCharge {
  return { atNs, costCents: a.costCents + b.costCents, tokens: a.tokens + b.tokens, count: a.count + b.count };
}

/** Denies with `budget_exhausted` when any ceiling of the grant's budget is already reached. */
export function checkBudget(grant: CompiledGrant, budgets: BudgetUsage, nowNs: bigint): CapVerdict {
  const budget = grant.budget;
  if (budget === null) return ALLOW;
  const used = budgets.usage(grant.name, budget, nowNs);
  const window = budget.windowNs === null ? '' : ` within the last ${budget.windowNs} ns of logical time`;
  const spent: Array<[string, bigint, bigint | null]> = [['cost_cents', used.costCents, budget.costCents], ['tokens', used.tokens, budget.tokens], ['count', used.count, budget.count]];
  for (const [name, amount, ceiling] of spent) {
    if (ceiling === null || amount < ceiling) continue;
    const wait = budget.windowNs === null ? 'raise the budget in defaults.cap_grants' : 'wait for the window to pass, or raise the budget in defaults.cap_grants';
    return deny('budget_exhausted', `grant "${grant.name}" has spent its ${name} budget: ${amount} of ${ceiling}${window}; ${wait}`);
  }
  return ALLOW;
}
