/**
 * Renditions: files derived locally from an asset image with sharp (no API call): resized,
 * cropped (cover), fitted inside (contain) or padded (pad), in PNG, JPEG, WebP or AVIF, with the
 * source's recipe and the rendition's own hash recorded in PNG, JPEG and WebP files.
 */
import { sharp } from './lazySharp';
import { embedRecord } from './metadata';
import type { Rendition } from './manifest';
import type { GenerationRecord } from './record';

export interface RenditionResult {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** The pixel box a rendition asks for, from the source's size. */
export function renditionBox(r: Rendition, width: number, height: number): { width?: number; height?: number } {
  if (r.scale !== undefined) return { width: Math.max(1, Math.round(width * r.scale)), height: Math.max(1, Math.round(height * r.scale)) };
  return { width: r.width, height: r.height };
}

/**
 * A source image decoded once (oriented, sRGB, 8 bits per channel) for all of its renditions: a
 * manifest entry's icon sizes, @2x/@3x and web formats each start from these pixels, so the file is
 * decoded once rather than once per rendition (most of a small rendition's cost).
 */
export interface DecodedSource {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
}

/** Decodes a source image for {@link renderRendition}. */
export async function decodeSource(source: Uint8Array): Promise<DecodedSource> {
  const { data, info } = await sharp(source, { failOn: 'error' }).rotate().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
}

/** Makes the rendition's bytes from the decoded source (no record yet). */
export async function renderRendition(source: DecodedSource, r: Rendition): Promise<RenditionResult> {
  let img = sharp(source.pixels, { raw: { width: source.width, height: source.height, channels: source.channels } });
  const box = renditionBox(r, source.width, source.height);
  const background = parseColor(r.background);
  if (box.width !== undefined || box.height !== undefined) {
    const both = box.width !== undefined && box.height !== undefined;
    const fit = r.scale !== undefined ? 'fill' : !both ? 'inside' : r.fit === 'cover' ? 'cover' : r.fit === 'pad' ? 'contain' : 'inside';
    img = img.resize({ width: box.width, height: box.height, fit, background: background ?? { r: 0, g: 0, b: 0, alpha: 0 }, kernel: 'lanczos3' });
  }
  switch (r.format) {
    case 'png':
      img = img.png({ compressionLevel: 9, adaptiveFiltering: true });
      break;
    case 'jpeg':
      img = img.flatten({ background: background && background.alpha > 0 ? background : { r: 255, g: 255, b: 255 } }).jpeg({ quality: r.quality ?? 85, mozjpeg: true });
      break;
    case 'webp':
      img = img.webp({ quality: r.quality ?? 85 });
      break;
    case 'avif':
      img = img.avif({ quality: r.quality ?? 60 });
      break;
  }
  const { data, info } = await img.toBuffer({ resolveWithObject: true });
  return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** The record a rendition carries: its source's, with the rendition's hash and what it is of. */
export function renditionRecord(source: GenerationRecord, r: Rendition, hash: string, sourcePath: string, made: RenditionResult): GenerationRecord {
  const { asset: _a, requestId: _r, index: _i, count: _c, ...rest } = source;
  void _a;
  void _r;
  void _i;
  void _c;
  return {
    ...rest,
    options: { ...source.options, rendition: `${made.width}x${made.height} ${r.fit} ${r.format}` },
    sources: [sourcePath],
    asset: { recipe: hash, of: sourcePath },
  };
}

/** Renders and records: the bytes to write. AVIF files carry no record (the host keeps their hash beside them). */
export async function makeRendition(source: DecodedSource, sourceRecord: GenerationRecord, r: Rendition, hash: string, sourcePath: string): Promise<Uint8Array> {
  const made = await renderRendition(source, r);
  if (r.format === 'avif') return made.bytes;
  return embedRecord(made.bytes, renditionRecord(sourceRecord, r, hash, sourcePath, made));
}

function parseColor(c: string | undefined): { r: number; g: number; b: number; alpha: number } | undefined {
  if (!c) return undefined;
  if (c === 'transparent') return { r: 0, g: 0, b: 0, alpha: 0 };
  const hex = c.slice(1);
  const byte = (k: number) => parseInt(hex.slice(k, k + 2), 16);
  return { r: byte(0), g: byte(2), b: byte(4), alpha: hex.length === 8 ? byte(6) / 255 : 1 };
}
