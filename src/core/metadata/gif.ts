/**
 * GIF container: the record in a Comment Extension (0x21 0xFE) right after the logical screen
 * descriptor and global colour table, its text `pixelwright:` + JSON in ASCII (non-ASCII
 * characters as JSON \u escapes, as the GIF spec asks for 7-bit comment text). The frames and
 * every other block are copied byte for byte; an earlier Pixelwright comment is dropped.
 */
import { ascii, concat, latin1 } from '../../shared/bytes';
import { RECORD_KEY } from '../record';
import { damagedIn } from './error';

const PREFIX = `${RECORD_KEY}:`;

interface Block {
  readonly start: number;
  readonly end: number;
  /** A comment's text (its sub-blocks joined), for comment extensions. */
  readonly comment?: string;
}

/** Where the blocks start: after the header, the screen descriptor and the global colour table. */
function blocksStart(b: Uint8Array): number {
  if (b.length < 13) damagedIn('GIF')('the file ends in its header');
  const packed = b[10];
  return 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);
}

/** Sub-blocks from `pos` to their terminator; returns the offset after it. */
function skipSubBlocks(b: Uint8Array, pos: number, onDamage?: (why: string) => never, collect?: string[]): number {
  for (;;) {
    if (pos >= b.length) {
      onDamage?.('the file ends inside a block');
      return -1;
    }
    const size = b[pos];
    if (size === 0) return pos + 1;
    if (pos + 1 + size > b.length) {
      onDamage?.('the file ends inside a block');
      return -1;
    }
    collect?.push(latin1(b, pos + 1, pos + 1 + size));
    pos += 1 + size;
  }
}

/** The blocks up to the trailer; a strict walk (with onDamage) throws on damage, a tolerant one stops. */
function gifBlocks(b: Uint8Array, onDamage?: (why: string) => never): Block[] {
  const blocks: Block[] = [];
  let pos = blocksStart(b);
  while (pos < b.length) {
    const start = pos;
    const kind = b[pos];
    if (kind === 0x3b) return blocks;
    if (kind === 0x21) {
      const label = b[pos + 1];
      const parts: string[] = [];
      const end = skipSubBlocks(b, pos + 2, onDamage, label === 0xfe ? parts : undefined);
      if (end < 0) return blocks;
      blocks.push({ start, end, comment: label === 0xfe ? parts.join('') : undefined });
      pos = end;
    } else if (kind === 0x2c) {
      if (pos + 10 > b.length) {
        onDamage?.('the file ends in an image descriptor');
        return blocks;
      }
      const packed = b[pos + 9];
      const afterTable = pos + 10 + (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);
      // The LZW minimum code size, then the image data's sub-blocks.
      const end = skipSubBlocks(b, afterTable + 1, onDamage);
      if (end < 0) return blocks;
      blocks.push({ start, end });
      pos = end;
    } else {
      onDamage?.(`unexpected byte 0x${kind.toString(16)} at offset ${pos}`);
      return blocks;
    }
  }
  onDamage?.('the file has no trailer');
  return blocks;
}

function commentBlock(text: string): Uint8Array {
  const bytes = ascii(text);
  const parts: Uint8Array[] = [new Uint8Array([0x21, 0xfe])];
  for (let i = 0; i < bytes.length; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(new Uint8Array([chunk.length]), chunk);
  }
  parts.push(new Uint8Array([0]));
  return concat(parts);
}

/** `bytes` (a GIF) with the record's JSON in a comment, any earlier Pixelwright comment dropped. */
export function withGifRecord(bytes: Uint8Array, json: string): Uint8Array {
  const blocks = gifBlocks(bytes, damagedIn('GIF'));
  const start = blocksStart(bytes);
  const asciiJson = json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const parts: Uint8Array[] = [bytes.subarray(0, start), commentBlock(PREFIX + asciiJson)];
  let pos = start;
  for (const blk of blocks) {
    if (blk.comment?.startsWith(PREFIX)) {
      parts.push(bytes.subarray(pos, blk.start));
      pos = blk.end;
    }
  }
  parts.push(bytes.subarray(pos));
  return concat(parts);
}

/** The record texts in a GIF's comments (tolerant: damage ends the walk). */
export function* gifRecordTexts(bytes: Uint8Array): Generator<string> {
  for (const blk of gifBlocks(bytes)) if (blk.comment?.startsWith(PREFIX)) yield blk.comment.slice(PREFIX.length);
}
