/**
 * The Studio's view of the model table, its prices and its requests: pure (no vscode), so unit
 * tests cover what the view sends and what a run asks for.
 */
import type { ModelCapabilities, ModelTable } from '../../core/models';
import { estimateCost } from '../../core/pricing';
import type { ImageRequest } from '../../core/request';
import { defined, fitStudioOptions, gifFields, modelInfo, type Complexity } from '../../shared/modelRules';
import type { StudioDraft, StudioModel, StudioOptions, StudioPricing } from '../../shared/studioProtocol';
import type { LastChoices } from '../run/history';
import { offeredModels, preferredModel } from '../../core/modelChoice';
import type { PixelwrightSettings } from '../platform/settings';
import type { CoreMessage } from '../../shared/messages';

type DraftSettings = Pick<PixelwrightSettings, 'provider' | 'model' | 'size' | 'quality' | 'outputFormat' | 'count'>;

/** The models the Studio's form offers: with Azure only the deployment's (see modelChoice). */
export function studioModels(table: ModelTable, settings: Pick<PixelwrightSettings, 'provider' | 'model'>, word?: (m: CoreMessage) => string): StudioModel[] {
  return offeredModels(table, settings, 'generate').map((m) => studioModel(m, word));
}

/**
 * The draft the form starts from: the Studio's own when it has one, else the palette's last
 * choices and the settings, fitted to a model the Studio offers. A saved draft whose model is
 * not offered (with Azure: not the deployment's) gets the offered model, its options fitted.
 */
export function studioDraft(saved: StudioDraft | undefined, last: LastChoices, settings: DraftSettings, table: ModelTable): StudioDraft {
  const offered = offeredModels(table, settings, 'generate');
  const start = (...remembered: (string | undefined)[]) => preferredModel(offered, settings, ...remembered) ?? table.list('generate')[0];
  if (saved && typeof saved.prompt === 'string') {
    const o = saved.options;
    if (!o || offered.some((m) => m.id === o.model)) return saved;
    return { prompt: saved.prompt, options: fitStudioOptions(modelInfo(start(), 'generate'), o) };
  }
  const caps = start(last.model);
  const options = fitStudioOptions(modelInfo(caps, 'generate'), {
    n: last.n ?? settings.count,
    size: last.size ?? settings.size,
    quality: last.quality ?? settings.quality,
    style: last.style,
    background: last.background,
    outputFormat: last.outputFormat ?? settings.outputFormat,
  });
  return { prompt: '', options };
}

/** A model as the Studio's form shows it, with its prices from core's price list. */
export function studioModel(m: ModelCapabilities, word?: (m: CoreMessage) => string): StudioModel {
  return { ...modelInfo(m, 'generate', word), pricing: pricingOf(m) };
}

/** Prices per image by `quality|size` ('' = auto quality) for every fixed choice the model offers. */
export function pricingOf(m: ModelCapabilities): StudioPricing {
  const e = estimateCost(m.id, { n: 1 });
  if (e.kind === 'tokens') return e.imageOutputPerMillion !== undefined ? { kind: 'tokens', imageOutputPerMillion: e.imageOutputPerMillion } : { kind: 'tokens' };
  if (e.kind !== 'per-image') return { kind: e.kind };
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
    ...defined({ complexity: caps.complexity && o.complexity ? (o.complexity as Complexity) : undefined }),
    ...gifFields(o),
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
