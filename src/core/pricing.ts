/**
 * What a run may cost, from the price list in the reference (../shared/reference/README.md, "Prices
 * per image"): USD per image for gpt-image-1-mini, dall-e-3 and dall-e-2; the GPT image 2.x models
 * billed by tokens (with one published token price: gpt-image-2.6's image output, $30 per 1M tokens,
 * and no published tokens per image, so no estimate before the run); no published price at all for
 * gpt-image-1.5, chatgpt-image-latest and gpt-image-1. Where the list says nothing, the estimate
 * says so instead of inventing numbers. Always an estimate: Azure and compatible servers price
 * differently, and prices change.
 * Pure: no vscode, no Node APIs (the Studio shows it as options change).
 */

/** When the prices below were read (shown next to every estimate). */
export const PRICE_LIST_DATE = '2026-11';

export type CostEstimate =
  /** Per image, in USD; a range when the model decides (size or quality `auto`). */
  | { readonly kind: 'per-image'; readonly minEach: number; readonly maxEach: number; readonly min: number; readonly max: number; readonly n: number; readonly priceListDate: string }
  /**
   * Billed by tokens (the GPT image 2.x models): the response's `usage` says what a run cost. The
   * tokens an image takes are not published, so there is no estimate; `imageOutputPerMillion` is
   * the image output price (USD per 1M tokens) where the list publishes it.
   */
  | { readonly kind: 'tokens'; readonly priceListDate: string; readonly imageOutputPerMillion?: number }
  /** A built-in model the price list publishes no price for (gpt-image-1.5, chatgpt-image-latest, gpt-image-1). */
  | { readonly kind: 'unpublished'; readonly priceListDate: string }
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

/** Token-billed model families (and their dated snapshots), as the list says: "GPT image 2.x are billed by tokens". */
const TOKEN_BILLED = /^gpt-image-2(\.\d+)?(-|$)/;
/** The token prices the list publishes (USD per 1M image output tokens): "gpt-image-2.6: image output $30 per 1M tokens". */
const PUBLISHED_IMAGE_OUTPUT: readonly (readonly [RegExp, number])[] = [[/^gpt-image-2\.6-(sunburst|flare)(-\d{4}-\d{2}-\d{2})?$/, 30]];
/** Built-in models (and snapshots) the list publishes no price for. */
const UNPUBLISHED = /^(gpt-image-1\.5|gpt-image-1|chatgpt-image-latest)(-\d{4}-\d{2}-\d{2})?$/;

/** What the list says of a model without prices per image: billed by tokens (with its published price), no price, or nothing. */
function withoutGrid(model: string): CostEstimate {
  if (TOKEN_BILLED.test(model)) {
    const price = PUBLISHED_IMAGE_OUTPUT.find(([re]) => re.test(model))?.[1];
    return { kind: 'tokens', priceListDate: PRICE_LIST_DATE, ...(price !== undefined ? { imageOutputPerMillion: price } : {}) };
  }
  return UNPUBLISHED.test(model) ? { kind: 'unpublished', priceListDate: PRICE_LIST_DATE } : { kind: 'unknown' };
}

/**
 * The estimated cost of `n` images of `model` at `quality` and `size`. `auto` (or an absent
 * option) spans every value the model could pick. A model the list does not know (a custom
 * model of a compatible server, say) has no estimate.
 */
export function estimateCost(model: string, options: { readonly quality?: string; readonly size?: string; readonly n: number }): CostEstimate {
  const grid = PER_IMAGE[model];
  if (!grid) return withoutGrid(model);
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

// ---- what a run did cost ------------------------------------------------------------------------

/**
 * USD per 1M tokens, as OpenAI's model pages listed them in November 2026 (the same list date).
 * Text output has no listed price for most models: such tokens are counted as unpriced, never guessed.
 */
interface TokenPrices {
  readonly textInput: number;
  readonly imageInput: number;
  readonly imageOutput: number;
  readonly textOutput?: number;
}

const TOKEN_PRICES: readonly (readonly [RegExp, TokenPrices])[] = [
  // gpt-image-2, the 2.5 and 2.6 sunburst/flare models and their snapshots: $5 text in, $8 image in, $30 image out.
  [/^gpt-image-2(\.[56]-(sunburst|flare))?(-\d{4}-\d{2}-\d{2})?$/, { textInput: 5, imageInput: 8, imageOutput: 30 }],
  [/^(gpt-image-1\.5|chatgpt-image-latest)(-\d{4}-\d{2}-\d{2})?$/, { textInput: 5, imageInput: 8, imageOutput: 32, textOutput: 10 }],
  [/^gpt-image-1-mini(-\d{4}-\d{2}-\d{2})?$/, { textInput: 2, imageInput: 2.5, imageOutput: 8 }],
  [/^gpt-image-1(-\d{4}-\d{2}-\d{2})?$/, { textInput: 5, imageInput: 10, imageOutput: 40 }],
];

function tokenPrices(model: string): TokenPrices | undefined {
  return TOKEN_PRICES.find(([re]) => re.test(model))?.[1];
}

/** The tokens one request used (GPT image models), as the response's `usage` says. */
export interface ImageUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly inputTextTokens?: number;
  readonly inputImageTokens?: number;
  readonly outputImageTokens?: number;
  readonly outputTextTokens?: number;
}

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined);

/**
 * The response's `usage` (`{input_tokens, output_tokens, total_tokens, input_tokens_details:
 * {text_tokens, image_tokens}, output_tokens_details?}`) as an ImageUsage; undefined when it is
 * absent or not of that shape (DALL·E answers and many compatible servers send none).
 */
export function usageFromApi(raw: unknown): ImageUsage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const u = raw as Record<string, unknown>;
  const input = count(u.input_tokens);
  const output = count(u.output_tokens);
  if (input === undefined || output === undefined) return undefined;
  const inDetails = (u.input_tokens_details ?? {}) as Record<string, unknown>;
  const outDetails = (u.output_tokens_details ?? {}) as Record<string, unknown>;
  const usage: ImageUsage = {
    inputTokens: input,
    outputTokens: output,
    totalTokens: count(u.total_tokens) ?? input + output,
    inputTextTokens: count(inDetails.text_tokens),
    inputImageTokens: count(inDetails.image_tokens),
    outputImageTokens: count(outDetails.image_tokens),
    outputTextTokens: count(outDetails.text_tokens),
  };
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => v !== undefined)) as unknown as ImageUsage;
}

/** Two requests' usage together (the details only when both have them). */
export function addUsage(a: ImageUsage | undefined, b: ImageUsage | undefined): ImageUsage | undefined {
  if (!a || !b) return a ?? b;
  const sum = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? undefined : x + y);
  const u: ImageUsage = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    inputTextTokens: sum(a.inputTextTokens, b.inputTextTokens),
    inputImageTokens: sum(a.inputImageTokens, b.inputImageTokens),
    outputImageTokens: sum(a.outputImageTokens, b.outputImageTokens),
    outputTextTokens: sum(a.outputTextTokens, b.outputTextTokens),
  };
  return Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) as unknown as ImageUsage;
}

/** What a request (or a run, summed) cost, in USD, from the price list of `priceListDate`. */
export interface ActualCost {
  readonly usd: number;
  /** From the tokens of `usage` (GPT image models) or the price per image (DALL·E, or no usage). */
  readonly basis: 'tokens' | 'per-image';
  readonly priceListDate: string;
  /** Tokens the list has no price for (text output of most models): not in `usd`. */
  readonly unpricedTokens?: number;
}

/**
 * The cost of one request that made `images` images: from its `usage` by the model's token
 * prices when both are known (input text and image tokens at their prices; an input without its
 * text/image split at the image price, so it is never under-counted); else the price per image
 * at the quality and size the request had (the answer's own for `auto`, when it says). Undefined
 * when neither is known (a custom model, say): nothing is made up.
 */
export function actualCost(model: string, req: { readonly usage?: ImageUsage; readonly quality?: string; readonly size?: string; readonly images: number }): ActualCost | undefined {
  const prices = tokenPrices(model);
  const u = req.usage;
  if (prices && u) {
    const text = u.inputTextTokens;
    const image = u.inputImageTokens;
    const split = text !== undefined && image !== undefined;
    const inputUsd = split ? text * prices.textInput + image * prices.imageInput : u.inputTokens * Math.max(prices.textInput, prices.imageInput);
    // Without the output split every output token is an image token (what the API documents for images).
    const outText = u.outputTextTokens ?? 0;
    const outImage = u.outputImageTokens ?? u.outputTokens - outText;
    const textOutUsd = prices.textOutput !== undefined ? outText * prices.textOutput : 0;
    const unpriced = prices.textOutput === undefined ? outText : 0;
    const usd = round((inputUsd + outImage * prices.imageOutput + textOutUsd) / 1_000_000);
    return { usd, basis: 'tokens', priceListDate: PRICE_LIST_DATE, ...(unpriced ? { unpricedTokens: unpriced } : {}) };
  }
  const grid = PER_IMAGE[model];
  if (!grid || req.images <= 0) return undefined;
  // DALL·E's defaults: standard quality, 1024x1024.
  const quality = !req.quality || req.quality === 'auto' ? (grid.standard ? 'standard' : undefined) : req.quality;
  const size = !req.size || req.size === 'auto' ? (model.startsWith('dall-e') ? '1024x1024' : undefined) : req.size;
  const each = quality && size ? grid[quality]?.[size] : undefined;
  if (each === undefined) return undefined;
  return { usd: round(each * req.images), basis: 'per-image', priceListDate: PRICE_LIST_DATE };
}

/** Costs added up (a run of several requests); the basis of the first. */
export function addCosts(costs: readonly (ActualCost | undefined)[]): ActualCost | undefined {
  const known = costs.filter((c): c is ActualCost => !!c);
  if (!known.length) return undefined;
  const unpriced = known.reduce((s, c) => s + (c.unpricedTokens ?? 0), 0);
  return { usd: round(known.reduce((s, c) => s + c.usd, 0)), basis: known[0].basis, priceListDate: known[0].priceListDate, ...(unpriced ? { unpricedTokens: unpriced } : {}) };
}

/**
 * What a run is expected to cost before it is sent, in USD ([min, max]): the published prices per
 * image. Undefined when the list gives no honest estimate (token-billed models, whose tokens per
 * image are not published; models without a published price; custom models): the budget rule and
 * the ask-first dialog say so instead of a number.
 */
export function spendEstimate(model: string, options: { readonly quality?: string; readonly size?: string; readonly n: number }): { readonly min: number; readonly max: number } | undefined {
  const e = estimateCost(model, options);
  return e.kind === 'per-image' ? { min: e.min, max: e.max } : undefined;
}

/** Money as users read it: formatUsd, with "<$0.001" for a cost that rounds to nothing but is not nothing. */
export function formatCost(usd: number): string {
  return usd > 0 && usd < 0.0005 ? '<$0.001' : formatUsd(usd);
}
