/**
 * JPEG APP segment container: the standard XMP APP1 segment (`http://ns.adobe.com/xap/1.0/\0` +
 * packet), put in after SOI and the leading APP0 (JFIF/JFXX) and APP1 Exif segments, and read
 * back. Every other segment and the scans are copied byte for byte.
 */
import { ascii, concat, startsWith, utf8Bytes, utf8Text } from '../../shared/bytes';
import { jpegSegments, type JpegSegment } from '../../shared/imageFormat';
import { damagedIn, MetadataError } from './error';

/** Largest payload of a JPEG marker segment (the 16-bit length counts its own 2 bytes). */
const JPEG_MAX_PAYLOAD = 65533;

export const XMP_SIGNATURE = ascii('http://ns.adobe.com/xap/1.0/\0');
const EXIF_SIGNATURE = ascii('Exif\0\0');

/** The most UTF-8 bytes an XMP packet can have in its APP1 segment. */
export const JPEG_XMP_ROOM = JPEG_MAX_PAYLOAD - XMP_SIGNATURE.length;

function isXmpSegment(b: Uint8Array, s: JpegSegment): boolean {
  return s.marker === 0xe1 && startsWith(b, s.payload, XMP_SIGNATURE) && XMP_SIGNATURE.length <= s.end - s.payload;
}

/**
 * A copy of the JPEG with one XMP segment holding `packetFor(existing)`, where `existing` is the
 * packet of the first XMP segment already there (undefined when there is none or it is not
 * UTF-8); every earlier XMP segment is dropped. Throws a {@link MetadataError} for a damaged or
 * truncated file and for a packet above {@link JPEG_XMP_ROOM} bytes.
 */
export function withJpegXmp(b: Uint8Array, packetFor: (existing: string | undefined) => string): Uint8Array {
  const { segments, sos } = jpegSegments(b, damagedIn('JPEG'));
  // Entropy-coded data escapes 0xFF as FF 00, so an FF D9 after SOS is the end of the image.
  let hasEoi = false;
  for (let i = b.length - 2; i > sos; i--) {
    if (b[i] === 0xff && b[i + 1] === 0xd9) {
      hasEoi = true;
      break;
    }
  }
  if (!hasEoi) throw new MetadataError('Damaged JPEG: the file is truncated (no end-of-image marker).');

  const xmp = segments.filter((s) => isXmpSegment(b, s));
  // A packet that is not UTF-8 is not usable XMP: it is replaced.
  const existing = xmp.length ? utf8Text(b.subarray(xmp[0].payload + XMP_SIGNATURE.length, xmp[0].end)) : undefined;
  const kept = segments.filter((s) => !isXmpSegment(b, s));
  let insertAt = 0;
  while (
    insertAt < kept.length &&
    (kept[insertAt].marker === 0xe0 || (kept[insertAt].marker === 0xe1 && startsWith(b, kept[insertAt].payload, EXIF_SIGNATURE)))
  ) {
    insertAt++;
  }

  const packet = utf8Bytes(packetFor(existing));
  if (packet.length > JPEG_XMP_ROOM) throw new MetadataError(`The XMP packet (${packet.length} bytes) does not fit in a JPEG APP1 segment (${JPEG_XMP_ROOM} bytes at most).`);
  const length = 2 + XMP_SIGNATURE.length + packet.length;
  const segment = concat([new Uint8Array([0xff, 0xe1, length >>> 8, length & 0xff]), XMP_SIGNATURE, packet]);

  const parts: Uint8Array[] = [b.subarray(0, 2)];
  kept.forEach((s, i) => {
    if (i === insertAt) parts.push(segment);
    parts.push(b.subarray(s.start, s.end));
  });
  if (insertAt === kept.length) parts.push(segment);
  parts.push(b.subarray(sos));
  return concat(parts);
}

/** The UTF-8 packets of the XMP segments before the first scan, in file order, read up to the first damage. */
export function* jpegXmpPackets(b: Uint8Array): Generator<string> {
  for (const s of jpegSegments(b).segments) {
    if (!isXmpSegment(b, s)) continue;
    const packet = utf8Text(b.subarray(s.payload + XMP_SIGNATURE.length, s.end));
    if (packet !== undefined) yield packet;
  }
}
