/**
 * PNG chunk container: one UTF-8 `iTXt` text under a keyword, put in right after IHDR and read
 * back, and an ICC profile (`iCCP`) put in place of the colour-space chunks. Every other chunk
 * (IDAT above all) is copied byte for byte. Plain Node (node:zlib for deflate and CRC-32).
 */
import * as zlib from 'node:zlib';
import { ascii, be32, concat, latin1, startsWith, u32be, utf8Bytes, utf8Text } from '../../shared/bytes';
import { PNG_SIGNATURE } from '../../shared/imageFormat';
import { MetadataError } from './error';

/** A text chunk above this many UTF-8 bytes is stored zlib-compressed. */
const COMPRESS_ABOVE = 1024;
/** Upper bound on an inflated text, against decompression bombs. */
const MAX_INFLATED = 16 * 1024 * 1024;

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

/** The start of an iTXt chunk's data under `keyword`: the keyword and its NUL. */
function keywordBytes(keyword: string): Uint8Array {
  return ascii(keyword + '\0');
}

function isITxtOf(b: Uint8Array, c: PngChunk, keyword: Uint8Array): boolean {
  return c.type === 'iTXt' && c.length >= keyword.length && startsWith(b, c.dataStart, keyword);
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typeAndData = concat([ascii(type), data]);
  return concat([be32(data.length), typeAndData, be32(crc32(typeAndData))]);
}

/** The chunks of a PNG that is whole: IHDR first, image data, intact critical chunks. Throws a MetadataError. */
function checkedPngChunks(b: Uint8Array): { chunks: PngChunk[]; end: number } {
  const walked = pngChunks(b, true);
  const ihdr = walked.chunks[0];
  if (ihdr.type !== 'IHDR' || ihdr.length !== 13) throw new MetadataError('Damaged PNG: the first chunk is not a valid IHDR.');
  if (!walked.chunks.some((c) => c.type === 'IDAT')) throw new MetadataError('Damaged PNG: there is no image data (IDAT).');
  for (const c of walked.chunks) {
    // Critical chunks (upper-case first letter) must be intact; ancillary ones are copied as they are.
    if (c.type.charCodeAt(0) < 0x60 && !pngCrcOk(b, c)) throw new MetadataError(`Damaged PNG: CRC mismatch in the ${c.type} chunk at offset ${c.start}.`);
  }
  return walked;
}

/**
 * A copy of the PNG with `text` in one `iTXt` chunk under `keyword`, right after IHDR (UTF-8,
 * zlib-compressed above 1 KB); any earlier iTXt under that keyword is dropped. Throws a
 * {@link MetadataError} for a damaged or truncated file.
 */
export function withPngText(b: Uint8Array, keyword: string, text: string): Uint8Array {
  const { chunks, end } = checkedPngChunks(b);
  const key = keywordBytes(keyword);
  let body = utf8Bytes(text);
  const compressed = body.length > COMPRESS_ABOVE;
  if (compressed) body = zlib.deflateSync(body, { level: 9 });
  // keyword\0, compression flag, compression method (0 = zlib), language tag\0, translated keyword\0, text
  const data = concat([key, new Uint8Array([compressed ? 1 : 0, 0, 0, 0]), body]);

  const parts: Uint8Array[] = [b.subarray(0, chunks[0].end), pngChunk('iTXt', data)];
  for (const c of chunks.slice(1)) if (!isITxtOf(b, c, key)) parts.push(b.subarray(c.start, c.end));
  parts.push(b.subarray(end)); // anything after IEND, kept as it was
  return concat(parts);
}

/**
 * The texts of the intact `iTXt` chunks under `keyword`, in file order, read up to the first
 * damage. Texts that are not UTF-8, or use an unknown compression, are skipped; a compressed text
 * that does not inflate throws (when the caller reaches it).
 */
export function* pngTexts(b: Uint8Array, keyword: string): Generator<string> {
  const key = keywordBytes(keyword);
  for (const c of pngChunks(b, false).chunks) {
    if (!isITxtOf(b, c, key) || !pngCrcOk(b, c)) continue;
    const data = b.subarray(c.dataStart, c.dataStart + c.length);
    let at = key.length;
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
    const decoded = utf8Text(text);
    if (decoded !== undefined) yield decoded;
  }
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
