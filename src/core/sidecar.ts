/**
 * Recipe sidecars: the recipe of an image kept in a small JSON file next to it instead of inside
 * its bytes. Used for images that carry C2PA content credentials (adding to their bytes breaks
 * them: core/metadata/c2pa.ts), and for every image when `pixelwright.recipe.storage` is
 * `sidecar`. The name is the image's whole name plus `.pixelwright.json`
 * (`lighthouse.png.pixelwright.json`): it sorts right after its image, it cannot be confused
 * between `a.png` and `a.jpg`, and editors treat it as JSON. Plain TypeScript (no Node APIs).
 *
 *   { "pixelwright": "recipe", "image": "lighthouse.png", "imageBytes": 123456, "record": {...} }
 *
 * `image` and `imageBytes` say which file it was written for; a reader that finds them different
 * (the image was replaced or re-encoded) says so rather than pretending.
 */
import { utf8Bytes, utf8Text } from '../shared/bytes';
import type { StoredRecord } from './metadata';
import { sanitizeRecord } from './recipe';
import type { GenerationRecord } from './record';

export const SIDECAR_SUFFIX = '.pixelwright.json';
/** A sidecar larger than this is not read (Pixelwright's are a few KB; the lineage is bounded). */
export const MAX_SIDECAR_BYTES = 1024 * 1024;
const KIND = 'recipe';

/** The sidecar's file name for an image's file name. */
export function sidecarName(imageName: string): string {
  return `${imageName}${SIDECAR_SUFFIX}`;
}

/** The image's file name for a sidecar's name; undefined when it is not a sidecar's name. */
export function imageNameOfSidecar(name: string): string | undefined {
  return name.toLowerCase().endsWith(SIDECAR_SUFFIX) && name.length > SIDECAR_SUFFIX.length ? name.slice(0, -SIDECAR_SUFFIX.length) : undefined;
}

/** The sidecar's bytes for `record`, written for the image `imageName` of `imageBytes` bytes. */
export function sidecarBytes(record: GenerationRecord, imageName: string, imageBytes: number): Uint8Array {
  return utf8Bytes(`${JSON.stringify({ pixelwright: KIND, image: imageName, imageBytes, record }, null, 2)}\n`);
}

export interface SidecarRead {
  /** The record, when the sidecar holds a well-formed one. */
  readonly record?: StoredRecord;
  /** The sidecar's text (cut to {@link MAX_SIDECAR_BYTES}) when it holds no well-formed record: shown as plain text. */
  readonly raw?: string;
  /** Why no record could be read. */
  readonly problem?: 'too-large' | 'not-text' | 'not-json' | 'not-a-recipe';
  /** The image name and size it was written for. */
  readonly image?: string;
  readonly imageBytes?: number;
}

/** Reads a sidecar's bytes. Never throws. */
export function parseSidecar(bytes: Uint8Array): SidecarRead {
  if (bytes.length > MAX_SIDECAR_BYTES) return { problem: 'too-large', raw: new TextDecoder().decode(bytes.subarray(0, 4096)) };
  const text = utf8Text(bytes);
  if (text === undefined) return { problem: 'not-text' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not-json', raw: text };
  }
  const o = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const record = o && o.pixelwright === KIND ? sanitizeRecord(o.record) : undefined;
  if (!record) return { problem: 'not-a-recipe', raw: text };
  return {
    record,
    image: typeof o!.image === 'string' ? o!.image : undefined,
    imageBytes: typeof o!.imageBytes === 'number' ? o!.imageBytes : undefined,
  };
}
