/** PNG bytes built by hand for the container tests (headScan, metadata, png, c2pa): one builder, not one per file. */
import * as zlib from 'node:zlib';

export const u32be = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

export const u32le = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

export const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A chunk: length, type, data and its CRC (`crc` given: a wrong one on purpose). */
export function pngChunk(type: string, data: Buffer, crc?: number): Buffer {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32be(data.length), td, u32be(crc ?? zlib.crc32(td))]);
}
