/**
 * How an image was made, recorded inside the image file itself (PNG iTXt, JPEG/WebP XMP), so
 * that any image Pixelwright wrote can be shown, re-made or reworked from the file alone.
 * Never holds the API key.
 */
import type { ActualCost, ImageUsage } from './pricing';

export type Operation = 'generate' | 'edit' | 'variation';

export interface GenerationRecord {
  /** Format version of this record. */
  readonly v: 1;
  readonly operation: Operation;
  readonly prompt: string;
  /** The prompt as the model rewrote it (dall-e-3 only). */
  readonly revisedPrompt?: string;
  readonly model: string;
  /** The request options that shaped the image (size, quality, background, output format...). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** Workspace-relative paths of the source images of an edit or variation. */
  readonly sources?: readonly string[];
  /** Provider kind and where it was reached: 'openai', 'azure', 'compatible'. Never the key. */
  readonly provider: { readonly kind: string; readonly baseUrl?: string; readonly deployment?: string };
  /** ISO 8601 time the image was received. */
  readonly createdAt: string;
  readonly requestId?: string;
  /** Index of this image within its batch (0-based) and the batch size. */
  readonly index?: number;
  readonly count?: number;
  readonly tool: string;
  /**
   * An image the asset manifest asked for: the hash of its entry's effective recipe (a
   * rendition's: of its settings and the image it was made from, `of`). Planning compares it.
   */
  readonly asset?: { readonly recipe: string; readonly of?: string };
  /** The tokens the request that made this image used (GPT image models); that request made `images` images. */
  readonly usage?: RecordUsage;
  /** What this image cost (its share of its request), in USD, by Pixelwright's price list of `priceListDate`. */
  readonly cost?: RecordCost;
  /**
   * The recipes of an edit's or variation's sources that carried one (its lineage), each with
   * its own sources' recipes in turn; bounded in depth and bytes by core/lineage.ts.
   */
  readonly lineage?: readonly SourceRecipe[];
  /** The lineage was cut to its bounds (older ancestors, long prompts or whole entries left out). */
  readonly lineageCut?: boolean;
}

/** The request's token usage (core/pricing.ts's ImageUsage) and how many images shared it. */
export interface RecordUsage extends ImageUsage {
  /** Images the request made: the usage is theirs together. */
  readonly images: number;
}

/**
 * The image's cost as core/pricing.ts works it out (basis 'tokens': from `usage` by the model's
 * token prices; 'per-image': the model's price per image), without the unpriced-token count.
 */
export type RecordCost = Pick<ActualCost, 'usd' | 'basis' | 'priceListDate'>;

/** A source of an edit or variation and the recipe it carried when it was used. */
export interface SourceRecipe {
  /** Workspace-relative path of the source when it was used. */
  readonly path: string;
  readonly recipe: GenerationRecord;
}

/** The PNG iTXt keyword and XMP property under which the record is stored. */
export const RECORD_KEY = 'pixelwright';
