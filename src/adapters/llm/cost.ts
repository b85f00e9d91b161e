// The cost of a generation, from its token usage and a price table in cents per million tokens.
// Prices are held exactly as whole micro-cents per million tokens, the sum is taken in bigint,
// and the total is rounded up to whole cents: budgets are charged from cost_cents, and rounding
// up never lets a run of small calls spend more than its budget says (a call that cost
// anything at all costs at least one cent).
import { AdapterError } from '../errors.ts';
import { LLM_PRICE_DECIMALS_MAX } from './limits.ts';
import type { LlmTokenUsage } from './llm-reply.ts';

/** A model's prices in cents per million tokens; cached prompt tokens default to the input price. */
export interface ModelPrice {
  readonly inputCentsPerMillionTokens: number;
  readonly outputCentsPerMillionTokens: number;
  /** Prompt tokens served from the provider's cache (OpenAI cached_tokens, Anthropic cache_read_input_tokens). */
  readonly cacheReadCentsPerMillionTokens?: number;
  /** Prompt tokens written to the provider's cache (Anthropic cache_creation_input_tokens). */
  readonly cacheWriteCentsPerMillionTokens?: number;
}

/** Prices by model name, exactly as the intent's `model` names it. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

const MICRO_PER_UNIT = 10n ** BigInt(LLM_PRICE_DECIMALS_MAX);
const TOKENS_PER_MILLION = 1_000_000n;

interface ExactPrice {
  readonly input: bigint;
  readonly output: bigint;
  readonly cacheRead: bigint;
  readonly cacheWrite: bigint;
}

/** A checked price table. */
export class CostTable {
  private readonly prices = new Map<string, ExactPrice>();

  /** Checks every price; `where` names the provider in error messages. */
  constructor(table: PriceTable, where: string) {
    for (const [model, price] of Object.entries(table)) {
      const at = `${where} prices["${model}"]`;
      const input = exactPrice(price.inputCentsPerMillionTokens, `${at}.inputCentsPerMillionTokens`);
      const cacheRead = price.cacheReadCentsPerMillionTokens;
      const cacheWrite = price.cacheWriteCentsPerMillionTokens;
      this.prices.set(model, {
        input, output: exactPrice(price.outputCentsPerMillionTokens, `${at}.outputCentsPerMillionTokens`),
        cacheRead: cacheRead === undefined ? input : exactPrice(cacheRead, `${at}.cacheReadCentsPerMillionTokens`),
        cacheWrite: cacheWrite === undefined ? input : exactPrice(cacheWrite, `${at}.cacheWriteCentsPerMillionTokens`),
      });
    }
  }

  /** Whole cents, rounded up; null when the model has no price. */
  costCents(model: string, usage: LlmTokenUsage): number | null {
    const price = this.prices.get(model);
    if (price === undefined) return null;
    const cacheRead = BigInt(usage.cacheRead ?? 0);
    const cacheWrite = BigInt(usage.cacheWrite ?? 0);
    const uncached = BigInt(usage.prompt) - cacheRead - cacheWrite;
    const microCentsPerMillion = (uncached > 0n ? uncached : 0n) * price.input + cacheRead * price.cacheRead +
      cacheWrite * price.cacheWrite + BigInt(usage.completion) * price.output;
    const divisor = MICRO_PER_UNIT * TOKENS_PER_MILLION;
    return Number((microCentsPerMillion + divisor - 1n) / divisor);
  }
}

/** A price as whole micro-cents per million tokens; refuses negatives, non-finite values and excess decimals. */
function exactPrice(cents: number, at: string): bigint {
  if (typeof cents !== 'number' || !Number.isFinite(cents) || cents < 0) {
    throw new AdapterError('BAD_OPTION', `${at} is ${String(cents)}; give a price in cents per million tokens, zero or more`);
  }
  const micro = Math.round(cents * Number(MICRO_PER_UNIT));
  if (!Number.isSafeInteger(micro) || micro / Number(MICRO_PER_UNIT) !== cents) {
    throw new AdapterError('BAD_OPTION', `${at} is ${cents}; a price has at most ${LLM_PRICE_DECIMALS_MAX} decimal places (LLM_PRICE_DECIMALS_MAX) and stays below 2^53 micro-cents`);
  }
  return BigInt(micro);
}
