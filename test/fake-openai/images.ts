/**
 * Image bytes for the fake Images API: sniffing uploads, reading their dimensions, and making
 * real PNG / JPEG / WebP pictures cheaply (a small drawing scaled up by sharp).
 */
import sharp from 'sharp';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** What the bytes are, by their magic numbers; undefined for anything else. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (
    bytes.length >= 8 &&
    bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 &&
    bytes[4] === 0x0d && bytes[5] === 0x0a && bytes[6] === 0x1a && bytes[7] === 0x0a
  ) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 12 &&
    ascii(bytes, 0, 4) === 'RIFF' &&
    ascii(bytes, 8, 12) === 'WEBP'
  ) {
    return 'webp';
  }
  return undefined;
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

export const MIME: Readonly<Record<ImageFormat, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
  channels: number;
  hasAlpha: boolean;
  isPalette: boolean;
  /** The PIL-style mode the old DALL·E service reports: RGBA, RGB, LA, L or P. */
  mode: string;
  /** EXIF orientation (1 = none); 5-8 swap width and height when displayed. */
  orientation: number;
}

/** The size an image is shown at: after its EXIF orientation. */
export function orientedSize(info: ImageInfo): { width: number; height: number } {
  return info.orientation >= 5 ? { width: info.height, height: info.width } : { width: info.width, height: info.height };
}

/** Reads an uploaded image's header; undefined when sharp cannot make sense of it. */
export async function inspectImage(bytes: Uint8Array): Promise<ImageInfo | undefined> {
  const format = sniffFormat(bytes);
  if (!format) return undefined;
  try {
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height) return undefined;
    const channels = meta.channels ?? 3;
    const hasAlpha = Boolean(meta.hasAlpha);
    const isPalette = Boolean(meta.isPalette);
    let mode: string;
    if (isPalette) mode = 'P';
    else if (channels === 1) mode = 'L';
    else if (channels === 2) mode = 'LA';
    else if (channels === 4 || hasAlpha) mode = 'RGBA';
    else mode = 'RGB';
    const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
    return { format, width: meta.width, height: meta.height, channels, hasAlpha, isPalette, mode, orientation };
  } catch {
    return undefined;
  }
}

/** FNV-1a, 32 bits: a cheap stable hash for picking colours. */
export function hash32(text: string | Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    h ^= typeof text === 'string' ? text.charCodeAt(i) : text[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A small deterministic pseudo-random sequence (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PictureSpec {
  width: number;
  height: number;
  format: ImageFormat;
  /** Real alpha 0 around the subject (png / webp only). */
  transparent: boolean;
  /** Anything that should make the picture differ: prompt, index, model... */
  seed: string;
  /** jpeg / webp quality, 1-100. */
  quality?: number;
}

/**
 * Draws a picture: a diagonal gradient, a disc and a bar, with colours from the seed, at about
 * 1/16 of the size, then scales it up. With `transparent`, everything outside the disc is clear.
 */
export async function makePicture(spec: PictureSpec): Promise<Buffer> {
  const { width, height } = spec;
  const scale = Math.max(1, Math.ceil(Math.max(width, height) / 96));
  const bw = Math.max(4, Math.round(width / scale));
  const bh = Math.max(4, Math.round(height / scale));
  const random = rng(hash32(spec.seed));
  const colour = (): [number, number, number] => [
    Math.floor(random() * 256),
    Math.floor(random() * 256),
    Math.floor(random() * 256),
  ];
  const from = colour();
  const to = colour();
  const disc = colour();
  const bar = colour();
  const cx = bw * (0.25 + random() * 0.5);
  const cy = bh * (0.25 + random() * 0.5);
  const radius = Math.min(bw, bh) * (0.2 + random() * 0.15);
  const barY = Math.floor(bh * (0.1 + random() * 0.7));
  const barH = Math.max(1, Math.floor(bh * 0.08));
  const channels = spec.transparent ? 4 : 3;
  const raw = Buffer.alloc(bw * bh * channels);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const t = (x / bw + y / bh) / 2;
      let r = from[0] + (to[0] - from[0]) * t;
      let g = from[1] + (to[1] - from[1]) * t;
      let b = from[2] + (to[2] - from[2]) * t;
      let a = 255;
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius;
      if (inDisc) [r, g, b] = disc;
      else if (y >= barY && y < barY + barH) [r, g, b] = bar;
      if (spec.transparent && !inDisc) a = 0;
      const o = (y * bw + x) * channels;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
      if (channels === 4) raw[o + 3] = a;
    }
  }
  let img = sharp(raw, { raw: { width: bw, height: bh, channels } }).resize(width, height, {
    fit: 'fill',
    kernel: 'nearest',
  });
  const quality = Math.min(100, Math.max(1, Math.round(spec.quality ?? 100)));
  switch (spec.format) {
    case 'png':
      img = img.png({ compressionLevel: 1, adaptiveFiltering: false });
      break;
    case 'jpeg':
      img = img.jpeg({ quality });
      break;
    case 'webp':
      img = img.webp({ quality, effort: 0 });
      break;
  }
  return img.toBuffer();
}

/**
 * An SVG drawing like makePicture's (gradient, disc, bar, colours from the seed), as the SVG
 * output of the 2026 models comes: a standalone UTF-8 document.
 */
export function makeSvg(spec: Pick<PictureSpec, 'width' | 'height' | 'seed' | 'transparent'>): Buffer {
  const random = rng(hash32(spec.seed));
  const colour = () => `#${Array.from({ length: 3 }, () => Math.floor(random() * 256).toString(16).padStart(2, '0')).join('')}`;
  const [from, to, disc, bar] = [colour(), colour(), colour(), colour()];
  const { width: w, height: h } = spec;
  const cx = Math.round(w * (0.25 + random() * 0.5));
  const cy = Math.round(h * (0.25 + random() * 0.5));
  const r = Math.round(Math.min(w, h) * (0.2 + random() * 0.15));
  const barY = Math.round(h * (0.1 + random() * 0.7));
  const background = spec.transparent ? '' : `<rect width="${w}" height="${h}" fill="url(#g)"/><rect y="${barY}" width="${w}" height="${Math.max(1, Math.round(h * 0.08))}" fill="${bar}"/>`;
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
      `${background}<circle cx="${cx}" cy="${cy}" r="${r}" fill="${disc}"/></svg>\n`,
    'utf8',
  );
}

/** An animated GIF: `frames` frames of `delayMs` each, a disc moving across a gradient (cheap to encode). */
export async function makeGif(spec: Pick<PictureSpec, 'width' | 'height' | 'seed'>, frames: number, delayMs: number): Promise<Buffer> {
  const { width: w, height: h } = spec;
  const random = rng(hash32(spec.seed));
  const base = [0, 0, 0].map(() => Math.floor(random() * 200));
  const disc = [0, 0, 0].map(() => Math.floor(random() * 256));
  const raw = Buffer.alloc(w * h * frames * 3);
  const r = Math.min(w, h) * 0.15;
  for (let f = 0; f < frames; f++) {
    const cx = w * (0.2 + (0.6 * f) / Math.max(1, frames - 1));
    const cy = h / 2;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = ((f * h + y) * w + x) * 3;
        const inDisc = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
        raw[o] = inDisc ? disc[0] : base[0] + ((x * 48) / w) | 0;
        raw[o + 1] = inDisc ? disc[1] : base[1];
        raw[o + 2] = inDisc ? disc[2] : base[2] + ((y * 48) / h) | 0;
      }
    }
  }
  // GIF stores delays in 10 ms units: the API rounds to the nearest 10 ms.
  const delay = Math.min(655_350, Math.round(delayMs / 10) * 10);
  return sharp(raw, { raw: { width: w, height: h * frames, channels: 3, pageHeight: h } })
    .gif({ delay: Array(frames).fill(delay), loop: 0, effort: 1, colours: 16, dither: 0 })
    .toBuffer();
}
