/**
 * Finds the generation record in an image file without reading the whole file. The record sits
 * near the start of a PNG (an iTXt chunk right after IHDR) and of a JPEG (XMP APP1 before the
 * image data); in a WebP it is an `XMP ` chunk after the bitstream, usually at the end. So: read a
 * small head, then walk the container's chunk / segment headers with small reads, and read only the
 * chunk that can hold the record. Each candidate chunk is handed to core's readRecord inside a
 * minimal container of its own, so the parsing rules stay those of core/metadata.ts.
 *
 * Plain Node (no `vscode`): the gallery index, Show Recipe, the hover, the agent tools and the MCP
 * server read recipes through it (with core/recipeFile.ts for sidecars); the host gives it a file handle (local files) or the whole file's bytes
 * (other file systems); the benchmark and unit tests use it directly.
 */
import { open } from 'node:fs/promises';
import { readRecord, type StoredRecord } from './metadata';
import { XMP_SIGNATURE } from './metadata/jpeg';
import { ascii, concat, latin1, le32, startsWith, u16be, u32be, u32le } from '../shared/bytes';
import { detectResultFormat, PNG_SIGNATURE, readImageSize, type ResultFormat } from '../shared/imageFormat';

/** Random access to a file's bytes. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface ScanResult {
  readonly format?: ResultFormat;
  readonly record?: StoredRecord;
  readonly width?: number;
  readonly height?: number;
  /** Bytes read from the file (the head included). */
  readonly bytesRead: number;
}

/** The head read first: IHDR + our iTXt, or a JPEG's APP segments, fit for a prompt of usual length (a longer record costs one more read). */
export const HEAD_BYTES = 4 * 1024;
/** A chunk / segment larger than this is not read for a record (ours are a few KB). */
const MAX_RECORD_CHUNK = 4 * 1024 * 1024;
/** Chunk / segment headers walked at most before giving up. */
const MAX_STEPS = 256;

/** Reads the record (and the pixel size) of an image through `src`, reading as little as it can. */
export async function scanImage(src: ByteSource): Promise<ScanResult> {
  let bytesRead = 0;
  const head = await src.read(0, Math.min(src.size, HEAD_BYTES));
  bytesRead += head.length;
  /** Bytes [offset, offset+length), from the head when it has them; shorter at the end of the file. */
  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    const end = Math.min(src.size, offset + length);
    if (offset >= end) return new Uint8Array(0);
    if (end <= head.length) return head.subarray(offset, end);
    const b = await src.read(offset, end - offset);
    bytesRead += b.length;
    return b;
  };
  const format = detectResultFormat(head);
  const size = readImageSize(head);
  let record: StoredRecord | undefined;
  switch (format) {
    case 'png':
      record = await pngRecord(read);
      break;
    case 'jpeg':
      record = await jpegRecord(read);
      break;
    case 'webp':
      record = await webpRecord(read, Math.min(src.size, 8 + u32le(head, 4)));
      break;
    case 'gif':
      // Pixelwright's comment comes right after the colour table: the first blocks hold it.
      record = readRecord(await read(0, MAX_RECORD_CHUNK));
      break;
    case 'svg':
      // The metadata is the root's first child; a drawing larger than this is not read for it.
      if (src.size <= MAX_RECORD_CHUNK) record = readRecord(await read(0, src.size));
      break;
  }
  return { format, record, width: size?.width, height: size?.height, bytesRead };
}

type Read = (offset: number, length: number) => Promise<Uint8Array>;

/** PNG: the iTXt chunks before the image data (Pixelwright puts its own right after IHDR). */
async function pngRecord(read: Read): Promise<StoredRecord | undefined> {
  let pos = 8;
  for (let step = 0; step < MAX_STEPS; step++) {
    const h = await read(pos, 8);
    if (h.length < 8) return undefined;
    const length = u32be(h, 0);
    const type = latin1(h, 4, 8);
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff || type === 'IDAT' || type === 'IEND') return undefined;
    if (type === 'iTXt' && length <= MAX_RECORD_CHUNK) {
      const chunk = await read(pos, 12 + length);
      const found = readRecord(concat([PNG_SIGNATURE, chunk]));
      if (found) return found;
    }
    pos += 12 + length;
  }
  return undefined;
}

/** JPEG: the XMP APP1 segments before the first scan. */
async function jpegRecord(read: Read): Promise<StoredRecord | undefined> {
  let pos = 2;
  for (let step = 0; step < MAX_STEPS; step++) {
    const h = await read(pos, 4);
    if (h.length < 2 || h[0] !== 0xff) return undefined;
    const marker = h[1];
    if (marker === 0xff) {
      pos += 1; // a fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9 || marker === 0xd8 || marker === 0x00) return undefined;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    if (h.length < 4) return undefined;
    const length = u16be(h, 2);
    if (length < 2) return undefined;
    if (marker === 0xe1 && length - 2 > XMP_SIGNATURE.length) {
      const segment = await read(pos, 2 + length);
      if (startsWith(segment, 4, XMP_SIGNATURE)) {
        const found = readRecord(concat([Uint8Array.of(0xff, 0xd8), segment]));
        if (found) return found;
      }
    }
    pos += 2 + length;
  }
  return undefined;
}

/** WebP: the `XMP ` chunk, wherever it is among the RIFF chunks (headers only are read on the way). */
async function webpRecord(read: Read, riffEnd: number): Promise<StoredRecord | undefined> {
  let pos = 12;
  for (let step = 0; step < MAX_STEPS && pos + 8 <= riffEnd; step++) {
    const h = await read(pos, 8);
    if (h.length < 8) return undefined;
    const id = latin1(h, 0, 4);
    const size = u32le(h, 4);
    if (id === 'XMP ' && size <= MAX_RECORD_CHUNK) {
      const chunk = await read(pos, 8 + size);
      const padded = size & 1 ? concat([chunk, Uint8Array.of(0)]) : chunk;
      const found = readRecord(concat([ascii('RIFF'), le32(4 + padded.length), ascii('WEBP'), padded]));
      if (found) return found;
    }
    pos += 8 + size + (size & 1);
  }
  return undefined;
}

/** A ByteSource over bytes in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)) };
}

export interface FileScan extends ScanResult {
  readonly size: number;
  readonly mtime: number;
}

/** Scans a local file with positional reads; also returns its size and mtime (one open, one stat). */
export async function scanFile(path: string): Promise<FileScan> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    const src: ByteSource = {
      size: st.size,
      read: async (offset, length) => {
        const buf = new Uint8Array(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === length ? buf : buf.subarray(0, got);
      },
    };
    const r = await scanImage(src);
    return { ...r, size: st.size, mtime: st.mtimeMs };
  } finally {
    await fh.close();
  }
}
