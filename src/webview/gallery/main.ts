/**
 * Entry of the gallery webview (bundled to dist/webview/gallery.js). Says `ready`, builds the UI on
 * `init`, and routes the host's messages to it. The host is the extension, but its messages are
 * still checked for shape before use.
 */
import { isNum, isObj, isStr } from '../../shared/guards';
import { isThumbSize, thumbSizeFor, type FromGallery, type GalleryFirstScreen, type GalleryItem, type GalleryItemsMessage, type GalleryReplyMessage, type GalleryThumb, type GalleryThumbMessage, type ToGallery } from '../../shared/galleryProtocol';
import { isReplyEnvelope } from '../../shared/webviewMessages';
import { GalleryApp, type UiState } from './app';
import { connect, mountPoint } from '../common/bootstrap';

let app: GalleryApp | undefined;
/** Items that came before init (should not happen; kept rather than lost). */
let early: GalleryItemsMessage | undefined;


function isItem(v: unknown): v is GalleryItem {
  return (
    isObj(v) &&
    isStr(v.id) &&
    isStr(v.rev) &&
    isStr(v.name) &&
    isStr(v.prompt) &&
    isStr(v.model) &&
    isStr(v.createdAt) &&
    isStr(v.when) &&
    (v.operation === 'generate' || v.operation === 'edit' || v.operation === 'variation') &&
    (v.width === undefined || isNum(v.width)) &&
    (v.height === undefined || isNum(v.height))
  );
}

function isThumb(v: unknown): v is GalleryThumb {
  return (
    isObj(v) &&
    isStr(v.id) &&
    isStr(v.rev) &&
    (v.bytes === undefined || v.bytes instanceof Uint8Array) &&
    (v.mime === undefined || isStr(v.mime)) &&
    (v.size === undefined || isThumbSize(v.size))
  );
}

function isFirst(v: unknown): v is GalleryFirstScreen {
  return (
    isObj(v) &&
    Array.isArray(v.items) &&
    v.items.every(isItem) &&
    isNum(v.total) &&
    typeof v.scanning === 'boolean' &&
    (v.noWorkspace === undefined || typeof v.noWorkspace === 'boolean') &&
    Array.isArray(v.thumbs) &&
    v.thumbs.every(isThumb)
  );
}

/** The host's message, when it has the shape its type promises. */
function parse(v: unknown): ToGallery | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'init':
      if (!isObj(v.strings) || !isStr(v.locale) || (v.first !== undefined && !isFirst(v.first))) return undefined;
      return { type: 'init', strings: v.strings as Record<string, string>, locale: v.locale, first: v.first };
    case 'first':
      return isFirst(v.first) ? { type: 'first', first: v.first } : undefined;
    case 'items':
      return Array.isArray(v.items) && v.items.every(isItem) && typeof v.scanning === 'boolean' ? (v as unknown as GalleryItemsMessage) : undefined;
    case 'thumbs':
      return Array.isArray(v.items) && v.items.every(isThumb) ? (v as unknown as GalleryThumbMessage) : undefined;
    case 'reply':
      return isReplyEnvelope(v) && (v.notice === undefined || isStr(v.notice)) && (v.details === undefined || isObj(v.details))
        ? (v as unknown as GalleryReplyMessage)
        : undefined;
    default:
      return undefined;
  }
}

const host = connect<ToGallery, FromGallery, UiState>(parse, {
  init: (m) => {
    if (!app) app = new GalleryApp(host, mountPoint(), thumbSize);
    // the first screen (its images and the thumbnails at hand) comes with init; the whole list follows
    if (m.first) app.onFirst(m.first);
    if (early) app.onItems(early);
    early = undefined;
  },
  first: (m) => app?.onFirst(m.first),
  items: (m) => {
    if (app) app.onItems(m);
    else early = m;
  },
  thumbs: (m) => app?.onThumbs(m),
});

// At the top of the unfiltered list, the host sends the first screen's thumbnails with the list.
const saved = host.getState();
const atTop = !(typeof saved.scrollTop === 'number' && saved.scrollTop > 0) && !saved.filter;
const thumbSize = thumbSizeFor(window.innerWidth, window.devicePixelRatio);
host.post(atTop ? { type: 'ready', view: { width: Math.round(window.innerWidth), height: Math.round(window.innerHeight) }, thumbSize } : { type: 'ready', thumbSize });
