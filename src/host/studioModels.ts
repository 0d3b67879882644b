/**
 * The Studio's view of the model table, its prices and its requests: pure (no vscode), so unit
 * tests cover what the view sends and what a run asks for.
 */
import type { ModelCapabilities } from '../core/models';
import { estimateCost } from '../core/pricing';
import type { ImageRequest } from '../core/request';
import type { StudioModel, StudioOptions, StudioPricing } from '../shared/studioProtocol';

/** A model as the Studio's form shows it, with its prices from core's price list. */
export function studioModel(m: ModelCapabilities): StudioModel {
  return {
    id: m.id,
    note: m.note,
    sizes: m.sizes,
    customSize: m.customSize,
    qualities: m.qualities,
    styles: m.styles,
    backgrounds: m.backgrounds,
    outputFormats: m.outputFormats,
    maxN: m.maxN,
    streaming: m.streaming,
    maxPromptChars: m.maxPromptChars,
    pricing: pricingOf(m),
  };
}

/** Prices per image by `quality|size` ('' = auto quality) for every fixed choice the model offers. */
export function pricingOf(m: ModelCapabilities): StudioPricing {
  const kind = estimateCost(m.id, { n: 1 }).kind;
  if (kind !== 'per-image') return { kind };
  const prices: Record<string, readonly [number, number]> = {};
  for (const q of ['', ...m.qualities]) {
    for (const size of m.sizes) {
      const e = estimateCost(m.id, { quality: q || undefined, size, n: 1 });
      if (e.kind === 'per-image') prices[`${q}|${size}`] = [e.minEach, e.maxEach];
    }
  }
  return { kind: 'per-image', prices };
}

/** The request a Studio run makes: only the options the model takes; moderation from settings. */
export function studioRequest(prompt: string, o: StudioOptions, caps: ModelCapabilities, moderation: 'auto' | 'low'): ImageRequest {
  return {
    operation: 'generate',
    model: caps.id,
    prompt: prompt.trim(),
    n: o.n,
    size: o.size,
    quality: caps.qualities.length ? o.quality : undefined,
    style: caps.styles.length ? o.style : undefined,
    background: caps.backgrounds.length ? (o.background as ImageRequest['background']) : undefined,
    outputFormat: caps.outputFormats.length > 1 ? (o.outputFormat as ImageRequest['outputFormat']) : undefined,
    moderation: caps.moderation && moderation !== 'auto' ? moderation : undefined,
  };
}

/**
 * The bytes as a plain Uint8Array. A Node Buffer (what the engine hands out) does not survive
 * postMessage as one: VS Code tells typed arrays by their constructor's name, and "Buffer" is not
 * one it knows, so the webview would get a bare ArrayBuffer.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes);
}
