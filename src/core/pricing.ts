/**
 * What a run may cost, from the price list in the reference (USD per image, as published for
 * gpt-image-1-mini, dall-e-3 and dall-e-2). Models billed by tokens (the GPT image 2.x, 1.5 and
 * 1 families) have no fixed price per image: the estimate says so instead of inventing numbers.
 * Always an estimate: Azure and compatible servers price differently, and prices change.
 * Pure: no vscode, no Node APIs (the Studio shows it as options change).
 */

/** When the prices below were read (shown next to every estimate). */
export const PRICE_LIST_DATE = '2026-11';

export type CostEstimate =
  /** Per image, in USD; a range when the model decides (size or quality `auto`). */
  | { readonly kind: 'per-image'; readonly minEach: number; readonly maxEach: number; readonly min: number; readonly max: number; readonly n: number; readonly priceListDate: string }
  /** Billed by input and output tokens: the response's `usage` says what a run cost. */
  | { readonly kind: 'tokens'; readonly priceListDate: string }
  /** No price known (custom models, unknown options). */
  | { readonly kind: 'unknown' };

/** USD per image by quality, then by size. */
type PriceGrid = Readonly<Record<string, Readonly<Record<string, number>>>>;

const PER_IMAGE: Readonly<Record<string, PriceGrid>> = {
  'gpt-image-1-mini': {
    low: { '1024x1024': 0.005, '1536x1024': 0.006, '1024x1536': 0.006 },
    medium: { '1024x1024': 0.011, '1536x1024': 0.015, '1024x1536': 0.015 },
    high: { '1024x1024': 0.036, '1536x1024': 0.052, '1024x1536': 0.052 },
  },
  'dall-e-3': {
    standard: { '1024x1024': 0.04, '1792x1024': 0.08, '1024x1792': 0.08 },
    hd: { '1024x1024': 0.08, '1792x1024': 0.12, '1024x1792': 0.12 },
  },
  'dall-e-2': {
    standard: { '256x256': 0.016, '512x512': 0.018, '1024x1024': 0.02 },
  },
};

/** Token-billed model families (and their dated snapshots). */
const TOKEN_BILLED = [/^gpt-image-2(\.\d+)?(-|$)/, /^gpt-image-1\.5(-|$)/, /^gpt-image-1(-\d{4}-\d{2}-\d{2})?$/, /^chatgpt-image-latest$/];

/**
 * The estimated cost of `n` images of `model` at `quality` and `size`. `auto` (or an absent
 * option) spans every value the model could pick. A model the list does not know (a custom
 * model of a compatible server, say) has no estimate.
 */
export function estimateCost(model: string, options: { readonly quality?: string; readonly size?: string; readonly n: number }): CostEstimate {
  const grid = PER_IMAGE[model];
  if (!grid) return TOKEN_BILLED.some((re) => re.test(model)) ? { kind: 'tokens', priceListDate: PRICE_LIST_DATE } : { kind: 'unknown' };
  const qualities = options.quality === undefined || options.quality === 'auto' ? Object.keys(grid) : [options.quality];
  const prices: number[] = [];
  for (const q of qualities) {
    const bySize = grid[q];
    if (!bySize) return { kind: 'unknown' };
    if (options.size === undefined || options.size === 'auto') prices.push(...Object.values(bySize));
    else if (bySize[options.size] !== undefined) prices.push(bySize[options.size]);
    else return { kind: 'unknown' };
  }
  const n = Math.max(1, Math.floor(options.n));
  const minEach = Math.min(...prices);
  const maxEach = Math.max(...prices);
  return { kind: 'per-image', minEach, maxEach, min: round(minEach * n), max: round(maxEach * n), n, priceListDate: PRICE_LIST_DATE };
}

/** Cents to four decimals: floating point must not show 0.30000000000000004. */
function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

/**
 * Dollars with the precision the estimate has: at least two decimals, and the third when it is
 * not zero ("$0.208", "$0.005", "$0.24", "$1.20", "$1.085"). Every price in the list has at most
 * three decimals, so n times a price never needs more; anything finer is rounded to a tenth of a cent.
 */
export function formatUsd(usd: number): string {
  const s = (Math.round(usd * 1000) / 1000).toFixed(3);
  return `$${s.endsWith('0') ? s.slice(0, -1) : s}`;
}
