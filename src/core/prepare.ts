/**
 * Input preparation for edits and variations: turns the user's image(s) and painted mask into
 * what the model accepts, and puts a GPT image edit back onto the original outside the mask.
 *
 * Loaded only through the lazily loaded engine bundle (sharp is a native module that must never
 * load at extension activation): do not import this module from anything else.
 *
 * Decisions (see also the notes each call returns):
 * - Accepted inputs: PNG, JPEG, WebP, GIF (first frame), TIFF (first page) and AVIF, all of
 *   which the prebuilt sharp decodes. Refused before decoding, by their signature: SVG and PDF
 *   (documents, not pixels: export a PNG), HEIC (the prebuilt sharp has no HEVC decoder), BMP,
 *   ICO, PSD, JPEG XL, JPEG 2000 and anything else. Damaged or truncated files are refused: every
 *   input is decoded in full once before anything is sent (sharp `failOn: 'error'`, which still
 *   lets through the harmless warnings some cameras' JPEGs raise).
 * - Decompression bombs: the pixel count in the header is checked before any decoding (default
 *   limit 100 megapixels, `maxInputPixels`), and every decoder gets the same `limitInputPixels`.
 * - EXIF orientation is applied to the image; masks are in the displayed (oriented) space.
 * - dall-e-2: a square RGBA PNG under 4 MB (aiming at 95% of it, since some servers count a
 *   megabyte as 10^6 bytes). Padding (the default) or a centre crop makes it square. Padding
 *   repeats the edge pixels (continuity for the edit near the border), is always opaque and is
 *   never marked for editing. Squares larger than 1024 are scaled down to 1024; smaller ones
 *   are kept as they are (the API wants a square, not one of the output sizes, and upscaling
 *   adds nothing). When the PNG is too big: first 256-colour quantization (re-expanded to RGBA,
 *   since the server refuses palette images), then 512x512.
 * - GPT image models: png, jpeg and webp files pass through untouched when nothing needs
 *   changing. Otherwise they are re-encoded in their own format (JPEG at quality 95 4:4:4, WebP
 *   at quality 95, PNG lossless), other formats become PNG, 16-bit becomes 8-bit and CMYK
 *   becomes sRGB. Scaled down only when the long edge exceeds 4096 (more than the largest
 *   output of any GPT image model: larger inputs only cost upload time) or the file is 50 MB or
 *   more. Non-square stays non-square.
 * - The mask sent is an RGBA PNG of the prepared first image's size: alpha 0 exactly where
 *   painted, 255 elsewhere, padding included. When it has to be resampled, it is resampled
 *   linearly and thresholded at 128, so alpha is only ever 0 or 255; painted parts too thin to
 *   survive that (a 1-px stroke on a large photo) are widened to one pixel, so an edit never goes
 *   out without the area the user marked. Written at a fast zlib level; grey+alpha (which the
 *   API also takes) when the RGBA would be 4 MB or more.
 * - No mask, but the image has fully transparent pixels: dall-e-2 gets no mask (the API uses
 *   the image's own transparency; holes that scaling would blur away are carried through it like
 *   a painted mask and stay fully transparent); GPT image models get a mask built from those pixels
 *   (alpha 0 -> edit), so "transparent means edit here" holds for every model. Pass
 *   `alphaAsMask: false` to edit a transparent asset as a whole instead. A painted mask with
 *   nothing painted counts as no mask.
 * - keepUnmaskedPixels composes in the ORIGINAL's displayed space, at its full resolution: the
 *   result is scaled to the prepared geometry (stretched when its aspect differs), its padding
 *   dropped, and its content scaled onto the part of the original that was sent. Outside the
 *   painted area the original's pixels are kept exactly (beyond a feather of about two pixels):
 *   its stored samples at its bit depth, with its RGB colour profile attached (the edit is
 *   converted into that profile, never the original out of it). The output is always a PNG, so
 *   nothing is lost again; what a PNG cannot hold (CMYK, a grey profile on a colour result) is
 *   converted, and composeUnmasked says so in a note.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Metadata, Sharp } from 'sharp';
import { sharp } from './lazySharp';
import { latin1 } from '../shared/bytes';
import { detectImageFormat, FILE_EXTENSIONS, readImageSize, sniffFormat } from '../shared/imageFormat';
import { withPngIccProfile } from './metadata/png';
import type { ModelCapabilities, RasterFormat as OutputFormat } from './models';
import type { InputImage } from './request';
import { englishMessage, msg, type CoreMessage, type MessageArg } from '../shared/messages';

// ---------------------------------------------------------------------------------------------
// Types

/** What the user painted, in the original image's displayed (EXIF-oriented) pixels. */
export type MaskInput =
  /** One byte per pixel, row by row; >= 128 means painted (edit here). */
  | { readonly width: number; readonly height: number; readonly painted: Uint8Array }
  /**
   * A PNG: with an alpha channel, painted = alpha >= 128 (a canvas brush layer: strokes opaque on
   * transparent); without one, painted = grey value >= 128 (white on black).
   */
  | { readonly png: Uint8Array };

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** How the first input became the prepared image; enough to map a result back onto the original. */
export interface Geometry {
  /** EXIF orientation applied to the original (1 = none). */
  readonly orientation: number;
  /** The original as displayed (after orientation): the space of masks and of keepUnmaskedPixels' output. */
  readonly source: { readonly width: number; readonly height: number };
  /** The part of the source that was sent: the whole image unless cropped to a square. Source pixels. */
  readonly crop: Rect;
  /** Where that part lies in the prepared image (smaller than it when padded). Prepared pixels. */
  readonly content: Rect;
  /** content.width / crop.width; 1 when not scaled. */
  readonly scale: number;
  /** How the image was made square (dall-e-2), or 'none'. */
  readonly square: 'pad' | 'crop' | 'none';
  /** Prepared image size. */
  readonly width: number;
  readonly height: number;
}

export interface Prepared {
  readonly images: InputImage[];
  /** The mask for the first image (RGBA PNG, alpha 0 = edit), when there is one to send. */
  readonly mask?: InputImage;
  /** The guide for the first image (`markup`: RGBA PNG of its prepared size), when one was drawn. */
  readonly markup?: InputImage;
  readonly geometry: Geometry;
  /** What was changed, for the user: one sentence each, as message ids (src/shared/messages.ts, `note.*`). */
  readonly notes: CoreMessage[];
}

export interface PrepareOptions {
  /** dall-e-2 only: how to make the image square. Default 'pad'. */
  readonly squareMode?: 'pad' | 'crop';
  readonly mask?: MaskInput;
  /**
   * GPT image models: a guide drawn over the first image (a PNG in its displayed pixels, transparent
   * where nothing is drawn), sent as `markup` at the prepared image's size. Never with a mask; the
   * image's own transparency is then not used as a mask either.
   */
  readonly guide?: Uint8Array;
  /** Refuse inputs with more pixels than this (decompression bombs). Default 100 megapixels. */
  readonly maxInputPixels?: number;
  /** GPT image models, no mask given: use the image's fully transparent pixels as the mask. Default true. */
  readonly alphaAsMask?: boolean;
  /** Checked between every stage (and inside long loops): once aborted, preparation stops with a 'cancelled' PrepareError. */
  readonly signal?: CancelSignal;
}

/** An AbortSignal, or anything else that says whether the user cancelled. */
export interface CancelSignal {
  readonly aborted: boolean;
}

export type PrepareErrorCode =
  | 'no-input'
  | 'too-many-images'
  | 'not-an-image'
  | 'unsupported-format'
  | 'damaged'
  | 'too-large'
  | 'mask-mismatch'
  | 'guide-mismatch'
  | 'no-edit-area'
  | 'too-big-to-send'
  | 'cancelled';

/**
 * An input refused before anything was sent. The reason is a message id with parameters (`text`,
 * for the host to word in the user's language, src/shared/messages.ts); `message` is its English.
 */
export class PrepareError extends Error {
  /** The file name of the input concerned, when there is one (in English when preparation names it, "The mask"). */
  readonly input?: string;
  constructor(
    readonly code: PrepareErrorCode,
    readonly text: CoreMessage,
    input?: MessageArg,
    /** The decoder's own words, for the log; never shown to the user. */
    readonly detail?: string,
  ) {
    super(englishMessage(text));
    this.name = 'PrepareError';
    if (input !== undefined) this.input = typeof input === 'object' ? englishMessage(input) : String(input);
  }
}

/** An input as a refusal names it: its file name, or what preparation calls it ("The mask"). */
type Label = string | CoreMessage;

export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;

/** Throws the 'cancelled' refusal once the user has cancelled. */
function checkCancel(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw new PrepareError('cancelled', msg('prepare.cancelled'));
}
/** dall-e-2 input squares larger than this are scaled down to it. */
export const DALLE2_MAX_SIDE = 1024;
/** GPT image inputs whose long edge exceeds this are scaled down to it. */
export const GPT_MAX_EDGE = 4096;
/** Masks must be smaller than this (API). */
const MASK_MAX_BYTES = 4 * 1024 * 1024;
/** Long pixel loops check the cancel signal every this many rows. */
const ROWS_PER_CHECK = 256;
/** Share of a byte limit we aim at: some servers count a megabyte as 10^6 bytes. */
const BYTE_MARGIN = 0.95;

type SourceFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'avif';

const FORMAT_NAMES: Record<SourceFormat, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', gif: 'GIF', tiff: 'TIFF', avif: 'AVIF' };

// ---------------------------------------------------------------------------------------------
// Recognising and probing inputs

/** What the refused kinds are called in a refusal. */
const REFUSED_KINDS = { bmp: 'prepare.kind.bmp', psd: 'prepare.kind.psd', ico: 'prepare.kind.ico', jxl: 'prepare.kind.jxl', jp2: 'prepare.kind.jp2' } as const;

const heicRefusal = (name: Label) => new PrepareError('unsupported-format', msg('prepare.heic', name), name);

/** The format by signature, or a PrepareError saying why it is refused. */
function sniff(name: Label, b: Uint8Array): SourceFormat {
  const format = sniffFormat(b);
  switch (format) {
    case 'png':
    case 'jpeg':
    case 'webp':
    case 'gif':
    case 'tiff':
    case 'avif':
      return format;
    case 'heif':
      throw heicRefusal(name);
    case 'pdf':
      throw new PrepareError('unsupported-format', msg('prepare.pdf', name), name);
    case 'svg':
      throw new PrepareError('unsupported-format', msg('prepare.svg', name), name);
    case undefined:
      throw new PrepareError('not-an-image', msg('prepare.notAnImage', name), name);
    default:
      throw new PrepareError('unsupported-format', msg('prepare.refusedKind', name, msg(REFUSED_KINDS[format])), name);
  }
}

/**
 * The codec of an ISO-BMFF image by the configuration box in its `meta` box ('av1C' AV1, 'hvcC'
 * HEVC), or undefined when there is not exactly one of the two. sharp's own `compression` follows
 * the major brand only, so an AV1 image whose major brand is 'mif1' (with 'avif' among its
 * compatible brands) is reported as 'hevc'.
 */
function heifCodec(b: Uint8Array): 'av1' | 'hevc' | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 0; at + 8 <= b.length; ) {
    let size = view.getUint32(at);
    if (size === 1 && at + 16 <= b.length) size = Number(view.getBigUint64(at + 8));
    else if (size === 0) size = b.length - at;
    if (size < 8) return undefined;
    if (latin1(b, at + 4, at + 8) === 'meta') {
      const box = latin1(b, at, Math.min(b.length, at + size));
      const av1 = box.includes('av1C');
      if (av1 === box.includes('hvcC')) return undefined;
      return av1 ? 'av1' : 'hevc';
    }
    at += size;
  }
  return undefined;
}

interface Probe {
  readonly name: string;
  /** What refusals call it: the file name, or preparation's own name for it ("The original image"). */
  readonly label: Label;
  readonly bytes: Uint8Array;
  readonly format: SourceFormat;
  readonly orientation: number;
  /** Displayed size (after orientation). */
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly sixteenBit: boolean;
  readonly space: string;
  readonly palette: boolean;
  readonly hasAlpha: boolean;
  readonly pages: number;
  readonly maxPixels: number;
  /** The embedded ICC profile, if any. */
  readonly icc?: Buffer;
}

function sharpInput(bytes: Uint8Array, maxPixels: number): Sharp {
  return sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' });
}

function mp(pixels: number): CoreMessage {
  return msg('prepare.megapixels', (pixels / 1e6).toFixed(pixels < 1e7 ? 1 : 0));
}

function tooLarge(name: Label, width: number, height: number, maxPixels: number): PrepareError {
  return new PrepareError('too-large', msg('prepare.tooLarge', name, width, height, mp(width * height), mp(maxPixels)), name);
}

/**
 * Maps a decoder's failure to a refusal in plain words. The decoder's own text ("Input buffer
 * has corrupt header", "vipspng: libpng read error", "(Unknown error)") tells the user nothing:
 * it is kept in `detail` for the log. Every input has passed the signature check first, so a
 * decoder that cannot read it means the file is damaged, not of another kind.
 */
function decodeError(name: Label, err: unknown, maxPixels: number): PrepareError {
  if (err instanceof PrepareError) return err;
  const said = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(said)) return new PrepareError('too-large', msg('prepare.overPixelLimit', name, mp(maxPixels)), name, said);
  return new PrepareError('damaged', msg('prepare.damaged', name), name, said);
}

/** `label`: what refusals call an input that has no file name of its own (the file name otherwise). */
async function probe(name: string, bytes: Uint8Array, maxPixels: number, label: Label = name): Promise<Probe> {
  const format = sniff(label, bytes);
  // Header check first, without the decoder: a bomb is refused before libvips sees it.
  const header = readImageSize(bytes);
  if (header && header.width * header.height > maxPixels) throw tooLarge(label, header.width, header.height, maxPixels);
  let meta: Metadata;
  try {
    // Header only, no pixels decoded: the limit is checked below, with the size in the message.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw decodeError(label, err, maxPixels);
  }
  const codec = format === 'avif' ? (heifCodec(bytes) ?? meta.compression) : undefined;
  if (codec && codec !== 'av1') throw heicRefusal(label);
  const pageHeight = meta.pageHeight && meta.pages && meta.pages > 1 ? meta.pageHeight : meta.height;
  if (!meta.width || !pageHeight) throw new PrepareError('damaged', msg('prepare.noSize', label), label);
  if (meta.width * pageHeight > maxPixels) throw tooLarge(label, meta.width, pageHeight, maxPixels);
  const orientation = meta.orientation && meta.orientation >= 1 && meta.orientation <= 8 ? meta.orientation : 1;
  const swap = orientation >= 5;
  return {
    name,
    label,
    bytes,
    format,
    orientation,
    width: swap ? pageHeight : meta.width,
    height: swap ? meta.width : pageHeight,
    channels: meta.channels,
    sixteenBit: meta.depth === 'ushort' || (meta.bitsPerSample ?? 8) > 8 || meta.space === 'rgb16' || meta.space === 'grey16',
    space: meta.space,
    palette: !!meta.isPalette,
    hasAlpha: !!meta.hasAlpha,
    pages: meta.pages ?? 1,
    maxPixels,
    icc: meta.icc,
  };
}

/** "16-bit grey+alpha", "8-bit palette", "8-bit RGB", "CMYK"... */
/** An input's pixels in a note's words: "8-bit RGB+alpha", "16-bit palette with transparency", "CMYK". */
function describe(p: Probe): CoreMessage {
  const bits = p.sixteenBit ? 16 : 8;
  if (p.space === 'cmyk') return msg('note.pixels.cmyk');
  if (p.palette) return msg(p.hasAlpha ? 'note.pixels.paletteAlpha' : 'note.pixels.palette', bits);
  const grey = p.space === 'b-w' || p.space === 'grey16' || p.channels <= 2;
  if (grey) return msg(p.hasAlpha ? 'note.pixels.greyAlpha' : 'note.pixels.grey', bits);
  return msg(p.hasAlpha ? 'note.pixels.rgbAlpha' : 'note.pixels.rgb', bits);
}

function baseName(name: string): string {
  const file = name.split(/[\\/]/).pop() || 'image';
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

/** The name to send: the original when its extension fits the format, else the format's extension. */
function nameFor(name: string, format: OutputFormat): string {
  const file = name.split(/[\\/]/).pop() || 'image';
  const ext = file.includes('.') ? file.slice(file.lastIndexOf('.') + 1).toLowerCase() : '';
  const extensions: readonly string[] = FILE_EXTENSIONS[format];
  return extensions.includes(ext) ? file : `${baseName(file)}.${extensions[0]}`;
}

function checkCount(count: number, caps: ModelCapabilities, max = caps.input.maxImages): void {
  if (max === 0) throw new PrepareError('too-many-images', msg('prepare.noInputsTaken', caps.id));
  if (count === 0) throw new PrepareError('no-input', msg('prepare.noInput'));
  if (count > max) throw new PrepareError('too-many-images', max === 1 ? msg('prepare.tooManyInputsOne', caps.id, count) : msg('prepare.tooManyInputs', caps.id, max, count));
}

// ---------------------------------------------------------------------------------------------
// Masks

/** The painted mask as one byte per displayed pixel (>= 128 painted), checked against the image's size. */
async function loadPainted(mask: MaskInput, p: { label: Label; width: number; height: number; orientation: number; maxPixels: number }): Promise<Uint8Array> {
  let width: number;
  let height: number;
  let data: Uint8Array;
  if ('painted' in mask) {
    ({ width, height } = mask);
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || mask.painted.length !== width * height) {
      throw new PrepareError('mask-mismatch', msg('prepare.maskInvalid', width, height, mask.painted.length, width * height), p.label);
    }
    data = mask.painted;
  } else {
    const b = mask.png;
    if (detectImageFormat(b) !== 'png') throw new PrepareError('mask-mismatch', msg('prepare.maskNotPng'), p.label);
    const header = readImageSize(b);
    if (header && (header.width !== p.width || header.height !== p.height)) ({ width, height } = header);
    else {
      try {
        const img = sharpInput(b, p.maxPixels);
        const meta = await img.metadata();
        // sharp hands a grey+alpha PNG on as sRGB+alpha (4 bands), so its band 1 is the grey, not the
        // alpha: made explicit, the alpha is band 3 for every PNG that has one.
        const pipeline = meta.hasAlpha ? img.toColourspace('srgb').ensureAlpha().extractChannel(3) : img.toColourspace('b-w');
        const out = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
        ({ width, height } = out.info);
        data = out.data;
      } catch (err) {
        throw decodeError(msg('prepare.name.mask'), err, p.maxPixels);
      }
    }
  }
  if (width !== p.width || height !== p.height) {
    const rotated = p.orientation >= 5 && width === p.height && height === p.width;
    throw new PrepareError('mask-mismatch', msg(rotated ? 'prepare.maskSizeRotated' : 'prepare.maskSize', width, height, p.label, p.width, p.height), p.label);
  }
  return data!;
}

function countPainted(painted: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < painted.length; i++) if (painted[i] >= 128) n++;
  return n;
}

/** Source-space painted mask from the image's fully transparent pixels, or undefined when there are none. */
async function alphaZeroMask(p: Probe, signal?: CancelSignal): Promise<Uint8Array | undefined> {
  if (!p.hasAlpha) return undefined;
  let alpha: Buffer;
  try {
    // One decode: scanning the alpha in JavaScript costs less than a second decode for stats().
    alpha = await sharpInput(p.bytes, p.maxPixels).autoOrient().toColourspace('srgb').ensureAlpha().extractChannel(3).raw({ depth: 'uchar' }).toBuffer();
  } catch (err) {
    throw decodeError(p.label, err, p.maxPixels);
  }
  const painted = Buffer.alloc(alpha.length);
  let any = 0;
  const step = p.width * ROWS_PER_CHECK;
  for (let start = 0; start < alpha.length; start += step) {
    checkCancel(signal);
    const end = Math.min(alpha.length, start + step);
    // Branch-free (a noisy alpha defeats branch prediction): 255 where alpha is 0, else 0.
    for (let i = start; i < end; i++) any |= painted[i] = ((alpha[i] - 1) >> 8) & 255;
  }
  return any ? painted : undefined;
}

function isWhole(crop: Rect, w: number, h: number): boolean {
  return crop.left === 0 && crop.top === 0 && crop.width === w && crop.height === h;
}

/**
 * The source-space mask carried through crop and scale: content.width x content.height bytes,
 * painted where >= 128 (resampled masks are thresholded when encoded). Nothing painted inside
 * the crop is lost to the scaling: see {@link keepThinParts}. `widened` counts the pixels that
 * had to be added for that.
 */
async function maskContent(painted: Uint8Array, g: Geometry, signal?: CancelSignal): Promise<{ content: Uint8Array; widened: number }> {
  const { crop, content, source } = g;
  if (content.width === crop.width && content.height === crop.height) {
    if (isWhole(crop, source.width, source.height)) return { content: painted, widened: 0 };
    const region = new Uint8Array(crop.width * crop.height);
    for (let y = 0; y < crop.height; y++) {
      const from = (crop.top + y) * source.width + crop.left;
      region.set(painted.subarray(from, from + crop.width), y * crop.width);
    }
    return { content: region, widened: 0 };
  }
  let img = sharp(painted, { raw: { width: source.width, height: source.height, channels: 1 }, limitInputPixels: false });
  if (!isWhole(crop, source.width, source.height)) img = img.extract(crop);
  const scaled = await img.resize(content.width, content.height, { fit: 'fill', kernel: 'linear' }).toColourspace('b-w').raw().toBuffer();
  checkCancel(signal);
  return { content: scaled, widened: keepThinParts(painted, g, scaled, signal) };
}

/**
 * Scaling down averages a stroke thinner than the scale away (a 1-px stroke on an 8000 px photo
 * sent at 4096 is half a pixel wide): the threshold would drop it, and the edit would go out
 * without the area the user painted. So every painted source pixel must land in, or next to, a
 * painted pixel of the scaled mask: where one does not, the scaled pixel it falls in is painted
 * too. Areas that survive scaling keep their edge (within a pixel, as before); thin strokes come
 * out one pixel wide. Returns how many pixels were added.
 */
function keepThinParts(painted: Uint8Array, g: Geometry, scaled: Uint8Array, signal?: CancelSignal): number {
  const { crop, source } = g;
  const { width: cw, height: ch } = g.content;
  const column = new Int32Array(crop.width);
  for (let x = 0; x < crop.width; x++) column[x] = Math.min(cw - 1, Math.floor(((x + 0.5) * cw) / crop.width));
  const survives = (qx: number, qy: number): boolean => {
    for (let y = Math.max(0, qy - 1); y <= Math.min(ch - 1, qy + 1); y++) {
      for (let x = Math.max(0, qx - 1); x <= Math.min(cw - 1, qx + 1); x++) if (scaled[y * cw + x] >= 128) return true;
    }
    return false;
  };
  const added: number[] = [];
  const seen = new Uint8Array(cw * ch);
  for (let y = 0; y < crop.height; y++) {
    if (y % ROWS_PER_CHECK === 0) checkCancel(signal);
    const qy = Math.min(ch - 1, Math.floor(((y + 0.5) * ch) / crop.height));
    const row = (crop.top + y) * source.width + crop.left;
    for (let x = 0; x < crop.width; x++) {
      if (painted[row + x] < 128) continue;
      const q = qy * cw + column[x];
      if (seen[q]) continue;
      seen[q] = 1;
      if (!survives(column[x], qy)) added.push(q);
    }
  }
  for (const q of added) scaled[q] = 255;
  return added.length;
}

function widenedNote(area: 'painted' | 'transparent', name: string, g: Geometry): CoreMessage {
  return msg(area === 'painted' ? 'note.widenedPainted' : 'note.widenedTransparent', name, g.width, g.height);
}

/**
 * The API mask for a prepared image: a PNG with alpha 0 where painted, 255 elsewhere (padding
 * included). Effort is spent only when the size limit needs it: RGBA at a fast zlib level first
 * (a painted area compresses to a few KB at any level, and maximum effort took 46 s on a noisy
 * 4096 square; skipped when the painting has too many edges to fit); when that is 4 MB or more, grey+alpha (the same alpha in half the bytes; the API
 * takes RGBA or LA masks) at a middle level, which holds even a random painting of 4096x4096
 * (about 3.4 MB); maximum effort only as the last try.
 */
async function encodeMask(content: Uint8Array, g: Geometry, name: string, signal?: CancelSignal): Promise<{ mask: InputImage; painted: number }> {
  const { width, height } = g;
  const { left, top, width: cw, height: ch } = g.content;
  // The alpha plane: 0 where painted, 255 elsewhere (padding included).
  const alpha = Buffer.alloc(width * height, 255);
  let painted = 0;
  // Changes between painted and not along the rows: what the compressed size grows with.
  let edges = 0;
  for (let cy = 0; cy < ch; cy++) {
    if (cy % ROWS_PER_CHECK === 0) checkCancel(signal);
    const src = cy * cw;
    const dst = (top + cy) * width + left;
    // Branch-free (a noisy painting defeats branch prediction): v is 1 where painted (>= 128).
    let prev = 0;
    for (let cx = 0; cx < cw; cx++) {
      const v = content[src + cx] >> 7;
      alpha[dst + cx] = (v - 1) & 255;
      painted += v;
      edges += v ^ prev;
      prev = v;
    }
  }
  checkCancel(signal);
  const limit = MASK_MAX_BYTES * BYTE_MARGIN;
  let bytes: Buffer | undefined;
  // RGBA costs about 0.7 bytes per edge at this level (a random painting: 6 MB for 8.4 million
  // edges); when even half of that is over the limit, the attempt is skipped.
  if (edges * 0.5 < limit) {
    bytes = await sharp({ create: { width, height, channels: 3, background: '#000' }, limitInputPixels: false })
      .joinChannel(alpha, { raw: { width, height, channels: 1 }, limitInputPixels: false })
      .png({ compressionLevel: 2, adaptiveFiltering: false })
      .toBuffer();
  }
  if (!bytes || bytes.length >= limit) {
    const la = Buffer.alloc(width * height * 2);
    for (let i = 0; i < alpha.length; i++) la[2 * i + 1] = alpha[i];
    for (const level of [4, 9]) {
      checkCancel(signal);
      bytes = await sharp(la, { raw: { width, height, channels: 2 }, limitInputPixels: false }).toColourspace('b-w').png({ compressionLevel: level, adaptiveFiltering: false }).toBuffer();
      if (bytes.length < limit) break;
    }
  }
  if (!bytes || bytes.length >= limit) {
    throw new PrepareError('too-big-to-send', msg('prepare.maskTooBig', name, ((bytes?.length ?? 0) / 1048576).toFixed(1)), name);
  }
  return { mask: { name: `${baseName(name)}-mask.png`, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), format: 'png' }, painted };
}

// ---------------------------------------------------------------------------------------------
// dall-e-2: one square RGBA PNG

function planSquare(p: Probe, mode: 'pad' | 'crop', maxSide: number): Geometry {
  const { width: W, height: H } = p;
  if (mode === 'crop') {
    const S = Math.min(W, H);
    const T = Math.min(S, maxSide);
    const crop = { left: Math.floor((W - S) / 2), top: Math.floor((H - S) / 2), width: S, height: S };
    return { orientation: p.orientation, source: { width: W, height: H }, crop, content: { left: 0, top: 0, width: T, height: T }, scale: T / S, square: 'crop', width: T, height: T };
  }
  const S = Math.max(W, H);
  const T = Math.min(S, maxSide);
  const scale = T / S;
  const cw = Math.max(1, Math.min(T, Math.round(W * scale)));
  const ch = Math.max(1, Math.min(T, Math.round(H * scale)));
  const content = { left: Math.floor((T - cw) / 2), top: Math.floor((T - ch) / 2), width: cw, height: ch };
  return { orientation: p.orientation, source: { width: W, height: H }, crop: { left: 0, top: 0, width: W, height: H }, content, scale, square: 'pad', width: T, height: T };
}

/** RGBA from pixels of `channels` (> 4) interleaved bands: each pixel's first four. */
function firstFourBands(data: Buffer, channels: number): Buffer {
  const pixels = data.length / channels;
  const out = Buffer.allocUnsafe(pixels * 4);
  for (let i = 0, o = 0; i < data.length; i += channels, o += 4) data.copy(out, o, i, i + 4);
  return out;
}

/** Decodes the oriented, cropped, scaled content as 8-bit RGBA. */
async function decodeContent(p: Probe, g: Geometry): Promise<Buffer> {
  try {
    let img = sharpInput(p.bytes, p.maxPixels).autoOrient();
    if (!isWhole(g.crop, p.width, p.height)) img = img.extract(g.crop);
    if (g.content.width !== g.crop.width || g.content.height !== g.crop.height) img = img.resize(g.content.width, g.content.height, { fit: 'fill' });
    const { data, info } = await img.toColourspace('srgb').ensureAlpha(1).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.width !== g.content.width || info.height !== g.content.height || info.channels < 4) {
      throw new PrepareError('damaged', msg('prepare.decodedUnexpected', p.label, info.width, info.height, info.channels), p.label);
    }
    // extra samples beyond the alpha (a TIFF's, say) stay behind: colour and the first extra as alpha, as PNG keeps them
    return info.channels === 4 ? data : firstFourBands(data, info.channels);
  } catch (err) {
    throw decodeError(p.label, err, p.maxPixels);
  }
}

/** Places content in the prepared square; padding repeats the nearest edge pixel and is opaque. */
function padSquare(content: Buffer, g: Geometry): Buffer {
  const { width: T, height: TH } = g;
  const { left, top, width: cw, height: ch } = g.content;
  if (cw === T && ch === TH) return content;
  const out = Buffer.alloc(T * TH * 4);
  const rowBytes = T * 4;
  for (let cy = 0; cy < ch; cy++) {
    const y = top + cy;
    const src = cy * cw * 4;
    const dst = y * rowBytes;
    content.copy(out, dst + left * 4, src, src + cw * 4);
    if (left > 0) out.fill(Buffer.from([content[src], content[src + 1], content[src + 2], 255]), dst, dst + left * 4);
    const last = src + (cw - 1) * 4;
    if (left + cw < T) out.fill(Buffer.from([content[last], content[last + 1], content[last + 2], 255]), dst + (left + cw) * 4, dst + rowBytes);
  }
  // Rows above and below: copies of the first and last content rows, made opaque.
  const firstRow = top * rowBytes;
  const lastRow = (top + ch - 1) * rowBytes;
  for (let y = 0; y < TH; y++) {
    if (y >= top && y < top + ch) continue;
    const dst = y * rowBytes;
    out.copy(out, dst, y < top ? firstRow : lastRow, (y < top ? firstRow : lastRow) + rowBytes);
    for (let i = dst + 3; i < dst + rowBytes; i += 4) out[i] = 255;
  }
  return out;
}

/** Makes the prepared square fully transparent where `content` (content-space, >= 128) says; returns how many such pixels. */
function clearWhere(rgba: Buffer, content: Uint8Array, g: Geometry): number {
  const { left, top, width: cw, height: ch } = g.content;
  let n = 0;
  for (let cy = 0; cy < ch; cy++) {
    const row = ((top + cy) * g.width + left) * 4;
    for (let cx = 0; cx < cw; cx++) {
      if (content[cy * cw + cx] >= 128) {
        rgba[row + cx * 4 + 3] = 0;
        n++;
      }
    }
  }
  return n;
}

/**
 * Level 4 with adaptive filtering: about as small as level 6 and twice as fast (a 1024 square
 * photo: 1.26 MB in 0.1 s, against 1.20 MB in 0.2 s, or 1.9 MB unfiltered). Level 9 is kept
 * for files near the limit.
 */
async function encodeRgbaPng(rgba: Buffer, width: number, height: number, level: 4 | 9 = 4): Promise<Buffer> {
  return sharp(rgba, { raw: { width, height, channels: 4 }, limitInputPixels: false }).png({ compressionLevel: level, adaptiveFiltering: true }).toBuffer();
}

/** 256 colours, written back as RGBA (dall-e-2 servers refuse palette PNGs). */
async function encodeQuantizedRgbaPng(rgba: Buffer, width: number, height: number): Promise<Buffer> {
  const raw = { raw: { width, height, channels: 4 as const }, limitInputPixels: false };
  const palette = await sharp(rgba, raw).png({ palette: true, colours: 256, effort: 1 }).toBuffer();
  const back = await sharp(palette).ensureAlpha(1).raw().toBuffer();
  return sharp(back, raw).png({ compressionLevel: 9, adaptiveFiltering: false }).toBuffer();
}

async function prepareDalle2(input: { name: string; bytes: Uint8Array }, caps: ModelCapabilities, opts: PrepareOptions, purpose: 'edit' | 'variation'): Promise<Prepared> {
  const maxPixels = opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const signal = opts.signal;
  checkCancel(signal);
  const p = await probe(input.name, input.bytes, maxPixels);
  checkCancel(signal);
  const mode = opts.squareMode ?? 'pad';
  let painted: Uint8Array | undefined;
  if (purpose === 'edit' && opts.mask) {
    painted = await loadPainted(opts.mask, p);
    checkCancel(signal);
    if (countPainted(painted) === 0) painted = undefined;
  }
  const limit = Math.floor((caps.input.maxBytes || 4 * 1048576) * BYTE_MARGIN);
  const sides = [DALLE2_MAX_SIDE, 512, 256];
  /** The source's fully transparent pixels (null: none), read once when needed. */
  let holes: Uint8Array | null | undefined;
  let tried = 0;
  for (let attempt = 0; attempt < sides.length; attempt++) {
    const g = planSquare(p, mode, sides[attempt]);
    if (g.width === tried) continue; // already small: the same square again would not help
    tried = g.width;
    const rgba = padSquare(await decodeContent(p, g), g);
    checkCancel(signal);
    const notes: CoreMessage[] = [];
    const name = nameFor(p.name, 'png');
    const padded = g.square === 'pad' && (g.content.width !== g.width || g.content.height !== g.height);
    if (p.orientation !== 1) notes.push(msg('note.rotated', p.name, p.orientation));
    if (p.format !== 'png') notes.push(msg('note.convertedToPng', p.name, FORMAT_NAMES[p.format]));
    if (p.pages > 1) notes.push(msg('note.firstFrame', p.name, p.pages));
    if (p.sixteenBit || p.channels !== 4 || p.palette || p.space === 'cmyk') notes.push(msg('note.convertedToRgba', p.name, describe(p)));
    if (padded) notes.push(msg('note.padded', p.name));
    if (g.square === 'crop' && !isWhole(g.crop, p.width, p.height)) {
      notes.push(msg('note.cropped', p.name, g.crop.width, g.crop.height, g.crop.left, g.crop.top));
    }
    if (g.scale !== 1) {
      notes.push(
        padded
          ? msg('note.scaledPadded', p.name, p.width, p.height, g.content.width, g.content.height, g.width, g.height)
          : msg('note.scaled', p.name, p.width, p.height, g.content.width, g.content.height),
      );
    }

    let mask: InputImage | undefined;
    if (painted) {
      const { content, widened } = await maskContent(painted, g, signal);
      checkCancel(signal);
      const encoded = await encodeMask(content, g, name, signal);
      if (encoded.painted === 0) {
        // Thin strokes are widened, so only a painting wholly outside the crop ends here.
        throw new PrepareError('no-edit-area', msg('prepare.paintedOutside', p.label), p.label);
      }
      if (widened > 0) notes.push(widenedNote('painted', p.name, g));
      if (g.square === 'crop' && !isWhole(g.crop, p.width, p.height)) {
        if (countInside(painted, p.width, g.crop) < countPainted(painted)) notes.push(msg('note.paintedOutsideCrop', p.name));
      }
      mask = encoded.mask;
    } else if (purpose === 'edit') {
      // No mask: the API edits where the image is fully transparent. Scaling averages a small
      // hole into half-transparent pixels, which the API would not edit: the holes are carried
      // through the scaling like a painted mask, and made fully transparent again.
      holes ??= (await alphaZeroMask(p, signal)) ?? null;
      if (!holes) {
        throw new PrepareError('no-edit-area', msg('prepare.dalle2NoArea', p.label), p.label);
      }
      const { content, widened } = await maskContent(holes, g, signal);
      checkCancel(signal);
      if (clearWhere(rgba, content, g) === 0) {
        throw new PrepareError('no-edit-area', msg('prepare.transparentOutside', p.label), p.label);
      }
      notes.push(msg('note.alphaAsMask', p.name));
      if (widened > 0) notes.push(widenedNote('transparent', p.name, g));
    }

    checkCancel(signal);
    let bytes = await encodeRgbaPng(rgba, g.width, g.height);
    checkCancel(signal);
    if (bytes.length >= limit) bytes = await encodeRgbaPng(rgba, g.width, g.height, 9);
    checkCancel(signal);
    if (bytes.length >= limit) {
      const quantized = await encodeQuantizedRgbaPng(rgba, g.width, g.height);
      checkCancel(signal);
      if (quantized.length < limit) {
        notes.push(msg('note.quantized', p.name, fmtMB(limit)));
        bytes = quantized;
      } else if (attempt < sides.length - 1) {
        continue;
      } else {
        throw new PrepareError('too-big-to-send', msg('prepare.staysOver', p.label, fmtMB(limit), g.width, g.height), p.label);
      }
    }
    if (attempt > 0) notes.push(msg('note.reduced', p.name, g.width, g.height, fmtMB(limit)));
    return { images: [{ name, bytes: u8(bytes), format: 'png' }], mask, geometry: g, notes };
  }
  // reached by a square of 256 px or less still too big at 256 colours (prepare.tail.test.ts)
  throw new PrepareError('too-big-to-send', msg('prepare.cannotShrink', p.label), p.label);
}

function countInside(painted: Uint8Array, width: number, crop: Rect): number {
  let n = 0;
  for (let y = crop.top; y < crop.top + crop.height; y++) {
    for (let x = crop.left; x < crop.left + crop.width; x++) if (painted[y * width + x] >= 128) n++;
  }
  return n;
}

function fmtMB(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MB`;
}

function u8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

// ---------------------------------------------------------------------------------------------
// GPT image models: up to 16 images, png / jpeg / webp, any aspect

async function encodeAs(p: Probe, format: OutputFormat, width: number, height: number): Promise<Buffer> {
  try {
    let img = sharpInput(p.bytes, p.maxPixels).autoOrient();
    if (width !== p.width || height !== p.height) img = img.resize(width, height, { fit: 'fill' });
    img = img.toColourspace('srgb');
    if (format === 'jpeg') return await img.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
    if (format === 'webp') return await img.webp({ quality: 95, alphaQuality: 100 }).toBuffer();
    return await img.png({ compressionLevel: 4, adaptiveFiltering: true }).toBuffer();
  } catch (err) {
    throw decodeError(p.label, err, p.maxPixels);
  }
}

/** Decodes the whole file once (refusing damaged ones) without keeping the pixels. */
async function checkDecodes(p: Probe): Promise<void> {
  try {
    // JPEG shrink-on-load still reads every block; PNG, WebP... inflate everything.
    await sharpInput(p.bytes, p.maxPixels).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch (err) {
    throw decodeError(p.label, err, p.maxPixels);
  }
}

async function prepareGptImage(
  input: { name: string; bytes: Uint8Array },
  caps: ModelCapabilities,
  maxPixels: number,
  notes: CoreMessage[],
  signal: CancelSignal | undefined,
  /** The caller decodes the whole file next anyway (its alpha as the mask): no separate decode check. */
  decodedLater = (_p: Probe) => false,
): Promise<{ image: InputImage; probe: Probe; geometry: Geometry }> {
  checkCancel(signal);
  const p = await probe(input.name, input.bytes, maxPixels);
  checkCancel(signal);
  const accepted = (caps.input.formats as readonly string[]).includes(p.format);
  const format: OutputFormat = accepted ? (p.format as OutputFormat) : 'png';
  // Why the file is encoded again: one note each, said once it fits.
  const reasons: CoreMessage[] = [];
  if (!accepted) reasons.push(msg('note.convertedToPng', p.name, FORMAT_NAMES[p.format]));
  if (p.pages > 1) reasons.push(msg('note.firstFrame', p.name, p.pages));
  if (p.orientation !== 1) reasons.push(msg('note.rotated', p.name, p.orientation));
  if (p.sixteenBit) reasons.push(msg('note.convertedTo8Bit', p.name, describe(p)));
  else if (p.space === 'cmyk') reasons.push(msg('note.cmykToRgb', p.name));
  let scale = Math.min(1, GPT_MAX_EDGE / Math.max(p.width, p.height));
  const limit = Math.floor(caps.input.maxBytes * BYTE_MARGIN);
  if (p.bytes.length >= limit && reasons.length === 0 && scale === 1) {
    // Re-encoding in the same format may be enough; scaling comes next if not.
    reasons.push(msg('note.reencoded', p.name, fmtMB(limit)));
  }
  const geometryAt = (s: number): Geometry => {
    const width = Math.max(1, Math.round(p.width * s));
    const height = Math.max(1, Math.round(p.height * s));
    return {
      orientation: p.orientation,
      source: { width: p.width, height: p.height },
      crop: { left: 0, top: 0, width: p.width, height: p.height },
      content: { left: 0, top: 0, width, height },
      scale: width / p.width,
      square: 'none',
      width,
      height,
    };
  };
  if (reasons.length === 0 && scale === 1) {
    if (!decodedLater(p)) await checkDecodes(p);
    checkCancel(signal);
    return { image: { name: nameFor(p.name, format), bytes: p.bytes, format }, probe: p, geometry: geometryAt(1) };
  }
  for (let attempt = 0; attempt < 6; attempt++) {
    const g = geometryAt(scale);
    const bytes = await encodeAs(p, format, g.width, g.height);
    checkCancel(signal);
    if (bytes.length < limit) {
      notes.push(...reasons);
      if (g.width !== p.width || g.height !== p.height) notes.push(msg('note.scaled', p.name, p.width, p.height, g.width, g.height));
      return { image: { name: nameFor(p.name, format), bytes: u8(bytes), format }, probe: p, geometry: g };
    }
    scale *= Math.sqrt(limit / bytes.length) * 0.9;
  }
  throw new PrepareError('too-big-to-send', msg('prepare.cannotShrinkBelow', p.label, fmtMB(limit)), p.label);
}

async function prepareGpt(inputs: readonly { name: string; bytes: Uint8Array }[], caps: ModelCapabilities, opts: PrepareOptions): Promise<Prepared> {
  const maxPixels = opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const notes: CoreMessage[] = [];
  const prepared: Awaited<ReturnType<typeof prepareGptImage>>[] = [];
  // One at a time: sixteen large photos decoded at once would hold a lot of memory.
  const signal = opts.signal;
  // The first image's alpha becomes the mask when nothing is painted: that decodes the whole
  // file (refusing a damaged one) as the decode check would.
  const alphaMask = !opts.mask && !opts.guide && opts.alphaAsMask !== false;
  for (const input of inputs) {
    const isFirst = prepared.length === 0;
    prepared.push(await prepareGptImage(input, caps, maxPixels, notes, signal, (p) => isFirst && alphaMask && p.hasAlpha));
  }
  const first = prepared[0];
  let painted: Uint8Array | undefined;
  if (opts.mask) {
    painted = await loadPainted(opts.mask, first.probe);
    checkCancel(signal);
    if (countPainted(painted) === 0) {
      painted = undefined;
      notes.push(msg('note.maskEmpty', first.probe.name));
    }
  } else if (alphaMask) {
    painted = await alphaZeroMask(first.probe, signal);
    if (painted) notes.push(msg('note.alphaAsMask', first.probe.name));
  }
  let mask: InputImage | undefined;
  if (painted) {
    const { content, widened } = await maskContent(painted, first.geometry, signal);
    checkCancel(signal);
    const encoded = await encodeMask(content, first.geometry, first.image.name, signal);
    // Never an edit without the area the user marked: the whole image would change.
    if (encoded.painted === 0) {
      throw new PrepareError('no-edit-area', msg('prepare.areaLost', first.probe.label, first.geometry.width, first.geometry.height), first.probe.label);
    }
    if (widened > 0) notes.push(widenedNote(opts.mask ? 'painted' : 'transparent', first.probe.name, first.geometry));
    mask = encoded.mask;
  }
  const markup = opts.guide && (await prepareGuide(opts.guide, first.probe, first.geometry, first.image.name, notes, signal));
  return { images: prepared.map((x) => x.image), mask, markup, geometry: first.geometry, notes };
}

/**
 * The guide (`markup`) for the prepared first image: an RGBA PNG of exactly its size. The guide is
 * drawn in the image's displayed pixels; when the image was scaled to be sent, the guide is scaled
 * with it. A guide must leave pixels transparent (the API's rule) and is refused when it covers
 * everything; one with nothing drawn is not sent (a note says so).
 */
async function prepareGuide(guide: Uint8Array, p: Probe, g: Geometry, imageName: string, notes: CoreMessage[], signal?: CancelSignal): Promise<InputImage | undefined> {
  checkCancel(signal);
  if (detectImageFormat(guide) !== 'png') throw new PrepareError('guide-mismatch', msg('prepare.guideNotPng'), p.label);
  const header = readImageSize(guide);
  if (header && (header.width !== p.width || header.height !== p.height)) {
    const rotated = p.orientation >= 5 && header.width === p.height && header.height === p.width;
    throw new PrepareError('guide-mismatch', msg(rotated ? 'prepare.guideSizeRotated' : 'prepare.guideSize', header.width, header.height, p.label, p.width, p.height), p.label);
  }
  let rgba: Buffer;
  try {
    rgba = await sharpInput(guide, p.maxPixels).ensureAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer();
  } catch (err) {
    throw decodeError(msg('prepare.name.guide'), err, p.maxPixels);
  }
  checkCancel(signal);
  let drawn = 0;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 0) drawn++;
  if (drawn === 0) {
    notes.push(msg('note.guideEmpty', p.name));
    return undefined;
  }
  if (drawn === p.width * p.height) {
    throw new PrepareError('guide-mismatch', msg('prepare.guideCoversAll', p.label), p.label);
  }
  const raw = { raw: { width: p.width, height: p.height, channels: 4 as const }, limitInputPixels: false as const };
  let img = sharp(rgba, raw);
  if (g.width !== p.width || g.height !== p.height) {
    img = img.resize(g.width, g.height, { fit: 'fill' });
    notes.push(msg('note.guideScaled', p.name, g.width, g.height));
  }
  const bytes = await img.png({ compressionLevel: 4, adaptiveFiltering: true }).toBuffer();
  checkCancel(signal);
  return { name: `${baseName(imageName)}-guide.png`, bytes: u8(bytes), format: 'png' };
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Prepares edit inputs (and their mask) for a model. Throws a {@link PrepareError} with a
 * user-readable message before anything is sent when an input cannot be used.
 */
export async function prepareInputs(inputs: readonly { name: string; bytes: Uint8Array }[], caps: ModelCapabilities, opts: PrepareOptions = {}): Promise<Prepared> {
  checkCount(inputs.length, caps);
  if (caps.family === 'dall-e-2') return prepareDalle2(inputs[0], caps, opts, 'edit');
  return prepareGpt(inputs, caps, opts);
}

/**
 * Prepares the one input of a variation: for dall-e-2 a square RGBA PNG under 4 MB with its
 * transparency left as it is and no mask; for GPT image models (variations are edits there)
 * the image as prepareInputs would send it, without a mask.
 */
export async function makeVariationInput(
  input: { name: string; bytes: Uint8Array },
  caps: ModelCapabilities,
  opts: Pick<PrepareOptions, 'squareMode' | 'maxInputPixels' | 'signal'> = {},
): Promise<Prepared> {
  checkCount(1, caps);
  if (caps.family === 'dall-e-2') return prepareDalle2(input, caps, opts, 'variation');
  return prepareGpt([input], caps, { ...opts, alphaAsMask: false });
}

export interface KeepOptions {
  /** Gaussian feather of the mask edge, in original pixels. Default 1 (a seam of about ±2 px). 0 = hard edge. */
  readonly feather?: number;
  readonly maxInputPixels?: number;
  /** Checked between the stages and inside the pixel loop, as in {@link PrepareOptions.signal}. */
  readonly signal?: CancelSignal;
}

/**
 * Pastes the original back outside the painted area of an edit result (GPT image models change
 * pixels they were told to keep). Works in the original's displayed space at its resolution:
 * the result is scaled to the prepared size (stretched when the model answered with another
 * aspect), its padding is dropped, and its content is scaled onto the part of the original that
 * was sent. Without a mask, the original's fully transparent pixels are the painted area (as in
 * prepareInputs); when it has none, the whole sent part comes from the result. Returns a PNG.
 */
/**
 * What the mask editor needs to open an image: its displayed size (EXIF orientation applied) and
 * whether it has an alpha channel. The whole file is decoded once, so that a truncated or damaged
 * file is refused in plain words (a {@link PrepareError}) instead of being shown half grey.
 */
export async function describeImage(
  bytes: Uint8Array,
  name?: string,
  opts: Pick<PrepareOptions, 'maxInputPixels' | 'signal'> = {},
): Promise<{ width: number; height: number; hasAlpha: boolean }> {
  checkCancel(opts.signal);
  const p = await probe(name ?? 'image', bytes, opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS, name ?? msg('prepare.name.image'));
  checkCancel(opts.signal);
  await checkDecodes(p);
  return { width: p.width, height: p.height, hasAlpha: p.hasAlpha };
}

export async function keepUnmaskedPixels(original: Uint8Array, result: Uint8Array, geometry: Geometry, mask?: MaskInput, opts: KeepOptions = {}): Promise<Uint8Array> {
  return (await composeUnmasked(original, result, geometry, mask, opts)).bytes;
}

export interface Composed {
  /** The composite: always a PNG, so nothing is lost again. */
  readonly bytes: Uint8Array;
  /** When the kept pixels cannot be exactly the original's: why, one sentence each, for the user (message ids). */
  readonly notes: CoreMessage[];
}

/**
 * {@link keepUnmaskedPixels}, with notes. The kept pixels are the original's stored samples, at
 * its bit depth (16-bit stays 16-bit) and with its RGB colour profile attached (a Display-P3
 * photo stays Display-P3): the edit is converted from sRGB into that profile instead, so the
 * original's pixels are never converted. What a PNG cannot hold is converted, with a note: CMYK,
 * and a grey colour profile (the composite is colour).
 */
export async function composeUnmasked(original: Uint8Array, result: Uint8Array, geometry: Geometry, mask?: MaskInput, opts: KeepOptions = {}): Promise<Composed> {
  const maxPixels = opts.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const signal = opts.signal;
  checkCancel(signal);
  const p = await probe('original', original, maxPixels, msg('prepare.name.original'));
  checkCancel(signal);
  const { width: W, height: H } = geometry.source;
  if (p.width !== W || p.height !== H) {
    throw new PrepareError('mask-mismatch', msg('prepare.originalSize', p.width, p.height, W, H));
  }
  const r = await probe('edited', result, maxPixels, msg('prepare.name.edited'));
  checkCancel(signal);
  const { crop, content } = geometry;

  const notes: CoreMessage[] = [];
  const deep = p.sixteenBit;
  const profileSpace = p.icc && p.icc.length >= 20 ? latin1(p.icc, 16, 20) : undefined;
  // An RGB profile goes into the PNG with the original's samples as they are stored.
  const keepIcc = !!p.icc && profileSpace === 'RGB ' && p.space !== 'cmyk';
  if (p.space === 'cmyk') {
    notes.push(msg('note.keptCmyk'));
  } else if (p.icc && !keepIcc) {
    notes.push(msg('note.keptProfile', (profileSpace ?? '').trim() || msg('note.profileUnknown')));
  }
  const depth = deep ? 'ushort' : 'uchar';
  const max = deep ? 65535 : 255;

  // The original, oriented, as RGBA at its own depth; with an RGB profile, its samples untouched.
  let origBytes: Buffer;
  try {
    origBytes = await sharp(original, { limitInputPixels: maxPixels, failOn: 'error', ignoreIcc: keepIcc })
      .autoOrient()
      .toColourspace(deep ? 'rgb16' : 'srgb')
      .ensureAlpha(1)
      .raw({ depth })
      .toBuffer();
  } catch (err) {
    throw decodeError(p.label, err, maxPixels);
  }
  checkCancel(signal);
  const orig = deep ? u16(origBytes) : origBytes;

  // The result's content, scaled onto the crop, in the original's profile and depth.
  let edited: Uint8Array | Uint16Array;
  let profileDir: string | undefined;
  try {
    const wholeContent = content.left === 0 && content.top === 0 && content.width === geometry.width && content.height === geometry.height;
    let stage: Sharp;
    if (wholeContent) stage = sharpInput(result, maxPixels).toColourspace('srgb').ensureAlpha(1);
    else {
      // Two steps: the padding is cut at the prepared size, where the content rectangle is exact.
      const cut = await sharpInput(result, maxPixels)
        .toColourspace('srgb')
        .ensureAlpha(1)
        .resize(geometry.width, geometry.height, { fit: 'fill' })
        .extract(content)
        .raw({ depth: 'uchar' })
        .toBuffer();
      stage = sharp(cut, { raw: { width: content.width, height: content.height, channels: 4 }, limitInputPixels: false });
    }
    stage = stage.resize(crop.width, crop.height, { fit: 'fill' });
    if (keepIcc) {
      // sharp takes an output profile only from a file.
      profileDir = await mkdtemp(path.join(os.tmpdir(), 'pixelwright-icc-'));
      const file = path.join(profileDir, 'original.icc');
      await writeFile(file, p.icc!);
      if (deep) stage = stage.toColourspace('rgb16');
      stage = stage.withIccProfile(file);
      const bytes = await stage.raw({ depth }).toBuffer();
      edited = deep ? u16(bytes) : bytes;
    } else {
      const bytes = await stage.raw({ depth: 'uchar' }).toBuffer();
      // 8 to 16 bits exactly: v * 257 maps 0..255 onto 0..65535.
      edited = deep ? Uint16Array.from(bytes, (v) => v * 257) : bytes;
    }
  } catch (err) {
    throw decodeError(r.label, err, maxPixels);
  } finally {
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  }
  checkCancel(signal);

  // Weights in the crop: 255 = take the result, 0 = keep the original.
  let painted: Uint8Array | undefined = mask ? await loadPainted(mask, { ...p, label: msg('prepare.name.originalInSentence') }) : await alphaZeroMask(p, signal);
  checkCancel(signal);
  if (painted && countPainted(painted) === 0) painted = undefined;
  let weights: Uint8Array;
  if (!painted) weights = new Uint8Array(crop.width * crop.height).fill(255);
  else {
    const region = new Uint8Array(crop.width * crop.height);
    for (let y = 0; y < crop.height; y++) {
      const from = (crop.top + y) * W + crop.left;
      for (let x = 0; x < crop.width; x++) region[y * crop.width + x] = painted[from + x] >= 128 ? 255 : 0;
    }
    const sigma = opts.feather ?? 1;
    weights =
      sigma > 0
        ? await sharp(region, { raw: { width: crop.width, height: crop.height, channels: 1 }, limitInputPixels: false }).blur(Math.max(0.3, sigma)).toColourspace('b-w').raw().toBuffer()
        : region;
  }

  checkCancel(signal);
  for (let y = 0; y < crop.height; y++) {
    if (y % ROWS_PER_CHECK === 0) checkCancel(signal);
    for (let x = 0; x < crop.width; x++) {
      const w = weights[y * crop.width + x];
      if (w === 0) continue;
      const o = ((crop.top + y) * W + crop.left + x) * 4;
      const e = (y * crop.width + x) * 4;
      if (w === 255) {
        orig[o] = edited[e];
        orig[o + 1] = edited[e + 1];
        orig[o + 2] = edited[e + 2];
        orig[o + 3] = edited[e + 3];
      } else {
        const k = 255 - w;
        for (let c = 0; c < 4; c++) orig[o + c] = Math.round((orig[o + c] * k + edited[e + c] * w) / 255);
      }
    }
  }
  let anyAlpha = false;
  for (let i = 3; i < orig.length; i += 4) {
    if (orig[i] !== max) {
      anyAlpha = true;
      break;
    }
  }
  checkCancel(signal);
  let out = sharp(orig, { raw: { width: W, height: H, channels: 4 }, limitInputPixels: false });
  if (deep) out = out.toColourspace('rgb16');
  if (!anyAlpha) out = out.removeAlpha();
  const png = u8(await out.png({ compressionLevel: 6 }).toBuffer());
  return { bytes: keepIcc ? withPngIccProfile(png, p.icc!) : png, notes };
}

/** 16-bit samples over a Buffer (copied when the Buffer is not 2-byte aligned). */
function u16(b: Buffer): Uint16Array {
  if (b.byteOffset % 2 === 0) return new Uint16Array(b.buffer, b.byteOffset, b.length / 2);
  const copy = new Uint8Array(b);
  return new Uint16Array(copy.buffer, 0, copy.length / 2);
}
