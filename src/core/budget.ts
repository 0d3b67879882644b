/**
 * The budget rule: the one check every path that spends runs before a request is sent (the host's
 * run pipeline, and core's MCP server). Pure: the caller says what was spent this month, what the
 * run is expected to cost, and the limits; the rule says go, ask first, or refuse.
 */

/** `pixelwright.budget.*` (or the MCP server's environment). 0 turns a limit off. */
export interface BudgetLimits {
  /** USD per calendar month (all workspaces together). */
  readonly monthlyLimit: number;
  /** USD: a run estimated above this asks first. */
  readonly askAbove: number;
}

export interface Estimate {
  readonly min: number;
  readonly max: number;
}

export type BudgetVerdict =
  | { readonly kind: 'go' }
  | {
      readonly kind: 'ask';
      /**
       * recipe: the run comes from a recipe found in the workspace (always asked);
       * may-exceed: the estimate's top would pass the monthly limit;
       * above: the estimate's top is above askAbove; unknown: askAbove is set and no estimate exists.
       */
      readonly reason: 'recipe' | 'may-exceed' | 'above' | 'unknown';
      readonly estimate?: Estimate;
    }
  | {
      readonly kind: 'refuse';
      /** reached: this month's spending is at or over the limit; would-exceed: even the cheapest outcome passes it. */
      readonly reason: 'reached' | 'would-exceed';
      readonly spent: number;
      readonly limit: number;
      readonly estimate?: Estimate;
    };

const positive = (v: number) => Number.isFinite(v) && v > 0;

/**
 * Refused when this month's spending has reached the monthly limit, or when the run's lowest
 * estimate would take it over; asked first when the run comes from a workspace recipe, when the
 * estimate's top may take the month over the limit, or is above askAbove (or, with askAbove set,
 * when no estimate exists); else it goes. "Above" is strictly above: a run estimated at exactly
 * askAbove goes; spending exactly at the limit is reached.
 */
export function checkBudget(input: { readonly estimate?: Estimate; readonly monthSpent: number; readonly limits: BudgetLimits; readonly askFirst?: boolean }): BudgetVerdict {
  const { estimate, limits } = input;
  const spent = Math.max(0, input.monthSpent);
  if (positive(limits.monthlyLimit)) {
    const limit = limits.monthlyLimit;
    if (spent >= limit - 1e-9) return { kind: 'refuse', reason: 'reached', spent, limit, estimate };
    if (estimate && spent + estimate.min > limit + 1e-9) return { kind: 'refuse', reason: 'would-exceed', spent, limit, estimate };
  }
  if (input.askFirst) return { kind: 'ask', reason: 'recipe', estimate };
  if (positive(limits.monthlyLimit) && estimate && spent + estimate.max > limits.monthlyLimit + 1e-9) return { kind: 'ask', reason: 'may-exceed', estimate };
  if (positive(limits.askAbove)) {
    if (!estimate) return { kind: 'ask', reason: 'unknown' };
    if (estimate.max > limits.askAbove + 1e-9) return { kind: 'ask', reason: 'above', estimate };
  }
  return { kind: 'go' };
}

/** A limit from a setting or an environment variable: a finite number ≥ 0, else 0 (off). */
export function budgetAmount(v: unknown): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n * 10_000) / 10_000 : 0;
}
