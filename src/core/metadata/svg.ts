/**
 * SVG container: the record goes into the document's own `<metadata>` element, as RDF (the
 * same `pixelwright:record` property, namespace XMP_NAMESPACE, that JPEG and WebP carry in XMP),
 * as the first child of the root `<svg>`. The drawing itself is left as it is, byte for byte;
 * an earlier Pixelwright metadata element is replaced. Text only (UTF-8).
 */
import { utf8Bytes, utf8Text } from '../../shared/bytes';
import { RECORD_KEY } from '../record';
import { MetadataError } from './error';
import { recordTexts, XMP_NAMESPACE } from './xmp';

const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
/** The id of the metadata element Pixelwright writes (and replaces). */
const ELEMENT_ID = 'pixelwright-recipe';

/** What may come before the root element: a BOM, the XML declaration, processing instructions, comments, a doctype. */
const PROLOG = /^\uFEFF?(?:\s*(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>))*\s*/i;
/** The root element's start tag: `<svg`, attributes (quoted values may hold `>`), `>` or `/>`. */
const ROOT_TAG = /<svg(?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*\s*(\/?)>/iy;
/** The element this module writes, whole (its JSON is escaped: it holds no `<`). */
const OURS = new RegExp(`<metadata\\s+id="${ELEMENT_ID}"\\s*>[\\s\\S]*?</metadata>`, 'g');

function xmlEscapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string);
}

function svgText(bytes: Uint8Array): string {
  const text = utf8Text(bytes);
  if (text === undefined) throw new MetadataError('Cannot store the generation record: the SVG is not UTF-8 text.');
  return text;
}

/** `bytes` (an SVG document) with the record's JSON in its metadata, any earlier one replaced. */
export function withSvgRecord(bytes: Uint8Array, json: string): Uint8Array {
  const text = svgText(bytes).replace(OURS, '');
  ROOT_TAG.lastIndex = PROLOG.exec(text)![0].length;
  const root = ROOT_TAG.exec(text);
  if (!root) throw new MetadataError('Cannot store the generation record: the SVG has no <svg> element.');
  const element =
    `<metadata id="${ELEMENT_ID}"><rdf:RDF xmlns:rdf="${RDF_NS}"><rdf:Description rdf:about="" xmlns:${RECORD_KEY}="${XMP_NAMESPACE}">` +
    `<${RECORD_KEY}:record>${xmlEscapeText(json)}</${RECORD_KEY}:record></rdf:Description></rdf:RDF></metadata>`;
  const end = root.index + root[0].length;
  // <svg .../> has no children: it is opened to hold the metadata.
  const out = root[1] ? `${text.slice(0, end - 2).trimEnd()}>${element}</svg>${text.slice(end)}` : `${text.slice(0, end)}${element}${text.slice(end)}`;
  return utf8Bytes(out);
}

/** The record texts in an SVG document (any `pixelwright:record` bound to the namespace), to try in order. */
export function svgRecordTexts(bytes: Uint8Array): Iterable<string> {
  const text = utf8Text(bytes);
  return text === undefined ? [] : recordTexts(text);
}
