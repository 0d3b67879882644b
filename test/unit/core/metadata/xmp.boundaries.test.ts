// The XMP packet that carries the record in JPEG and WebP (src/core/metadata/xmp.ts), as other
// tools write it (found by mutation testing): character references, CDATA, pretty-printing, a
// record left behind in any of its forms, and an RDF closing tag with a space in it.
import * as assert from 'assert';
import { readRecord, readRecordText } from '../../../../src/core/metadata';
import { recordTexts, XMP_NAMESPACE, xmpPacket } from '../../../../src/core/metadata/xmp';
import { type GenerationRecord } from '../../../../src/core/record';
import { sampleRecord } from './sampleRecord';

const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

const record: GenerationRecord = sampleRecord;
const json = JSON.stringify(record);

/** A packet as another tool writes it: `inner` inside rdf:RDF, then `close`. */
const packetOf = (inner: string, close = '</rdf:RDF>') => `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF_NS}">${inner}${close}</x:xmpmeta>`;
/** A Description binding prefix `pw` to the record namespace, holding `body`. */
const described = (body: string, attrs = '') => `<rdf:Description rdf:about="" xmlns:pw="${XMP_NAMESPACE}"${attrs}>${body}</rdf:Description>`;
const TITLE = '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Kept</dc:title></rdf:Description>';

/** A minimal whole JPEG with `packet` in its XMP APP1 segment. */
function jpegWith(packet: string): Buffer {
  const body = Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(packet, 'utf8')]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 63, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, sos, Buffer.from([0x12, 0x34, 0xff, 0xd9])]);
}

suite('XMP packet: reading the record as other tools write it', () => {
  test('character references, decimal and hexadecimal, of any length, and the five named entities', () => {
    const text = '{&#34;v&#34;:1,&#x22;prompt&#x22;:&quot;otter &#x1F9A6; &#129446; it&apos;s &lt;b&gt; &amp; co&quot;}';
    assert.deepStrictEqual([...recordTexts(packetOf(described(`<pw:record>${text}</pw:record>`)))], ['{"v":1,"prompt":"otter \u{1F9A6} \u{1F9A6} it\'s <b> & co"}']);
    // the same record, every quote as a reference, reads back whole from a JPEG
    const refs = json.replace(/"/g, (_, i: number) => (i % 2 ? '&#x22;' : '&#34;'));
    assert.deepStrictEqual(readRecord(jpegWith(packetOf(described(`<pw:record>${refs}</pw:record>`)))), record);
  });

  test('a record in CDATA is taken as it is, with or without white space around it', () => {
    const raw = '{"v":1,"prompt":"salt &amp; <pepper>"}';
    for (const [inside, name] of [[`<![CDATA[${raw}]]>`, 'bare'], [`\n   <![CDATA[${raw}]]>\n  `, 'pretty-printed']]) {
      assert.deepStrictEqual([...recordTexts(packetOf(described(`<pw:record>${inside}</pw:record>`)))], [raw], name);
    }
    assert.deepStrictEqual(readRecord(jpegWith(packetOf(described(`<pw:record>\n <![CDATA[${json}]]> </pw:record>`)))), record);
  });

  test('CDATA with text beside it is not a record on its own (the text is part of the value)', () => {
    for (const inside of [`x<![CDATA[${json}]]>`, `<![CDATA[${json}]]>x`]) {
      assert.strictEqual(readRecord(jpegWith(packetOf(described(`<pw:record>${inside}</pw:record>`)))), undefined, inside.slice(0, 12));
    }
  });

  test('the texts come trimmed, the element before the attribute, and nothing else', () => {
    const pretty = packetOf(described(`\n  <pw:record>\n    ${json}\n  </pw:record>\n`));
    assert.deepStrictEqual([...recordTexts(pretty)], [json]);
    assert.strictEqual(readRecordText(jpegWith(pretty)), json, 'the text shown for a recipe is the JSON alone');
    const both = packetOf(described(`<pw:record>first</pw:record>`, ` pw:record=" second "`));
    assert.deepStrictEqual([...recordTexts(both)], ['first', 'second']);
    assert.deepStrictEqual([...recordTexts(packetOf(TITLE))], [], 'a packet without the namespace holds no text');
  });
});

suite('XMP packet: merging takes every older record out', () => {
  const other = { ...record, prompt: 'the new one' };
  const newJson = JSON.stringify(other);

  test('two Descriptions this module wrote are both taken out; the foreign one is kept as it was', () => {
    const ours = xmpPacket(undefined, json).match(/<rdf:Description[\s\S]*?<\/rdf:Description>\n /)![0];
    const twice = packetOf(ours + TITLE + ours);
    assert.strictEqual(twice.split('<pixelwright:record>').length, 3, 'the packet holds two records');
    assert.strictEqual(xmpPacket(twice, newJson), xmpPacket(packetOf(TITLE), newJson));
  });

  test('the record as an element, an empty element or an attribute, twice each, goes; everything else stays', () => {
    const stale = packetOf(
      described('<dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">A</dc:title> <pw:record>old 1</pw:record> <pw:record/>', ' pw:record="old 2"') +
        described('<pw:record xml:lang="en">old 3</pw:record> <pw:record />', " pw:record='old 4'"),
    );
    const clean = packetOf(described('<dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">A</dc:title>') + described(''));
    const merged = xmpPacket(stale, newJson);
    assert.strictEqual(merged, xmpPacket(clean, newJson));
    assert.deepStrictEqual([...recordTexts(merged)], [newJson]);
    assert.deepStrictEqual(readRecord(jpegWith(merged)), other);
  });

  test('a closing </rdf:RDF > with a space is still RDF: the foreign packet is kept', () => {
    const foreign = packetOf(TITLE, '</rdf:RDF >');
    const merged = xmpPacket(foreign, json);
    assert.ok(merged.startsWith(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="${RDF_NS}">${TITLE}<rdf:Description`), merged);
    assert.ok(merged.endsWith('</rdf:Description>\n </rdf:RDF ></x:xmpmeta>'), merged);
    assert.deepStrictEqual([...recordTexts(merged)], [json]);
  });
});
