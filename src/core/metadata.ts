/**
 * The generation record, carried inside the image file itself, by editing the container only:
 * the pixels (IDAT, JPEG scans, VP8/VP8L bitstreams) are copied byte for byte, never re-encoded.
 * This module is the record codec (the record as JSON, where it goes in each format, fitting it
 * into a JPEG segment); the containers are edited by metadata/png.ts, metadata/jpeg.ts and
 * metadata/webp.ts, and the XMP packet is made and read by metadata/xmp.ts.
 *
 * - PNG: one `iTXt` chunk, keyword `pixelwright`, UTF-8 JSON (zlib-compressed above 1 KB),
 *   placed right after IHDR. Any earlier `pixelwright` iTXt is dropped.
 * - JPEG: the standard XMP APP1 segment (`http://ns.adobe.com/xap/1.0/\0` + packet), holding
 *   `<pixelwright:record>` (JSON, XML-escaped) in namespace {@link XMP_NAMESPACE}. It goes after
 *   SOI and the leading APP0 (JFIF/JFXX) and APP1 Exif segments. A foreign XMP packet already in
 *   the file is kept: the record is merged into it (and an older record taken out of it).
 *   An APP1 segment holds at most 65533 bytes, so a record too large for it is shortened:
 *   first `revisedPrompt`, then `prompt` are cut (at a code point) to the longest prefix that
 *   fits, and the stored record names the cut fields in `truncated`. Only if even an empty
 *   prompt does not fit (a huge foreign packet) does embedding fail.
 * - WebP: an `XMP ` chunk (same packet) in the extended format; a simple VP8/VP8L file is turned
 *   into VP8X first (canvas size from the bitstream header, alpha flag kept).
 * - GIF: a Comment Extension (`pixelwright:` + JSON in ASCII) after the screen descriptor.
 * - SVG: a `<metadata>` element, first child of the root `<svg>`, with the record as RDF.
 * - Anything else: embedding throws a {@link MetadataError}.
 *
 * Reading is tolerant: foreign metadata is skipped and corrupt input gives `undefined`.
 * Format detection and the pixel size from the headers are in src/shared/imageFormat.ts.
 * Plain Node only (no `vscode`, no image library).
 */
import { utf8Bytes } from '../shared/bytes';
import { detectResultFormat } from '../shared/imageFormat';
import { MetadataError } from './metadata/error';
import { gifRecordTexts, withGifRecord } from './metadata/gif';
import { svgRecordTexts, withSvgRecord } from './metadata/svg';
import { JPEG_XMP_ROOM, jpegXmpPackets, withJpegXmp } from './metadata/jpeg';
import { pngTexts, withPngText } from './metadata/png';
import { webpXmpPackets, withWebpXmp } from './metadata/webp';
import { recordTexts, xmpPacket } from './metadata/xmp';
import { type GenerationRecord, RECORD_KEY } from './record';

export { MetadataError } from './metadata/error';
export { XMP_NAMESPACE } from './metadata/xmp';

/** A record as stored: a {@link GenerationRecord}, possibly shortened to fit (JPEG only). */
export interface StoredRecord extends GenerationRecord {
  /** The fields that were cut to fit, in the order they were cut. */
  readonly truncated?: readonly ('revisedPrompt' | 'prompt')[];
}

/**
 * Returns a copy of `bytes` (PNG, JPEG, WebP, GIF or SVG, as the API sent it) with `record` inside,
 * replacing any record embedded before. Throws a {@link MetadataError} for other formats and for
 * damaged or truncated files.
 */
export function embedRecord(bytes: Uint8Array, record: GenerationRecord): Uint8Array {
  const format = detectResultFormat(bytes);
  switch (format) {
    case 'png':
      return withPngText(bytes, RECORD_KEY, recordJson(record));
    case 'jpeg':
      return withJpegXmp(bytes, (existing) => xmpPacket(existing, fitRecord(record, (j) => utf8Bytes(xmpPacket(existing, j)).length <= JPEG_XMP_ROOM)));
    case 'webp':
      // A RIFF chunk may hold up to 4 GB: no need to shorten the record here.
      return withWebpXmp(bytes, (existing) => xmpPacket(existing, recordJson(record)));
    case 'gif':
      return withGifRecord(bytes, recordJson(record));
    case 'svg':
      return withSvgRecord(bytes, recordJson(record));
    default:
      throw new MetadataError('Cannot store the generation record: the data is not a PNG, JPEG, WebP, GIF or SVG image.');
  }
}

/** The record embedded in a PNG, JPEG, WebP, GIF or SVG file; undefined when absent, invalid or unreadable. Never throws. */
export function readRecord(bytes: Uint8Array): StoredRecord | undefined {
  try {
    return firstRecord(storedTexts(bytes));
  } catch {
    return undefined;
  }
}

/**
 * The text stored under Pixelwright's key, valid record or not (the first one found), so that a
 * malformed recipe can still be shown as plain text; undefined when there is none. Never throws.
 */
export function readRecordText(bytes: Uint8Array): string | undefined {
  try {
    for (const t of storedTexts(bytes)) return t;
    return undefined;
  } catch {
    return undefined;
  }
}

/** The first of `texts` that is a valid record (texts after it are not even read). */
function firstRecord(texts: Iterable<string>): StoredRecord | undefined {
  for (const text of texts) {
    const found = parseRecordJson(text);
    if (found) return found;
  }
  return undefined;
}

/**
 * The texts stored under Pixelwright's key in a PNG, JPEG or WebP file, read lazily in file order
 * (none for other formats). Reading may throw on a damaged file.
 */
function storedTexts(bytes: Uint8Array): Iterable<string> {
  switch (detectResultFormat(bytes)) {
    case 'png':
      return pngTexts(bytes, RECORD_KEY);
    case 'jpeg':
      return xmpRecordTexts(jpegXmpPackets(bytes));
    case 'webp':
      return xmpRecordTexts(webpXmpPackets(bytes));
    case 'gif':
      return gifRecordTexts(bytes);
    case 'svg':
      return svgRecordTexts(bytes);
    default:
      return [];
  }
}

function* xmpRecordTexts(packets: Iterable<string>): Generator<string> {
  for (const packet of packets) yield* recordTexts(packet);
}

function parseRecordJson(json: string): StoredRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as { v?: unknown; prompt?: unknown; model?: unknown };
  if (r.v !== 1 || typeof r.prompt !== 'string' || typeof r.model !== 'string') return undefined;
  return value as StoredRecord;
}

/** JSON that is also safe as XML character data (U+FFFE/U+FFFF are not XML characters). */
function recordJson(record: GenerationRecord): string {
  return JSON.stringify(record).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

/**
 * The longest form of `record` for which `fits(json)` holds: as it is, else with `revisedPrompt`
 * cut (to nothing if need be), else also with `prompt` cut. Cut fields are listed in `truncated`.
 */
function fitRecord(record: GenerationRecord, fits: (json: string) => boolean): string {
  let json = recordJson(record);
  if (fits(json)) return json;
  // The lineage goes first: the image's own prompt matters more than its ancestors'.
  if (record.lineage) {
    const { lineage: _dropped, ...rest } = record;
    record = { ...rest, lineageCut: true };
    json = recordJson(record);
    if (fits(json)) return json;
  }
  const base = record as StoredRecord;
  const marked = (field: 'revisedPrompt' | 'prompt') => [...new Set([...(base.truncated ?? []), field])];

  // Largest n in [0, max] with ok(n), given ok is monotone (decreasing in n); -1 when none.
  const largest = (max: number, ok: (n: number) => boolean): number => {
    let lo = 0;
    let hi = max;
    if (!ok(0)) return -1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (ok(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  if (base.revisedPrompt !== undefined) {
    const cps = codePoints(base.revisedPrompt);
    const truncated = marked('revisedPrompt');
    const build = (n: number): GenerationRecord =>
      n > 0 ? ({ ...base, revisedPrompt: cps.slice(0, n).join(''), truncated } as StoredRecord) : ({ ...base, revisedPrompt: undefined, truncated } as StoredRecord);
    const n = largest(cps.length - 1, (k) => fits(recordJson(build(k))));
    if (n >= 0) return recordJson(build(n));
  }

  const cps = codePoints(base.prompt);
  const truncated = base.revisedPrompt !== undefined ? [...new Set([...marked('revisedPrompt'), 'prompt' as const])] : marked('prompt');
  const build = (n: number): GenerationRecord => ({ ...base, revisedPrompt: undefined, prompt: cps.slice(0, n).join(''), truncated }) as StoredRecord;
  const n = largest(Math.max(0, cps.length - 1), (k) => fits(recordJson(build(k))));
  if (n < 0) throw new MetadataError('The generation record does not fit in the JPEG XMP segment, even with the prompt left out.');
  json = recordJson(build(n));
  return json;
}
