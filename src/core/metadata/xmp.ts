/**
 * The record inside an XMP packet (JPEG APP1 and WebP `XMP ` chunk): `<pixelwright:record>`
 * holding the record's JSON (XML-escaped) in namespace {@link XMP_NAMESPACE}. A foreign packet is
 * kept: the record is merged into it (and an older record taken out of it). Text only: the
 * containers (jpeg.ts, webp.ts) carry the packet, the record codec (../metadata.ts) makes and
 * checks the JSON.
 */
import { RECORD_KEY } from '../record';

/** The XMP namespace of the `pixelwright:record` property (JPEG and WebP). */
export const XMP_NAMESPACE = 'https://pixelwright.dev/ns/1.0/';

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
export function xmpPacket(existing: string | undefined, json: string): string {
  // A packet that is not RDF is of no use to anyone: it is replaced.
  for (const packet of existing === undefined ? [EMPTY_PACKET] : [withoutRecord(existing), EMPTY_PACKET]) {
    const close = /<\/([A-Za-z_][\w.-]*):RDF\s*>/.exec(packet);
    if (close && prefixesFor(packet, RDF_NS).includes(close[1])) {
      return packet.slice(0, close.index) + recordInsert(close[1], json) + packet.slice(close.index);
    }
  }
  throw new Error('unreachable: EMPTY_PACKET is RDF');
}

/** The texts of the record properties in a packet (element or attribute), unescaped, in the order to try them. */
export function* recordTexts(packet: string): Generator<string> {
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
    for (const c of candidates) yield c.trim();
  }
}
