/**
 * The generation record, carried inside the image file itself, by editing the container only:
 * the pixels (IDAT, JPEG scans, VP8/VP8L bitstreams) are copied byte for byte, never re-encoded.
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
 * - GIF and anything else: embedding throws a {@link MetadataError}.
 *
 * Reading is tolerant: foreign metadata is skipped and corrupt input gives `undefined`.
 * Plain Node only (no `vscode`, no image library).
 */
import * as zlib from 'node:zlib';
import { type GenerationRecord, RECORD_KEY } from './record';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** The XMP namespace of the `pixelwright:record` property (JPEG and WebP). */
export const XMP_NAMESPACE = 'https://pixelwright.dev/ns/1.0/';

/** A PNG text chunk above this many UTF-8 bytes is stored zlib-compressed. */
const COMPRESS_ABOVE = 1024;
/** Largest payload of a JPEG marker segment (the 16-bit length counts its own 2 bytes). */
const JPEG_MAX_PAYLOAD = 65533;
/** Upper bound on an inflated PNG text, against decompression bombs. */
const MAX_INFLATED = 16 * 1024 * 1024;

/** A record as stored: a {@link GenerationRecord}, possibly shortened to fit (JPEG only). */
export interface StoredRecord extends GenerationRecord {
  /** The fields that were cut to fit, in the order they were cut. */
  readonly truncated?: readonly ('revisedPrompt' | 'prompt')[];
}

/** The input is not an image this module can edit, or is damaged. */
export class MetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataError';
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of UTF-8 bytes; undefined when they are not valid UTF-8. */
function utf8Text(b: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(b);
  } catch {
    return undefined;
  }
}

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end && i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function startsWith(b: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (at < 0 || at + prefix.length > b.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32le = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

function be32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function le32(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, as PNG uses): node:zlib's when the runtime has it (Node >= 20.15), else a table. */
function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (typeof native === 'function') return native(data) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Detection, size

const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, 0, PNG_SIGNATURE)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 12 && latin1(bytes, 0, 4) === 'RIFF' && latin1(bytes, 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(latin1(bytes, 0, 6))) return 'gif';
  return undefined;
}

/**
 * The stored pixel size (before any Exif orientation) of a PNG (IHDR), JPEG (SOFn),
 * WebP (VP8X canvas, VP8 or VP8L header) or GIF (logical screen); undefined when unknown.
 */
export function readImageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  try {
    let size: { width: number; height: number } | undefined;
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

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Returns a copy of `bytes` (PNG, JPEG or WebP, as the API sent it) with `record` inside,
 * replacing any record embedded before. Throws a {@link MetadataError} for other formats and for
 * damaged or truncated files.
 */
export function embedRecord(bytes: Uint8Array, record: GenerationRecord): Uint8Array {
  const format = detectImageFormat(bytes);
  switch (format) {
    case 'png':
      return embedPng(bytes, record);
    case 'jpeg':
      return embedJpeg(bytes, record);
    case 'webp':
      return embedWebp(bytes, record);
    case 'gif':
      throw new MetadataError('Cannot store the generation record in a GIF image: only PNG, JPEG and WebP are supported.');
    default:
      throw new MetadataError('Cannot store the generation record: the data is not a PNG, JPEG or WebP image.');
  }
}

/** The record embedded in a PNG, JPEG or WebP file; undefined when absent, invalid or unreadable. Never throws. */
export function readRecord(bytes: Uint8Array): StoredRecord | undefined {
  try {
    switch (detectImageFormat(bytes)) {
      case 'png':
        return readPngRecord(bytes);
      case 'jpeg':
        return readJpegRecord(bytes);
      case 'webp':
        return readWebpRecord(bytes);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
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

// ---------------------------------------------------------------------------------------------
// PNG

interface PngChunk {
  readonly type: string;
  /** Offset of the length field. */
  readonly start: number;
  readonly dataStart: number;
  readonly length: number;
  /** Offset just past the CRC. */
  readonly end: number;
}

/** Walks the chunks up to IEND. `strict`: throw on any damage; else stop quietly at it. */
function pngChunks(b: Uint8Array, strict: boolean): { chunks: PngChunk[]; end: number } {
  const chunks: PngChunk[] = [];
  let pos = PNG_SIGNATURE.length;
  for (;;) {
    if (pos + 12 > b.length) {
      if (strict) throw new MetadataError(`Damaged PNG: the file is truncated (no IEND chunk; ${b.length} bytes).`);
      return { chunks, end: pos };
    }
    const length = u32be(b, pos);
    const type = latin1(b, pos + 4, pos + 8);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) {
      if (strict) throw new MetadataError(`Damaged PNG: invalid chunk header at offset ${pos}.`);
      return { chunks, end: pos };
    }
    const end = pos + 12 + length;
    if (end > b.length) {
      if (strict) throw new MetadataError(`Damaged PNG: the file is truncated inside the ${type} chunk at offset ${pos}.`);
      return { chunks, end: pos };
    }
    chunks.push({ type, start: pos, dataStart: pos + 8, length, end });
    pos = end;
    if (type === 'IEND') return { chunks, end };
  }
}

function pngCrcOk(b: Uint8Array, c: PngChunk): boolean {
  return crc32(b.subarray(c.start + 4, c.dataStart + c.length)) === u32be(b, c.dataStart + c.length);
}

const PNG_KEYWORD = ascii(RECORD_KEY + '\0');

function isOurITxt(b: Uint8Array, c: PngChunk): boolean {
  return c.type === 'iTXt' && c.length >= PNG_KEYWORD.length && startsWith(b, c.dataStart, PNG_KEYWORD);
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typeAndData = concat([ascii(type), data]);
  return concat([be32(data.length), typeAndData, be32(crc32(typeAndData))]);
}

function embedPng(b: Uint8Array, record: GenerationRecord): Uint8Array {
  const { chunks, end } = pngChunks(b, true);
  const ihdr = chunks[0];
  if (ihdr.type !== 'IHDR' || ihdr.length !== 13) throw new MetadataError('Damaged PNG: the first chunk is not a valid IHDR.');
  if (!chunks.some((c) => c.type === 'IDAT')) throw new MetadataError('Damaged PNG: there is no image data (IDAT).');
  for (const c of chunks) {
    // Critical chunks (upper-case first letter) must be intact; ancillary ones are copied as they are.
    if (c.type.charCodeAt(0) < 0x60 && !pngCrcOk(b, c)) throw new MetadataError(`Damaged PNG: CRC mismatch in the ${c.type} chunk at offset ${c.start}.`);
  }

  let text: Uint8Array = utf8.encode(recordJson(record));
  const compressed = text.length > COMPRESS_ABOVE;
  if (compressed) text = zlib.deflateSync(text, { level: 9 });
  // keyword\0, compression flag, compression method (0 = zlib), language tag\0, translated keyword\0, text
  const data = concat([PNG_KEYWORD, new Uint8Array([compressed ? 1 : 0, 0, 0, 0]), text]);

  const parts: Uint8Array[] = [b.subarray(0, ihdr.end), pngChunk('iTXt', data)];
  for (const c of chunks.slice(1)) if (!isOurITxt(b, c)) parts.push(b.subarray(c.start, c.end));
  parts.push(b.subarray(end)); // anything after IEND, kept as it was
  return concat(parts);
}

/** Chunks that say what colour space a PNG's samples are in; an embedded ICC profile replaces them all. */
const PNG_COLOUR_CHUNKS = new Set(['iCCP', 'sRGB', 'gAMA', 'cHRM', 'cICP']);

/**
 * The PNG with `icc` as its colour profile: an iCCP chunk right after IHDR, any other colour-space
 * chunk dropped. The samples are copied as they are: they must already be in that profile's space.
 */
export function withPngIccProfile(png: Uint8Array, icc: Uint8Array, name = 'ICC profile'): Uint8Array {
  const { chunks, end } = pngChunks(png, true);
  const ihdr = chunks[0];
  if (ihdr.type !== 'IHDR' || ihdr.length !== 13) throw new MetadataError('Damaged PNG: the first chunk is not a valid IHDR.');
  // profile name (Latin-1, 1-79 bytes) \0, compression method 0 (zlib), compressed profile
  const data = concat([ascii(name.slice(0, 79) + '\0'), new Uint8Array([0]), zlib.deflateSync(icc)]);
  const parts: Uint8Array[] = [png.subarray(0, ihdr.end), pngChunk('iCCP', data)];
  for (const c of chunks.slice(1)) if (!PNG_COLOUR_CHUNKS.has(c.type)) parts.push(png.subarray(c.start, c.end));
  parts.push(png.subarray(end));
  return concat(parts);
}

function readPngRecord(b: Uint8Array): StoredRecord | undefined {
  for (const c of pngChunks(b, false).chunks) {
    if (!isOurITxt(b, c) || !pngCrcOk(b, c)) continue;
    const data = b.subarray(c.dataStart, c.dataStart + c.length);
    let at = PNG_KEYWORD.length;
    const flag = data[at];
    const method = data[at + 1];
    at += 2;
    const langEnd = data.indexOf(0, at);
    if (langEnd < 0) continue;
    const keyEnd = data.indexOf(0, langEnd + 1);
    if (keyEnd < 0) continue;
    let text: Uint8Array = data.subarray(keyEnd + 1);
    if (flag === 1) {
      if (method !== 0) continue;
      text = zlib.inflateSync(text, { maxOutputLength: MAX_INFLATED });
    } else if (flag !== 0) continue;
    const json = utf8Text(text);
    const found = json === undefined ? undefined : parseRecordJson(json);
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// XMP packet (JPEG APP1 and WebP `XMP ` chunk)

const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

/** Escaped as XML character data (element content: quotes need no escaping). */
function xmlEscapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
}

function xmlUnescape(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e];
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The prefixes a packet binds to a namespace. */
function prefixesFor(packet: string, ns: string): string[] {
  const re = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*(["'])${escapeRegExp(ns)}\\2`, 'g');
  const out = new Set<string>();
  for (const m of packet.matchAll(re)) out.add(m[1]);
  return [...out];
}

function recordDescription(rdf: string, json: string): string {
  return (
    `<${rdf}:Description ${rdf}:about="" xmlns:${RECORD_KEY}="${XMP_NAMESPACE}">` +
    `<${RECORD_KEY}:record>${xmlEscapeText(json)}</${RECORD_KEY}:record>` +
    `</${rdf}:Description>`
  );
}

/** What merging adds just before `</rdf:RDF>`; withoutRecord takes out exactly this again. */
function recordInsert(rdf: string, json: string): string {
  return `${recordDescription(rdf, json)}\n `;
}

/** The packet a record goes into when the file has none. */
const EMPTY_PACKET =
  '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' +
  '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n' +
  ` <rdf:RDF xmlns:rdf="${RDF_NS}">\n` +
  '  </rdf:RDF>\n' +
  '</x:xmpmeta>\n' +
  '<?xpacket end="w"?>';

/** `existing` without any Pixelwright record in it (whole Description if it held only that). */
function withoutRecord(existing: string): string {
  let out = existing;
  for (const p of prefixesFor(out, XMP_NAMESPACE)) {
    const q = escapeRegExp(p);
    // The Description element this module writes, with nothing else in it.
    out = out.replace(
      new RegExp(`<([\\w.-]+):Description\\s+\\1:about=(["'])\\2\\s+xmlns:${q}=(["'])${escapeRegExp(XMP_NAMESPACE)}\\3\\s*>\\s*<${q}:record>[^<]*</${q}:record>\\s*</\\1:Description>(?:\\n )?`, 'g'),
      '',
    );
    // The property anywhere else, as an element or an attribute.
    out = out
      .replace(new RegExp(`\\s*<${q}:record(?=[\\s/>])[^>]*/>`, 'g'), '')
      .replace(new RegExp(`\\s*<${q}:record(?=[\\s>])[^>]*>[\\s\\S]*?</${q}:record\\s*>`, 'g'), '')
      .replace(new RegExp(`\\s+${q}:record\\s*=\\s*("[^"]*"|'[^']*')`, 'g'), '');
  }
  return out;
}

/**
 * A packet holding the record: `existing` (foreign metadata kept) with it merged in, or a new
 * one. Merging into a packet this module wrote gives that packet back when the record is the
 * same, so embedding twice changes nothing.
 */
function xmpPacket(existing: string | undefined, json: string): string {
  // A packet that is not RDF is of no use to anyone: it is replaced.
  for (const packet of existing === undefined ? [EMPTY_PACKET] : [withoutRecord(existing), EMPTY_PACKET]) {
    const close = /<\/([A-Za-z_][\w.-]*):RDF\s*>/.exec(packet);
    if (close && prefixesFor(packet, RDF_NS).includes(close[1])) {
      return packet.slice(0, close.index) + recordInsert(close[1], json) + packet.slice(close.index);
    }
  }
  throw new Error('unreachable: EMPTY_PACKET is RDF');
}

function recordFromPacket(packet: string): StoredRecord | undefined {
  for (const p of prefixesFor(packet, XMP_NAMESPACE)) {
    const q = escapeRegExp(p);
    const el = new RegExp(`<${q}:record(?:\\s[^>]*)?>([\\s\\S]*?)</${q}:record\\s*>`).exec(packet);
    const attr = new RegExp(`\\s${q}:record\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(packet);
    const candidates: string[] = [];
    if (el) {
      const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(el[1]);
      candidates.push(cdata ? cdata[1] : xmlUnescape(el[1]));
    }
    if (attr) candidates.push(xmlUnescape(attr[1] ?? attr[2]));
    for (const c of candidates) {
      const found = parseRecordJson(c.trim());
      if (found) return found;
    }
  }
  return undefined;
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

// ---------------------------------------------------------------------------------------------
// JPEG

interface JpegSegment {
  readonly marker: number;
  /** Offset of the first 0xFF (fill bytes included). */
  readonly start: number;
  /** Offset of the payload (after the length field). */
  readonly payload: number;
  readonly end: number;
}

const XMP_SIGNATURE = ascii('http://ns.adobe.com/xap/1.0/\0');
const EXIF_SIGNATURE = ascii('Exif\0\0');

/** The marker segments from SOI up to the first SOS (offset `sos`). `strict`: throw on damage. */
function jpegSegments(b: Uint8Array, strict: boolean): { segments: JpegSegment[]; sos: number } {
  const fail = (why: string) => {
    throw new MetadataError(`Damaged JPEG: ${why}.`);
  };
  const segments: JpegSegment[] = [];
  let pos = 2;
  for (;;) {
    if (pos + 2 > b.length) {
      if (strict) fail('the file ends before the image data');
      return { segments, sos: -1 };
    }
    if (b[pos] !== 0xff) {
      if (strict) fail(`no marker at offset ${pos}`);
      return { segments, sos: -1 };
    }
    let m = pos + 1;
    while (m < b.length && b[m] === 0xff) m++; // fill bytes
    if (m >= b.length) {
      if (strict) fail('the file ends before the image data');
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
      if (strict) fail(marker === 0xd9 ? 'the image ends before any image data' : `unexpected marker 0x${marker.toString(16)} at offset ${m - 1}`);
      return { segments, sos: -1 };
    }
    if (m + 3 > b.length) {
      if (strict) fail('the file is truncated in a marker segment');
      return { segments, sos: -1 };
    }
    const length = u16be(b, m + 1);
    const end = m + 1 + length;
    if (length < 2 || end > b.length) {
      if (strict) fail(length < 2 ? `bad segment length at offset ${m - 1}` : 'the file is truncated in a marker segment');
      return { segments, sos: -1 };
    }
    segments.push({ marker, start: pos, payload: m + 3, end });
    pos = end;
  }
}

function isXmpSegment(b: Uint8Array, s: JpegSegment): boolean {
  return s.marker === 0xe1 && startsWith(b, s.payload, XMP_SIGNATURE) && XMP_SIGNATURE.length <= s.end - s.payload;
}

function jpegSize(b: Uint8Array): { width: number; height: number } | undefined {
  for (const s of jpegSegments(b, false).segments) {
    const m = s.marker;
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof && s.end - s.payload >= 5) return { height: u16be(b, s.payload + 1), width: u16be(b, s.payload + 3) };
  }
  return undefined;
}

function embedJpeg(b: Uint8Array, record: GenerationRecord): Uint8Array {
  const { segments, sos } = jpegSegments(b, true);
  // Entropy-coded data escapes 0xFF as FF 00, so an FF D9 after SOS is the end of the image.
  let hasEoi = false;
  for (let i = b.length - 2; i > sos; i--) {
    if (b[i] === 0xff && b[i + 1] === 0xd9) {
      hasEoi = true;
      break;
    }
  }
  if (!hasEoi) throw new MetadataError('Damaged JPEG: the file is truncated (no end-of-image marker).');

  const xmp = segments.filter((s) => isXmpSegment(b, s));
  // A packet that is not UTF-8 is not usable XMP: it is replaced.
  const existing = xmp.length ? utf8Text(b.subarray(xmp[0].payload + XMP_SIGNATURE.length, xmp[0].end)) : undefined;
  const kept = segments.filter((s) => !isXmpSegment(b, s));
  let insertAt = 0;
  while (
    insertAt < kept.length &&
    (kept[insertAt].marker === 0xe0 || (kept[insertAt].marker === 0xe1 && startsWith(b, kept[insertAt].payload, EXIF_SIGNATURE)))
  ) {
    insertAt++;
  }

  const room = JPEG_MAX_PAYLOAD - XMP_SIGNATURE.length;
  const json = fitRecord(record, (j) => utf8.encode(xmpPacket(existing, j)).length <= room);
  const packet = utf8.encode(xmpPacket(existing, json));
  const length = 2 + XMP_SIGNATURE.length + packet.length;
  const segment = concat([new Uint8Array([0xff, 0xe1, length >>> 8, length & 0xff]), XMP_SIGNATURE, packet]);

  const parts: Uint8Array[] = [b.subarray(0, 2)];
  kept.forEach((s, i) => {
    if (i === insertAt) parts.push(segment);
    parts.push(b.subarray(s.start, s.end));
  });
  if (insertAt === kept.length) parts.push(segment);
  parts.push(b.subarray(sos));
  return concat(parts);
}

function readJpegRecord(b: Uint8Array): StoredRecord | undefined {
  for (const s of jpegSegments(b, false).segments) {
    if (!isXmpSegment(b, s)) continue;
    const packet = utf8Text(b.subarray(s.payload + XMP_SIGNATURE.length, s.end));
    const found = packet === undefined ? undefined : recordFromPacket(packet);
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// WebP

interface RiffChunk {
  readonly fourcc: string;
  readonly start: number;
  readonly data: number;
  readonly size: number;
}

const VP8X_XMP = 0x04;
const VP8X_EXIF = 0x08;
const VP8X_ALPHA = 0x10;
const VP8X_ICC = 0x20;

/** The chunks of a RIFF/WEBP file and where the RIFF ends. `strict`: throw on damage. */
function webpChunks(b: Uint8Array, strict: boolean): { chunks: RiffChunk[]; riffEnd: number } {
  const fail = (why: string) => {
    throw new MetadataError(`Damaged WebP: ${why}.`);
  };
  const declared = 8 + u32le(b, 4);
  if (declared > b.length && strict) fail(`the file is truncated (${b.length} of ${declared} bytes)`);
  const riffEnd = Math.min(declared, b.length);
  const chunks: RiffChunk[] = [];
  let pos = 12;
  while (pos < riffEnd) {
    if (pos + 8 > riffEnd) {
      if (strict) fail(`incomplete chunk header at offset ${pos}`);
      break;
    }
    const fourcc = latin1(b, pos, pos + 4);
    const size = u32le(b, pos + 4);
    if (pos + 8 + size > riffEnd) {
      if (strict) fail(`the ${JSON.stringify(fourcc)} chunk at offset ${pos} runs past the end of the file`);
      break;
    }
    chunks.push({ fourcc, start: pos, data: pos + 8, size });
    pos += 8 + size + (size & 1);
  }
  return { chunks, riffEnd };
}

function vp8Size(b: Uint8Array, c: RiffChunk): { width: number; height: number } | undefined {
  // Frame tag (3 bytes, bit 0 clear on a key frame), start code 9D 01 2A, 14-bit width and height.
  if (c.size < 10 || b[c.data] & 1 || b[c.data + 3] !== 0x9d || b[c.data + 4] !== 0x01 || b[c.data + 5] !== 0x2a) return undefined;
  return { width: u16le(b, c.data + 6) & 0x3fff, height: u16le(b, c.data + 8) & 0x3fff };
}

function vp8lInfo(b: Uint8Array, c: RiffChunk): { width: number; height: number; alpha: boolean } | undefined {
  // Signature 0x2F, then 14 bits width-1, 14 bits height-1, 1 bit alpha used, 3 bits version (0).
  if (c.size < 5 || b[c.data] !== 0x2f) return undefined;
  const bits = u32le(b, c.data + 1);
  if (bits >>> 29 !== 0) return undefined;
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 };
}

function webpSize(b: Uint8Array): { width: number; height: number } | undefined {
  const first = webpChunks(b, false).chunks[0];
  if (!first) return undefined;
  if (first.fourcc === 'VP8X' && first.size >= 10) return { width: 1 + u24le(b, first.data + 4), height: 1 + u24le(b, first.data + 7) };
  if (first.fourcc === 'VP8 ') return vp8Size(b, first);
  if (first.fourcc === 'VP8L') {
    const info = vp8lInfo(b, first);
    return info && { width: info.width, height: info.height };
  }
  return undefined;
}

function riffChunk(fourcc: string, data: Uint8Array): Uint8Array {
  return concat([ascii(fourcc), le32(data.length), data, new Uint8Array(data.length & 1)]);
}

function embedWebp(b: Uint8Array, record: GenerationRecord): Uint8Array {
  const { chunks, riffEnd } = webpChunks(b, true);
  const first = chunks[0];
  if (!first) throw new MetadataError('Damaged WebP: the file holds no chunks.');

  let vp8x: Uint8Array;
  let rest: RiffChunk[];
  if (first.fourcc === 'VP8X') {
    if (first.size < 10) throw new MetadataError('Damaged WebP: the VP8X chunk is too short.');
    vp8x = Uint8Array.from(b.subarray(first.data, first.data + first.size)); // a copy: the input stays as it was
    rest = chunks.slice(1);
  } else if (first.fourcc === 'VP8 ' || first.fourcc === 'VP8L') {
    // Simple format: make it extended, with the canvas size of the one frame.
    let size: { width: number; height: number } | undefined;
    let alpha = false;
    if (first.fourcc === 'VP8 ') size = vp8Size(b, first);
    else {
      const info = vp8lInfo(b, first);
      size = info;
      alpha = !!info?.alpha;
    }
    if (!size || size.width === 0 || size.height === 0) throw new MetadataError(`Damaged WebP: unreadable ${first.fourcc.trim()} bitstream header.`);
    alpha ||= chunks.some((c) => c.fourcc === 'ALPH');
    vp8x = new Uint8Array(10);
    vp8x[0] = (alpha ? VP8X_ALPHA : 0) | (chunks.some((c) => c.fourcc === 'EXIF') ? VP8X_EXIF : 0) | (chunks.some((c) => c.fourcc === 'ICCP') ? VP8X_ICC : 0);
    const w = size.width - 1;
    const h = size.height - 1;
    vp8x.set([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff], 4);
    rest = chunks;
  } else {
    throw new MetadataError(`Cannot store the generation record in this WebP file: unexpected first chunk ${JSON.stringify(first.fourcc)}.`);
  }
  if (!rest.some((c) => c.fourcc === 'VP8 ' || c.fourcc === 'VP8L' || c.fourcc === 'ANMF')) {
    throw new MetadataError('Damaged WebP: there is no image data.');
  }
  vp8x[0] |= VP8X_XMP;

  const oldXmp = rest.find((c) => c.fourcc === 'XMP ');
  const existing = oldXmp ? utf8Text(b.subarray(oldXmp.data, oldXmp.data + oldXmp.size)) : undefined;
  // A RIFF chunk may hold up to 4 GB: no need to shorten the record here.
  const xmp = riffChunk('XMP ', utf8.encode(xmpPacket(existing, recordJson(record))));

  const kept = rest.filter((c) => c.fourcc !== 'XMP ');
  // The XMP chunk goes where the old one was, else after the image data and EXIF.
  let insertAt = kept.length;
  if (oldXmp) insertAt = kept.filter((c) => c.start < oldXmp.start).length;
  else {
    const last = kept.reduce((at, c, i) => (['VP8 ', 'VP8L', 'ALPH', 'ANMF', 'EXIF'].includes(c.fourcc) ? i : at), -1);
    if (last >= 0) insertAt = last + 1;
  }
  const body: Uint8Array[] = [riffChunk('VP8X', vp8x)];
  kept.forEach((c, i) => {
    if (i === insertAt) body.push(xmp);
    body.push(riffChunk(c.fourcc, b.subarray(c.data, c.data + c.size)));
  });
  if (insertAt === kept.length) body.push(xmp);

  const riffSize = 4 + body.reduce((n, p) => n + p.length, 0);
  if (riffSize > 0xfffffff6) throw new MetadataError('The WebP file would become too large.');
  return concat([ascii('RIFF'), le32(riffSize), ascii('WEBP'), ...body, b.subarray(riffEnd)]);
}

function readWebpRecord(b: Uint8Array): StoredRecord | undefined {
  for (const c of webpChunks(b, false).chunks) {
    if (c.fourcc !== 'XMP ') continue;
    const packet = utf8Text(b.subarray(c.data, c.data + c.size));
    const found = packet === undefined ? undefined : recordFromPacket(packet);
    if (found) return found;
  }
  return undefined;
}
