/**
 * Image formats in one place: what a file's first bytes say it is (magic bytes), the
 * format <-> MIME type <-> file extension tables, and the pixel size read from the headers alone
 * (PNG IHDR, JPEG SOFn, WebP VP8X / VP8 / VP8L, GIF logical screen), never by decoding.
 *
 * The JPEG marker-segment walk and the RIFF chunk walk live here too: the size needs them, and
 * the metadata codecs (src/core/metadata/) edit the same structures.
 *
 * Shared by the host, core and the webviews: no `vscode`, no Node APIs, `Uint8Array` only.
 */
import { latin1, startsWith, u16be, u16le, u24le, u32be, u32le } from './bytes';

/** The formats Pixelwright reads, writes and stores its record in (GIF: read and written only). */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** The MIME type of each format. */
export const MIME_TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' } as const satisfies Record<ImageFormat, string>;

/** The file extensions of each format (no dot), the one written first. */
export const FILE_EXTENSIONS = { png: ['png'], jpeg: ['jpg', 'jpeg'], webp: ['webp'], gif: ['gif'] } as const satisfies Record<ImageFormat, readonly string[]>;

/**
 * What a run can bring back: the four formats above and SVG (a vector drawing, as text; behind a
 * setting). SVG is never an input: preparation refuses it by name (sniffFormat).
 */
export type ResultFormat = ImageFormat | 'svg';
export const RESULT_MIME_TYPES = { ...MIME_TYPES, svg: 'image/svg+xml' } as const satisfies Record<ResultFormat, string>;
export const RESULT_EXTENSIONS = { ...FILE_EXTENSIONS, svg: ['svg'] } as const satisfies Record<ResultFormat, readonly string[]>;

export function isResultFormat(value: unknown): value is ResultFormat {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RESULT_MIME_TYPES, value);
}

/** Whether `value` names an {@link ImageFormat} (own keys only: `toString` is not a format). */
export function isImageFormat(value: unknown): value is ImageFormat {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MIME_TYPES, value);
}

// ---------------------------------------------------------------------------------------------
// Detection

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG, JPEG, WebP or GIF by signature; undefined for anything else. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, 0, PNG_SIGNATURE)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && latin1(bytes, 0, 4) === 'RIFF' && latin1(bytes, 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(latin1(bytes, 0, 6))) return 'gif';
  return undefined;
}

/** A result's format by its first bytes: an {@link ImageFormat}, or 'svg' for an SVG document. */
export function detectResultFormat(bytes: Uint8Array): ResultFormat | undefined {
  return detectImageFormat(bytes) ?? (isSvg(bytes) ? 'svg' : undefined);
}

/** An SVG document: text (a BOM, an XML declaration, comments or a doctype allowed) whose root element is <svg>. */
export function isSvg(b: Uint8Array): boolean {
  const head = latin1(b, 0, Math.min(b.length, 4096)).replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  const rest = head.replace(/^(\s*(<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>))*\s*/i, '');
  return /^<svg[\s>]/i.test(rest);
}

/**
 * What a file is by its first bytes, beyond the four {@link ImageFormat}s: the other inputs the
 * decoder reads (TIFF, AVIF) and the kinds recognised only to be refused by name (HEIC/HEIF, PDF,
 * SVG, BMP, Photoshop, ICO, JPEG XL, JPEG 2000).
 */
export type SniffedFormat = ImageFormat | 'tiff' | 'avif' | 'heif' | 'pdf' | 'svg' | 'bmp' | 'psd' | 'ico' | 'jxl' | 'jp2';

const HEIF_BRANDS = ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'];

export function sniffFormat(b: Uint8Array): SniffedFormat | undefined {
  const known = detectImageFormat(b);
  if (known) return known;
  if (b.length >= 4 && (latin1(b, 0, 4) === 'II*\0' || latin1(b, 0, 4) === 'MM\0*')) return 'tiff';
  if (b.length >= 12 && latin1(b, 4, 8) === 'ftyp') {
    // The ftyp box: major brand, minor version, then compatible brands up to the box's end.
    const boxSize = Math.min(b.length, u32be(b, 0) || 32);
    const brands: string[] = [latin1(b, 8, 12)];
    for (let i = 16; i + 4 <= boxSize; i += 4) brands.push(latin1(b, i, i + 4));
    if (brands.includes('avif') || brands.includes('avis')) return 'avif';
    if (brands.some((x) => HEIF_BRANDS.includes(x))) return 'heif';
  }
  const head = latin1(b, 0, 1024).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  if (head.startsWith('%PDF')) return 'pdf';
  if (head.startsWith('<') && /<svg[\s>]/i.test(head)) return 'svg';
  if (latin1(b, 0, 2) === 'BM') return 'bmp';
  if (latin1(b, 0, 4) === '8BPS') return 'psd';
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0) return 'ico';
  if ((b[0] === 0xff && b[1] === 0x0a) || latin1(b, 4, 8) === 'JXL ') return 'jxl';
  if (latin1(b, 4, 8) === 'jP  ' || (b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51)) return 'jp2';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Container structure (headers only)

/**
 * Called where a walk finds damage: it throws (a strict walk, for editing). Without it a walk
 * stops quietly at the damage and returns what it found before (a tolerant walk, for reading).
 */
export type OnDamage = (why: string) => never;

export interface JpegSegment {
  readonly marker: number;
  /** Offset of the first 0xFF (fill bytes included). */
  readonly start: number;
  /** Offset of the payload (after the length field). */
  readonly payload: number;
  readonly end: number;
}

/** The marker segments of a JPEG from SOI up to the first SOS (offset `sos`; -1 when not reached). */
export function jpegSegments(b: Uint8Array, onDamage?: OnDamage): { segments: JpegSegment[]; sos: number } {
  const segments: JpegSegment[] = [];
  let pos = 2;
  for (;;) {
    if (pos + 2 > b.length) {
      onDamage?.('the file ends before the image data');
      return { segments, sos: -1 };
    }
    if (b[pos] !== 0xff) {
      onDamage?.(`no marker at offset ${pos}`);
      return { segments, sos: -1 };
    }
    let m = pos + 1;
    while (m < b.length && b[m] === 0xff) m++; // fill bytes
    if (m >= b.length) {
      onDamage?.('the file ends before the image data');
      return { segments, sos: -1 };
    }
    const marker = b[m];
    if (marker === 0xda) return { segments, sos: pos };
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      segments.push({ marker, start: pos, payload: m + 1, end: m + 1 });
      pos = m + 1;
      continue;
    }
    if (marker === 0x00 || marker === 0xd8 || marker === 0xd9) {
      onDamage?.(marker === 0xd9 ? 'the image ends before any image data' : `unexpected marker 0x${marker.toString(16)} at offset ${m - 1}`);
      return { segments, sos: -1 };
    }
    if (m + 3 > b.length) {
      onDamage?.('the file is truncated in a marker segment');
      return { segments, sos: -1 };
    }
    const length = u16be(b, m + 1);
    const end = m + 1 + length;
    if (length < 2 || end > b.length) {
      onDamage?.(length < 2 ? `bad segment length at offset ${m - 1}` : 'the file is truncated in a marker segment');
      return { segments, sos: -1 };
    }
    segments.push({ marker, start: pos, payload: m + 3, end });
    pos = end;
  }
}

export interface RiffChunk {
  readonly fourcc: string;
  readonly start: number;
  readonly data: number;
  readonly size: number;
}

/** The chunks of a RIFF/WEBP file and where the RIFF ends. */
export function webpChunks(b: Uint8Array, onDamage?: OnDamage): { chunks: RiffChunk[]; riffEnd: number } {
  const declared = 8 + u32le(b, 4);
  if (declared > b.length) onDamage?.(`the file is truncated (${b.length} of ${declared} bytes)`);
  const riffEnd = Math.min(declared, b.length);
  const chunks: RiffChunk[] = [];
  let pos = 12;
  while (pos < riffEnd) {
    if (pos + 8 > riffEnd) {
      onDamage?.(`incomplete chunk header at offset ${pos}`);
      break;
    }
    const fourcc = latin1(b, pos, pos + 4);
    const size = u32le(b, pos + 4);
    if (pos + 8 + size > riffEnd) {
      onDamage?.(`the ${JSON.stringify(fourcc)} chunk at offset ${pos} runs past the end of the file`);
      break;
    }
    chunks.push({ fourcc, start: pos, data: pos + 8, size });
    pos += 8 + size + (size & 1);
  }
  return { chunks, riffEnd };
}

// ---------------------------------------------------------------------------------------------
// Size

export interface PixelSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The stored pixel size (before any Exif orientation) of a PNG (IHDR), JPEG (SOFn),
 * WebP (VP8X canvas, VP8 or VP8L header) or GIF (logical screen); undefined when unknown.
 */
export function readImageSize(bytes: Uint8Array): PixelSize | undefined {
  try {
    let size: PixelSize | undefined;
    switch (detectImageFormat(bytes)) {
      case 'png':
        if (bytes.length >= 24 && latin1(bytes, 12, 16) === 'IHDR') size = { width: u32be(bytes, 16), height: u32be(bytes, 20) };
        break;
      case 'jpeg':
        size = jpegSize(bytes);
        break;
      case 'webp':
        size = webpSize(bytes);
        break;
      case 'gif':
        if (bytes.length >= 10) size = { width: u16le(bytes, 6), height: u16le(bytes, 8) };
        break;
    }
    return size && size.width > 0 && size.height > 0 ? size : undefined;
  } catch {
    return undefined;
  }
}

function jpegSize(b: Uint8Array): PixelSize | undefined {
  for (const s of jpegSegments(b).segments) {
    const m = s.marker;
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof && s.end - s.payload >= 5) return { height: u16be(b, s.payload + 1), width: u16be(b, s.payload + 3) };
  }
  return undefined;
}

/** The frame size in a `VP8 ` (lossy) chunk's header; undefined when it is not a key frame's. */
export function vp8Size(b: Uint8Array, c: RiffChunk): PixelSize | undefined {
  // Frame tag (3 bytes, bit 0 clear on a key frame), start code 9D 01 2A, 14-bit width and height.
  if (c.size < 10 || b[c.data] & 1 || b[c.data + 3] !== 0x9d || b[c.data + 4] !== 0x01 || b[c.data + 5] !== 0x2a) return undefined;
  return { width: u16le(b, c.data + 6) & 0x3fff, height: u16le(b, c.data + 8) & 0x3fff };
}

/** The size and alpha flag in a `VP8L` (lossless) chunk's header. */
export function vp8lInfo(b: Uint8Array, c: RiffChunk): { width: number; height: number; alpha: boolean } | undefined {
  // Signature 0x2F, then 14 bits width-1, 14 bits height-1, 1 bit alpha used, 3 bits version (0).
  if (c.size < 5 || b[c.data] !== 0x2f) return undefined;
  const bits = u32le(b, c.data + 1);
  if (bits >>> 29 !== 0) return undefined;
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 };
}

function webpSize(b: Uint8Array): PixelSize | undefined {
  const first = webpChunks(b).chunks[0];
  if (!first) return undefined;
  if (first.fourcc === 'VP8X' && first.size >= 10) return { width: 1 + u24le(b, first.data + 4), height: 1 + u24le(b, first.data + 7) };
  if (first.fourcc === 'VP8 ') return vp8Size(b, first);
  if (first.fourcc === 'VP8L') {
    const info = vp8lInfo(b, first);
    return info && { width: info.width, height: info.height };
  }
  return undefined;
}
