/**
 * The model table the settings give. Apart from settings.ts on purpose: settings are read at
 * activation (the API key commands), and the capability table need not be built then.
 */
import { ModelTable } from '../../core/models';
import type { PixelwrightSettings } from './settings';

/** The model table these settings give: custom models, and SVG/GIF output when turned on. */
export function modelTable(s: Pick<PixelwrightSettings, 'customModels' | 'vectorAndAnimatedOutput'>): ModelTable {
  return new ModelTable(s.customModels, { previewFormats: s.vectorAndAnimatedOutput });
}
