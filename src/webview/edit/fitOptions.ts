/** Options fitted to a model: pure, shared by the form and its tests. */
import type { EditOptions, ModelChoice } from '../../shared/editProtocol';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The options fitted to a model (what the request would carry). */
export function fitOptions(o: EditOptions, m: ModelChoice, keepUnmaskedPref: boolean): EditOptions {
  const pick = (v: string | undefined, list: readonly string[], fallback: string | undefined) => (v !== undefined && list.includes(v) ? v : fallback);
  const out: Mutable<EditOptions> = {
    model: m.id,
    size: m.sizes.length ? pick(o.size, m.sizes, m.sizes.includes('auto') ? 'auto' : m.sizes[m.sizes.length - 1]) : undefined,
    quality: m.qualities.length ? pick(o.quality, m.qualities, m.qualities.includes('auto') ? 'auto' : m.qualities[0]) : undefined,
    n: Math.min(10, Math.max(1, Math.round(o.n) || 1)),
    outputFormat: m.outputFormats.length > 1 ? pick(o.outputFormat, m.outputFormats, m.outputFormats[0]) : undefined,
    background: m.backgrounds.length ? pick(o.background, m.backgrounds, m.backgrounds.includes('auto') ? 'auto' : m.backgrounds[0]) : undefined,
    inputFidelity: m.inputFidelity ? o.inputFidelity : undefined,
    // Only GPT image results are pasted back onto the original; dall-e-2 keeps them itself.
    keepUnmasked: m.squareOnly ? false : keepUnmaskedPref,
    squareMode: o.squareMode === 'crop' ? 'crop' : 'pad',
  };
  if (out.background === 'transparent' && out.outputFormat === 'jpeg') out.background = m.backgrounds.includes('auto') ? 'auto' : undefined;
  return out;
}
