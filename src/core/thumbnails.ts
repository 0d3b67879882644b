/**
 * Gallery thumbnails with sharp: the image turned upright (EXIF orientation), shrunk to fit a
 * square of `maxSize` px (never enlarged), encoded as WebP. JPEG and WebP decoders shrink while
 * they decode, so a large photo costs far less than a full decode.
 *
 * Loaded only through the lazily loaded engine bundle (dist/engine.js), never at activation.
 */
import { sharp } from './lazySharp';

export interface Thumbnail {
  readonly bytes: Uint8Array;
  readonly mime: 'image/webp';
  readonly width: number;
  readonly height: number;
}

export interface ThumbnailOptions {
  /** Longest side, px (default 256). The gallery asks for the size its tiles need (galleryProtocol THUMB_SIZES). */
  readonly maxSize?: number;
  /** WebP quality 1..100 (default 72). */
  readonly quality?: number;
}

/** Larger inputs are refused: a decompression bomb must not take the host down. */
const MAX_INPUT_PIXELS = 100_000_000;

/** A thumbnail of an image file (path) or of image bytes. Throws when the input cannot be decoded. */
export async function makeThumbnail(input: string | Uint8Array, options: ThumbnailOptions = {}): Promise<Thumbnail> {
  const maxSize = Math.max(16, Math.min(2048, Math.round(options.maxSize ?? 256)));
  const quality = Math.max(1, Math.min(100, Math.round(options.quality ?? 72)));
  const { data, info } = await sharp(input, { failOn: 'none', limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true, animated: false })
    .rotate()
    .resize({ width: maxSize, height: maxSize, fit: 'inside', withoutEnlargement: true })
    .webp({ quality, effort: 2, smartSubsample: false })
    .toBuffer({ resolveWithObject: true });
  return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), mime: 'image/webp', width: info.width, height: info.height };
}
