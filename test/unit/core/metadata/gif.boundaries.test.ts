// The GIF container (src/core/metadata/gif.ts) on files built block by block here: colour tables
// skipped, frames and foreign blocks kept byte for byte, only Pixelwright comments read and
// replaced, comment text split at 255 bytes and kept ASCII, and damage named by a strict walk
// (writing) while a tolerant one (reading) keeps what it found before it.
import * as assert from 'assert';
import { embedRecord, MetadataError, readRecord } from '../../../../src/core/metadata';
import { type GenerationRecord, RECORD_KEY } from '../../../../src/core/record';
import { sampleRecord } from './sampleRecord';

const record: GenerationRecord = sampleRecord;
const PREFIX = `${RECORD_KEY}:`;

/** Header and logical screen descriptor (2x2), with a global colour table of 2^(bits) entries when given. */
function header(tableBits?: number): Buffer {
  const packed = tableBits === undefined ? 0 : 0x80 | (tableBits - 1);
  const table = tableBits === undefined ? Buffer.alloc(0) : Buffer.alloc(3 * 2 ** tableBits, 0x77);
  return Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([2, 0, 2, 0, packed, 0, 0]), table]);
}
/** Data as sub-blocks (at most 255 bytes each) and their terminator. */
function subBlocks(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += 255) {
    const c = data.subarray(i, i + 255);
    parts.push(Buffer.from([c.length]), c);
  }
  return Buffer.concat([...parts, Buffer.from([0])]);
}
const extension = (label: number, data: Buffer) => Buffer.concat([Buffer.from([0x21, label]), subBlocks(data)]);
const comment = (text: string) => extension(0xfe, Buffer.from(text, 'latin1'));
const ours = (r: object = record) => comment(PREFIX + JSON.stringify(r));
/** An image descriptor (2x2), a local colour table of 2^(bits) entries when given, and its data. */
function image(tableBits?: number, data = Buffer.from([0x84, 0x1d, 0x81, 0x7a, 0x50])): Buffer {
  const packed = tableBits === undefined ? 0 : 0x80 | (tableBits - 1);
  const table = tableBits === undefined ? Buffer.alloc(0) : Buffer.alloc(3 * 2 ** tableBits, 0x2c);
  return Buffer.concat([Buffer.from([0x2c, 0, 0, 0, 0, 2, 0, 2, 0, packed]), table, Buffer.from([2]), subBlocks(data)]);
}
const TRAILER = Buffer.from([0x3b]);
const gif = (...parts: Buffer[]) => Buffer.concat(parts);

function damage(bytes: Buffer, why: RegExp): void {
  assert.throws(
    () => embedRecord(bytes, record),
    (e: unknown) => e instanceof MetadataError && why.test(e.message),
  );
}

suite('GIF container: where the record goes and what stays', () => {
  test('the record comes right after the colour table; local colour tables are skipped; frames stay byte for byte', () => {
    // 0x2c-filled tables: a walk that did not skip one would take its bytes for image descriptors
    const head = header(2);
    const body = gif(image(3), extension(0xf9, Buffer.from([0, 0, 0, 0])), image(1), TRAILER);
    const out = Buffer.from(embedRecord(gif(head, body), record));
    const added = ours();
    assert.deepStrictEqual(out, gif(head, added, body));
    assert.deepStrictEqual(readRecord(out), record);
  });

  test('a record comment after the frames (another tool\'s order) is read; writing puts the new one first and removes the old one', () => {
    const head = header(1);
    const older = { ...record, prompt: 'older' };
    const file = gif(head, image(), comment('a foreign comment'), ours(older), image(2), TRAILER);
    assert.deepStrictEqual(readRecord(file), older);
    const out = Buffer.from(embedRecord(file, record));
    assert.deepStrictEqual(out, gif(head, ours(), image(), comment('a foreign comment'), image(2), TRAILER), 'the old record is gone, every other block kept');
    assert.deepStrictEqual(readRecord(out), record);
  });

  test('only comment extensions hold records: the same text in an application or plain-text extension is neither read nor dropped', () => {
    const app = extension(0xff, Buffer.from(PREFIX + JSON.stringify(record), 'latin1'));
    const text = extension(0x01, Buffer.from(PREFIX + JSON.stringify(record), 'latin1'));
    const file = gif(header(), app, image(), text, TRAILER);
    assert.strictEqual(readRecord(file), undefined);
    const out = Buffer.from(embedRecord(file, { ...record, prompt: 'new' }));
    assert.deepStrictEqual(out, gif(header(), ours({ ...record, prompt: 'new' }), app, image(), text, TRAILER));
  });

  test('non-ASCII text is stored as \\u escapes of four hex digits (é as \\u00e9) and reads back', () => {
    const r = { ...record, prompt: 'café au lait, 雨の日' };
    const out = Buffer.from(embedRecord(gif(header(), image(), TRAILER), r));
    const escaped = JSON.stringify(r).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    assert.ok(escaped.includes('caf\\u00e9') && escaped.includes('\\u96e8'));
    assert.deepStrictEqual(out, gif(header(), comment(PREFIX + escaped), image(), TRAILER), 'the comment is 7-bit');
    assert.deepStrictEqual(readRecord(out), r);
  });

  test('comment text of 509 to 511 bytes (around two full sub-blocks) reads back and can be replaced', () => {
    const base = PREFIX.length + JSON.stringify({ ...record, prompt: '' }).length;
    for (const total of [509, 510, 511]) {
      const r = { ...record, prompt: 'x'.repeat(total - base) };
      assert.strictEqual(PREFIX.length + JSON.stringify(r).length, total);
      const out = Buffer.from(embedRecord(gif(header(), image(), TRAILER), r));
      assert.deepStrictEqual(out, gif(header(), ours(r), image(), TRAILER), `${total} bytes`);
      assert.deepStrictEqual(readRecord(out), r, `${total} bytes`);
      assert.deepStrictEqual(readRecord(embedRecord(out, record)), record, `${total} bytes, replaced`);
    }
  });
});

suite('GIF container: damage', () => {
  test('writing names where the file is damaged', () => {
    const head = header();
    damage(head.subarray(0, 12), /^Damaged GIF: the file ends in its header\.$/);
    damage(head, /^Damaged GIF: the file has no trailer\.$/);
    assert.ok(readRecord(embedRecord(gif(head, TRAILER), record)), 'header, screen and trailer are enough');
    damage(gif(head, image()), /^Damaged GIF: the file has no trailer\.$/);
    damage(gif(head, Buffer.from([0x99])), /^Damaged GIF: unexpected byte 0x99 at offset 13\.$/);
    damage(gif(head, image().subarray(0, 9)), /^Damaged GIF: the file ends in an image descriptor\.$/);
    damage(gif(head, image().subarray(0, 10)), /^Damaged GIF: the file ends inside a block\.$/);
    damage(gif(head, Buffer.from([0x21, 0xfe, 3]), Buffer.from('abc')), /^Damaged GIF: the file ends inside a block\.$/);
    damage(gif(head, Buffer.from([0x21, 0xfe, 40]), Buffer.from('abc')), /^Damaged GIF: the file ends inside a block\.$/);
    damage(gif(head, image(undefined, Buffer.alloc(3)).subarray(0, 15)), /^Damaged GIF: the file ends inside a block\.$/);
  });

  test('reading keeps the record found before the damage', () => {
    const before = gif(header(2), ours());
    const cases: Record<string, Buffer> = {
      'no trailer': gif(before, image()),
      'a comment without its terminator': gif(before, Buffer.from([0x21, 0xfe, 3]), Buffer.from('abc')),
      'a sub-block longer than the file': gif(before, Buffer.from([0x21, 0xfe, 40]), Buffer.from('abc')),
      'image data cut short': gif(before, image(undefined, Buffer.alloc(30)).subarray(0, 20)),
      'an image descriptor cut short': gif(before, image().subarray(0, 6)),
      'an unexpected byte': gif(before, Buffer.from([0x99, 0x3b])),
    };
    for (const [name, bytes] of Object.entries(cases)) assert.deepStrictEqual(readRecord(bytes), record, name);
  });
});
