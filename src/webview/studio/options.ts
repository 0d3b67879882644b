/**
 * The cost estimate for the Studio's options: pure, shared by the form and its unit tests. (The
 * options themselves are fitted to a model by shared/modelRules' fitStudioOptions.)
 */
import { formatUsd } from '../../core/pricing';
import type { StudioModel, StudioOptions } from '../../shared/studioProtocol';

export type Cost =
  | { readonly kind: 'per-image'; readonly minEach: number; readonly maxEach: number; readonly min: number; readonly max: number }
  | { readonly kind: 'tokens'; readonly imageOutputPerMillion?: number }
  | { readonly kind: 'unpublished' }
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
