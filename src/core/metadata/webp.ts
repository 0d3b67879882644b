/**
 * WebP RIFF chunk container: an `XMP ` chunk in the extended format (a simple VP8/VP8L file is
 * turned into VP8X first: canvas size from the bitstream header, alpha flag kept), and read back.
 * The bitstreams and every other chunk are copied byte for byte.
 */
import { ascii, concat, le32, utf8Bytes, utf8Text } from '../../shared/bytes';
import { vp8lInfo, vp8Size, webpChunks, type RiffChunk } from '../../shared/imageFormat';
import { damagedIn, MetadataError } from './error';

const VP8X_XMP = 0x04;
const VP8X_EXIF = 0x08;
const VP8X_ALPHA = 0x10;
const VP8X_ICC = 0x20;

function riffChunk(fourcc: string, data: Uint8Array): Uint8Array {
  return concat([ascii(fourcc), le32(data.length), data, new Uint8Array(data.length & 1)]);
}

/**
 * A copy of the WebP (made extended if it was simple) with one `XMP ` chunk holding
 * `packetFor(existing)`, where `existing` is the packet already there (undefined when there is
 * none or it is not UTF-8). The chunk goes where the old one was, else after the image data and
 * EXIF. Throws a {@link MetadataError} for a damaged or truncated file.
 */
export function withWebpXmp(b: Uint8Array, packetFor: (existing: string | undefined) => string): Uint8Array {
  const { chunks, riffEnd } = webpChunks(b, damagedIn('WebP'));
  const first = chunks[0];
  if (!first) throw new MetadataError('Damaged WebP: the file holds no chunks.');

  let vp8x: Uint8Array;
  let rest: RiffChunk[];
  if (first.fourcc === 'VP8X') {
    if (first.size < 10) throw new MetadataError('Damaged WebP: the VP8X chunk is too short.');
    vp8x = Uint8Array.from(b.subarray(first.data, first.data + first.size)); // a copy: the input stays as it was
    rest = chunks.slice(1);
  } else if (first.fourcc === 'VP8 ' || first.fourcc === 'VP8L') {
    // Simple format: make it extended, with the canvas size of the one frame.
    let size: { width: number; height: number } | undefined;
    let alpha = false;
    if (first.fourcc === 'VP8 ') size = vp8Size(b, first);
    else {
      const info = vp8lInfo(b, first);
      size = info;
      alpha = !!info?.alpha;
    }
    if (!size || size.width === 0 || size.height === 0) throw new MetadataError(`Damaged WebP: unreadable ${first.fourcc.trim()} bitstream header.`);
    alpha ||= chunks.some((c) => c.fourcc === 'ALPH');
    vp8x = new Uint8Array(10);
    vp8x[0] = (alpha ? VP8X_ALPHA : 0) | (chunks.some((c) => c.fourcc === 'EXIF') ? VP8X_EXIF : 0) | (chunks.some((c) => c.fourcc === 'ICCP') ? VP8X_ICC : 0);
    const w = size.width - 1;
    const h = size.height - 1;
    vp8x.set([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff], 4);
    rest = chunks;
  } else {
    throw new MetadataError(`Cannot store the generation record in this WebP file: unexpected first chunk ${JSON.stringify(first.fourcc)}.`);
  }
  if (!rest.some((c) => c.fourcc === 'VP8 ' || c.fourcc === 'VP8L' || c.fourcc === 'ANMF')) {
    throw new MetadataError('Damaged WebP: there is no image data.');
  }
  vp8x[0] |= VP8X_XMP;

  const oldXmp = rest.find((c) => c.fourcc === 'XMP ');
  const existing = oldXmp ? utf8Text(b.subarray(oldXmp.data, oldXmp.data + oldXmp.size)) : undefined;
  // A RIFF chunk may hold up to 4 GB: no need to shorten the packet here.
  const xmp = riffChunk('XMP ', utf8Bytes(packetFor(existing)));

  const kept = rest.filter((c) => c.fourcc !== 'XMP ');
  // The XMP chunk goes where the old one was, else after the image data and EXIF.
  let insertAt = kept.length;
  if (oldXmp) insertAt = kept.filter((c) => c.start < oldXmp.start).length;
  else {
    const last = kept.reduce((at, c, i) => (['VP8 ', 'VP8L', 'ALPH', 'ANMF', 'EXIF'].includes(c.fourcc) ? i : at), -1);
    if (last >= 0) insertAt = last + 1;
  }
  const body: Uint8Array[] = [riffChunk('VP8X', vp8x)];
  kept.forEach((c, i) => {
    if (i === insertAt) body.push(xmp);
    body.push(riffChunk(c.fourcc, b.subarray(c.data, c.data + c.size)));
  });
  if (insertAt === kept.length) body.push(xmp);

  const riffSize = 4 + body.reduce((n, p) => n + p.length, 0);
  if (riffSize > 0xfffffff6) throw new MetadataError('The WebP file would become too large.');
  return concat([ascii('RIFF'), le32(riffSize), ascii('WEBP'), ...body, b.subarray(riffEnd)]);
}

/** The UTF-8 packets of the `XMP ` chunks, in file order, read up to the first damage. */
export function* webpXmpPackets(b: Uint8Array): Generator<string> {
  for (const c of webpChunks(b).chunks) {
    if (c.fourcc !== 'XMP ') continue;
    const packet = utf8Text(b.subarray(c.data, c.data + c.size));
    if (packet !== undefined) yield packet;
  }
}
