// The SVG container (src/core/metadata/svg.ts): the metadata element as the root's first child
// (a self-closing root opened to hold it), the drawing kept character for character, a second
// record replacing the first, and the two refusals a user can meet (not UTF-8, no <svg> element).
import * as assert from 'assert';
import { embedRecord, MetadataError, readRecord, readRecordText } from '../../../../src/core/metadata';
import { type GenerationRecord, RECORD_KEY } from '../../../../src/core/record';
import { XMP_NAMESPACE } from '../../../../src/core/metadata/xmp';
import { sampleRecord } from './sampleRecord';

const record: GenerationRecord = sampleRecord;
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const element = (r: object) =>
  `<metadata id="pixelwright-recipe"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:${RECORD_KEY}="${XMP_NAMESPACE}">` +
  `<${RECORD_KEY}:record>${JSON.stringify(r).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</${RECORD_KEY}:record></rdf:Description></rdf:RDF></metadata>`;
const refused = (bytes: Buffer, why: RegExp) => assert.throws(() => embedRecord(bytes, record), (e: unknown) => e instanceof MetadataError && why.test(e.message));

suite('SVG container', () => {
  test('the metadata goes right after the root start tag; everything else stays as it was', () => {
    const before = '<?xml version="1.0"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">\n  <rect width="4" height="4"/>\n</svg>\n';
    const out = text(embedRecord(Buffer.from(before), record));
    const at = before.indexOf('>', before.indexOf('<svg')) + 1;
    assert.strictEqual(out, before.slice(0, at) + element(record) + before.slice(at));
    assert.deepStrictEqual(readRecord(Buffer.from(out)), record);
  });

  test('a self-closing root is opened to hold it', () => {
    const out = text(embedRecord(Buffer.from('\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" />\n'), record));
    assert.strictEqual(out, `\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">${element(record)}</svg>\n`);
  });

  test('a second record replaces the first: the file is as if the first had never been written', () => {
    const before = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><desc>a & b</desc></svg>');
    const second = { ...record, prompt: 'the <second> one & more' };
    const twice = text(embedRecord(embedRecord(before, record), second));
    assert.strictEqual(twice, text(embedRecord(before, second)));
    assert.deepStrictEqual(readRecord(Buffer.from(twice)), second);
  });

  test('refusals: text that is not UTF-8, a root start tag that is no XML', () => {
    refused(Buffer.concat([Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><desc>'), Buffer.from([0xff, 0xfe]), Buffer.from('</desc></svg>')]), /^Cannot store the generation record: the SVG is not UTF-8 text\.$/);
    refused(Buffer.from('<svg width=4 height=4></svg>'), /^Cannot store the generation record: the SVG has no <svg> element\.$/);
  });

  test('reading an SVG that is not UTF-8 finds no record text', () => {
    const bytes = Buffer.concat([Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${element(record)}<desc>`), Buffer.from([0xff]), Buffer.from('</desc></svg>')]);
    assert.strictEqual(readRecordText(bytes), undefined);
    assert.strictEqual(readRecord(bytes), undefined);
  });
});
