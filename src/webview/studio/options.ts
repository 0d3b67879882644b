/**
 * The Studio's options fitted to a model, and the cost estimate for them: pure, shared by the
 * form and its unit tests.
 */
import { formatUsd } from '../../core/pricing';
import { checkCustomSize, type StudioModel, type StudioOptions } from '../../shared/studioProtocol';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Keeps every choice the model also offers and falls back to the model's default for the rest
 * (auto where it has auto). A custom WxH size is kept when the model takes custom sizes and the
 * size fits its rule. Formats, backgrounds and styles are left out when the model has no choice.
 */
export function fitStudioOptions(o: Partial<StudioOptions>, m: StudioModel): StudioOptions {
  const pick = (v: string | undefined, list: readonly string[], fallback: string | undefined) => (v !== undefined && list.includes(v) ? v : fallback);
  const customOk = o.size !== undefined && !!m.customSize && !checkCustomSize(o.size, m.customSize);
  const out: Mutable<StudioOptions> = {
    model: m.id,
    n: Math.min(10, Math.max(1, Math.round(Number(o.n)) || 1)),
    size: customOk ? o.size : pick(o.size, m.sizes, m.sizes.includes('auto') ? 'auto' : m.sizes[0]),
    quality: m.qualities.length ? pick(o.quality, m.qualities, m.qualities.includes('auto') ? 'auto' : m.qualities[0]) : undefined,
    style: m.styles.length ? pick(o.style, m.styles, m.styles[0]) : undefined,
    background: m.backgrounds.length ? pick(o.background, m.backgrounds, m.backgrounds.includes('auto') ? 'auto' : m.backgrounds[0]) : undefined,
    outputFormat: m.outputFormats.length > 1 ? pick(o.outputFormat, m.outputFormats, m.outputFormats.includes('png') ? 'png' : m.outputFormats[0]) : undefined,
  };
  if (out.background === 'transparent' && out.outputFormat === 'jpeg') out.background = m.backgrounds.includes('auto') ? 'auto' : undefined;
  return out;
}

export type Cost =
  | { readonly kind: 'per-image'; readonly minEach: number; readonly maxEach: number; readonly min: number; readonly max: number }
  | { readonly kind: 'tokens' }
  | { readonly kind: 'unknown' };

/** The estimate for a run: the model's per-image price (from the host's price list) times n. */
export function costOf(m: StudioModel, o: StudioOptions): Cost {
  const p = m.pricing;
  if (p.kind !== 'per-image') return p;
  const q = o.quality === 'auto' ? '' : (o.quality ?? '');
  const each = p.prices[`${q}|${o.size ?? 'auto'}`];
  if (!each) return { kind: 'unknown' };
  const r = (x: number) => Math.round(x * 10_000) / 10_000;
  return { kind: 'per-image', minEach: each[0], maxEach: each[1], min: r(each[0] * o.n), max: r(each[1] * o.n) };
}

/** Dollars as the Studio shows them: the one formatter in core/pricing ("$0.208", "$0.24"). */
export const usd = formatUsd;
