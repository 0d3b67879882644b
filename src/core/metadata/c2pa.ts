/**
 * Whether an image carries C2PA content credentials (a manifest store that signs a hash of the
 * file's bytes). Adding anything to such a file (our iTXt or XMP recipe) changes the hashed bytes
 * and breaks the credentials, so the recipe of such an image goes into a sidecar file instead
 * (core/sidecar.ts). Where C2PA 2.x puts its manifest store:
 *  - PNG: a `caBX` chunk;
 *  - JPEG: APP11 segments holding JUMBF (common identifier "JP", a `jumb` superbox labelled `c2pa`);
 *  - WebP: a `C2PA` RIFF chunk.
 * Detection only (the signature is not verified): whatever claims to be credentials is left alone.
 */
import { latin1, startsWith, ascii } from '../../shared/bytes';
import { detectImageFormat, jpegSegments, PNG_SIGNATURE, webpChunks } from '../../shared/imageFormat';
import { u32be } from '../../shared/bytes';

const JP = ascii('JP');
const JUMB = ascii('jumb');
const C2PA = ascii('c2pa');

function contains(b: Uint8Array, from: number, to: number, needle: Uint8Array): boolean {
  outer: for (let i = from; i + needle.length <= to; i++) {
    for (let j = 0; j < needle.length; j++) if (b[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** True when the PNG, JPEG or WebP holds a C2PA manifest store. Never throws. */
export function hasContentCredentials(b: Uint8Array): boolean {
  try {
    switch (detectImageFormat(b)) {
      case 'png': {
        let pos = PNG_SIGNATURE.length;
        while (pos + 12 <= b.length) {
          const length = u32be(b, pos);
          const type = latin1(b, pos + 4, pos + 8);
          if (type === 'caBX') return true;
          if (type === 'IEND' || length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) return false;
          pos += 12 + length;
        }
        return false;
      }
      case 'jpeg':
        return jpegSegments(b).segments.some(
          (s) => s.marker === 0xeb && s.end - s.payload > 8 && startsWith(b, s.payload, JP) && contains(b, s.payload, Math.min(s.end, s.payload + 64), JUMB) && contains(b, s.payload, Math.min(s.end, s.payload + 128), C2PA),
        );
      case 'webp':
        return webpChunks(b).chunks.some((c) => c.fourcc === 'C2PA');
      default:
        return false;
    }
  } catch {
    return false;
  }
}
