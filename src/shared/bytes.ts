/**
 * Small helpers over plain `Uint8Array` bytes: reading and writing integers, Latin-1 and UTF-8
 * text, joining parts. No Node APIs (no Buffer), so the host, core and the webviews share them.
 */

/** Big-endian and little-endian unsigned integers at offset `i` (the caller checks the length). */
export const u16be = (b: Uint8Array, i: number): number => (b[i] << 8) | b[i + 1];
export const u32be = (b: Uint8Array, i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
export const u16le = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
export const u24le = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
export const u32le = (b: Uint8Array, i: number): number => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

/** `n` as 4 bytes, big-endian. */
export function be32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** `n` as 4 bytes, little-endian. */
export function le32(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);
}

/** Bytes [start, end) as Latin-1 text, cut short at the end of `b`. */
export function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end && i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** The bytes of an ASCII (Latin-1) string, one byte per character. */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Whether `b` holds `prefix` at offset `at`. */
export function startsWith(b: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (at < 0 || at + prefix.length > b.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

/** The parts, one after the other, in a new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
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

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The UTF-8 bytes of `s`. */
export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

/** The text of UTF-8 bytes; undefined when they are not valid UTF-8. */
export function utf8Text(b: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(b);
  } catch {
    return undefined;
  }
}
