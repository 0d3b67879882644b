/**
 * Typed messages between the host and the gallery view (pixelwright.gallery), and the pure
 * layout math both sides rely on. One interface per message, split "to webview" / "from webview".
 * Requests carry an `id`; replies carry `inReplyTo` and an optional `error`. Thumbnails travel as
 * Uint8Array, only for the tiles on screen. Every message from the webview is untrusted: the host
 * checks it with {@link parseFromGallery} before acting.
 * No `vscode`, no Node APIs: imported by the host and by the browser bundle.
 */
import { isObj } from './guards';
import type { ReplyEnvelope, RequestEnvelope } from './webviewMessages';

/** One image Pixelwright wrote, as the gallery lists it (no pixels: thumbnails are asked for). */
export interface GalleryItem {
  /** Workspace-relative path (with the folder name first in a multi-root workspace): the item's id. */
  readonly id: string;
  /** Changes whenever the file does (mtime and size): thumbnails are cached under id + rev. */
  readonly rev: string;
  readonly name: string;
  /** The prompt, shortened for labels and tooltips (the details ask for the whole record). */
  readonly prompt: string;
  readonly model: string;
  readonly operation: 'generate' | 'edit' | 'variation';
  /** ISO 8601, from the record. */
  readonly createdAt: string;
  /**
   * createdAt in words, in the UI's language (formatted by the host: the page's first
   * Intl.DateTimeFormat costs it 100 ms or more); empty when the record has no readable date.
   */
  readonly when: string;
  /** Pixel size from the file header, when known. */
  readonly width?: number;
  readonly height?: number;
}

/** The actions a tile offers. */
export const GALLERY_ACTIONS = ['open', 'reveal', 'copyPath', 'insert', 'edit', 'variations', 'runAgain', 'details', 'showRecipe', 'remix', 'rework', 'copyPrompt', 'delete'] as const;
export type GalleryAction = (typeof GALLERY_ACTIONS)[number];

/** The whole record of one image, for "Show prompt and settings". */
export interface GalleryDetails {
  readonly id: string;
  readonly prompt: string;
  readonly revisedPrompt?: string;
  readonly model: string;
  readonly operation: string;
  readonly createdAt: string;
  /** createdAt in words, in the UI's language (see GalleryItem.when). */
  readonly when?: string;
  /** Request options under the API's names (size, quality, output_format...). */
  readonly options: Readonly<Record<string, string | number | boolean>>;
  readonly sources?: readonly string[];
  readonly provider: string;
  readonly tool?: string;
  readonly truncated?: readonly string[];
  readonly width?: number;
  readonly height?: number;
  readonly bytes?: number;
}

// ---- host -> gallery -----------------------------------------------------------------------

export interface GalleryInitMessage {
  readonly type: 'init';
  /** Localized strings for the UI, keyed by English source text. */
  readonly strings: Readonly<Record<string, string>>;
  /** The UI's language (BCP 47). */
  readonly locale: string;
  /**
   * The first screen, when the page said its size: the first images of the list with those of
   * their thumbnails the host has at hand, so that one message paints it. The whole list follows
   * in an `items` message (unless these are all), the other thumbnails as they are ready.
   */
  readonly first?: GalleryFirstScreen;
}

export interface GalleryFirstScreen {
  /** The first images of the list, newest first. */
  readonly items: readonly GalleryItem[];
  /** How many images the whole list has. */
  readonly total: number;
  readonly scanning: boolean;
  readonly noWorkspace?: boolean;
  readonly thumbs: readonly GalleryThumb[];
}

/**
 * The first screen on its own, when the page's `init` came before the list was known (the first
 * scan of a workspace): the page paints it as it would have from `init`, and says `shown`.
 */
export interface GalleryFirstMessage {
  readonly type: 'first';
  readonly first: GalleryFirstScreen;
}

/** The list, newest first; sent whole after every change (cheap: a few hundred bytes per image). */
export interface GalleryItemsMessage {
  readonly type: 'items';
  readonly items: readonly GalleryItem[];
  /** True while the first scan of the workspace is still running. */
  readonly scanning: boolean;
  /** No folder is open: there is nothing to scan. */
  readonly noWorkspace?: boolean;
}

export interface GalleryThumb {
  readonly id: string;
  readonly rev: string;
  /** WebP (or PNG) bytes; absent when no thumbnail could be made. */
  readonly bytes?: Uint8Array;
  readonly mime?: string;
  /** The size it was made at (one of THUMB_SIZES): the page asks again when its tiles need more. */
  readonly size?: number;
}

/**
 * Thumbnails, several per message (each hop of a message costs more than a few KB of bytes): those
 * the webview asked for, and those of the first screen, sent with the list without being asked.
 */
export interface GalleryThumbMessage {
  readonly type: 'thumbs';
  readonly items: readonly GalleryThumb[];
}

/** The answer to an action. */
export interface GalleryReplyMessage extends ReplyEnvelope {
  readonly details?: GalleryDetails;
  /** A short confirmation to announce (e.g. "Copied images/a.png"). */
  readonly notice?: string;
}

export type ToGallery = GalleryInitMessage | GalleryFirstMessage | GalleryItemsMessage | GalleryThumbMessage | GalleryReplyMessage;

// ---- gallery -> host -----------------------------------------------------------------------

export interface GalleryReadyMessage {
  readonly type: 'ready';
  /**
   * The page's size in CSS px, so that the host sends the first screen's thumbnails with the list,
   * unasked. Absent when the page opens elsewhere than at the top of the unfiltered list (restored
   * scroll position or filter): it then asks for what it shows.
   */
  readonly view?: { readonly width: number; readonly height: number };
  /**
   * The thumbnail size the page's tiles need (one of THUMB_SIZES: the tile's width in device
   * pixels, rounded up); absent: the host's last size, else DEFAULT_THUMB_SIZE.
   */
  readonly thumbSize?: number;
}

/** The tiles now on screen (plus a margin), in the order they should be made. */
export interface GalleryThumbsRequest {
  readonly type: 'thumbs';
  readonly items: readonly { readonly id: string; readonly rev: string }[];
  /**
   * The size the tiles need now (one of THUMB_SIZES). When it is not the one the page said before
   * (the sidebar was resized across a size), the host makes that size from then on.
   */
  readonly size?: number;
}

export interface GalleryActionMessage extends RequestEnvelope {
  readonly type: 'action';
  readonly action: GalleryAction;
  readonly item: string;
}

/**
 * The page drew its first screen (every tile on it shows its picture, or has none to show): the
 * host sends the whole list now, not while the first screen's pictures are being decoded.
 */
export interface GalleryShownMessage {
  readonly type: 'shown';
}

export type FromGallery = GalleryReadyMessage | GalleryThumbsRequest | GalleryActionMessage | GalleryShownMessage;

/** At most this many thumbnails per request (a tall view of small tiles shows about 100). */
export const MAX_THUMBS_PER_REQUEST = 400;

// ---- guards (host side: every message is untrusted) ------------------------------------------

const isInt = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096;
const isRev = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64;
/** One of the sizes the host makes (THUMB_SIZES). */
export const isThumbSize = (v: unknown): v is number => (THUMB_SIZES as readonly unknown[]).includes(v);

/** Checks a message from the gallery; undefined when it is not one we accept. */
export function parseFromGallery(v: unknown): FromGallery | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'ready': {
      const { view, thumbSize } = v;
      if (thumbSize !== undefined && !isThumbSize(thumbSize)) return undefined;
      const size = thumbSize === undefined ? {} : { thumbSize };
      if (view === undefined) return { type: 'ready', ...size };
      if (!isObj(view) || !isInt(view.width, 0, 100_000) || !isInt(view.height, 0, 100_000)) return undefined;
      return { type: 'ready', view: { width: view.width as number, height: view.height as number }, ...size };
    }
    case 'thumbs': {
      if (!Array.isArray(v.items) || v.items.length > MAX_THUMBS_PER_REQUEST) return undefined;
      const items: { id: string; rev: string }[] = [];
      for (const i of v.items) {
        if (!isObj(i) || !isId(i.id) || !isRev(i.rev)) return undefined;
        items.push({ id: i.id, rev: i.rev });
      }
      if (v.size === undefined) return { type: 'thumbs', items };
      return isThumbSize(v.size) ? { type: 'thumbs', items, size: v.size } : undefined;
    }
    case 'shown':
      return { type: 'shown' };
    case 'action':
      if (!isInt(v.id, 0, Number.MAX_SAFE_INTEGER) || !isId(v.item) || !(GALLERY_ACTIONS as readonly unknown[]).includes(v.action)) return undefined;
      return { type: 'action', id: v.id as number, action: v.action as GalleryAction, item: v.item };
    default:
      return undefined;
  }
}

// ---- layout (pure; the webview's virtual grid) -----------------------------------------------

/** The grid's measures (px), shared so that the host knows what the first screen shows. */
export const GRID = { minTile: 104, gap: 8, caption: 22, padding: 8, overscanRows: 2 } as const;

/**
 * The thumbnail sizes the host makes (longest side, px). A page asks for the smallest that covers
 * its tiles in device pixels: a side bar's 138 px tiles take 192 px on a 1x screen (decoded faster
 * than 256) and 384 px on a 2x screen (256 would be blurred there). Few sizes, so that resizing
 * the side bar rarely needs new thumbnails.
 */
export const THUMB_SIZES = [128, 192, 256, 384, 512] as const;
/** The size when the page has not said (and none was asked before). */
export const DEFAULT_THUMB_SIZE = 256;

/** The thumbnail size for a page `width` CSS px wide at `devicePixelRatio` (see THUMB_SIZES). */
export function thumbSizeFor(width: number, devicePixelRatio: number): number {
  const { tile } = gridLayout(1, width - GRID.padding * 2, GRID.minTile, GRID.gap, GRID.caption);
  const dpr = Number.isFinite(devicePixelRatio) && devicePixelRatio > 0 ? devicePixelRatio : 1;
  const px = Math.ceil(tile * dpr);
  return THUMB_SIZES.find((s) => s >= px) ?? THUMB_SIZES[THUMB_SIZES.length - 1];
}

/**
 * How many tiles the webview puts in the DOM at the top of the list in a page of this size (the
 * rows on screen and the overscan below them): the thumbnails the host sends unasked.
 */
export function firstScreenCount(width: number, height: number): number {
  const layout = gridLayout(Number.MAX_SAFE_INTEGER, width - GRID.padding * 2, GRID.minTile, GRID.gap, GRID.caption);
  const rows = visibleRows({ rowHeight: layout.rowHeight, rows: 1_000_000 }, -GRID.padding, height, GRID.overscanRows);
  return Math.min(MAX_THUMBS_PER_REQUEST, (rows.end - rows.start) * layout.columns);
}

export interface GridLayout {
  readonly columns: number;
  /** Width of one tile (and of its thumbnail box), px. */
  readonly tile: number;
  /** Height of one row: tile + caption + gap, px. */
  readonly rowHeight: number;
  readonly rows: number;
  /** Height of the whole scrolled content, px. */
  readonly height: number;
}

/**
 * How `count` tiles fit a view `width` px wide: as many columns as tiles of at least `minTile` px
 * fit (at least one), sharing the width; each row is the tile plus `caption` plus `gap`.
 */
export function gridLayout(count: number, width: number, minTile: number, gap: number, caption: number): GridLayout {
  const w = Math.max(0, Math.floor(width));
  const min = Math.max(16, Math.floor(minTile));
  const columns = Math.max(1, Math.floor((w + gap) / (min + gap)));
  const tile = Math.max(16, Math.floor((w - gap * (columns - 1)) / columns));
  const rowHeight = tile + caption + gap;
  const rows = Math.ceil(Math.max(0, count) / columns);
  return { columns, tile, rowHeight, rows, height: rows * rowHeight };
}

/**
 * The rows to put in the DOM for a scroll position: those intersecting the viewport, plus
 * `overscan` rows on each side, clamped to the list. `end` is exclusive; empty when there is nothing.
 */
export function visibleRows(layout: Pick<GridLayout, 'rowHeight' | 'rows'>, scrollTop: number, viewportHeight: number, overscan = 1): { start: number; end: number } {
  if (layout.rows <= 0 || layout.rowHeight <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(layout.rows - 1, Math.floor(top / layout.rowHeight));
  const last = Math.min(layout.rows, Math.ceil((top + Math.max(0, viewportHeight)) / layout.rowHeight));
  return { start: Math.max(0, first - overscan), end: Math.min(layout.rows, Math.max(last, first + 1) + overscan) };
}

/** Item indexes [start, end) shown by rows [start, end). */
export function itemRange(rows: { start: number; end: number }, columns: number, count: number): { start: number; end: number } {
  return { start: Math.min(count, rows.start * columns), end: Math.min(count, rows.end * columns) };
}

/** The scrollTop that brings row `row` fully into a viewport, moving as little as possible. */
export function scrollToShow(row: number, rowHeight: number, scrollTop: number, viewportHeight: number): number {
  const top = row * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/**
 * Where a grid key moves the focus from `index` (of `count` items in `columns` columns):
 * arrows by one tile or one row, Home/End to the row's ends, Ctrl+Home/End to the list's ends,
 * PageUp/PageDown by `pageRows` rows. Undefined for other keys. Never leaves the list.
 */
export function moveFocus(index: number, key: string, columns: number, count: number, pageRows = 1, ctrl = false): number | undefined {
  if (count <= 0) return undefined;
  const i = Math.min(Math.max(0, index), count - 1);
  const clamp = (n: number) => Math.min(count - 1, Math.max(0, n));
  switch (key) {
    case 'ArrowLeft':
      return clamp(i - 1);
    case 'ArrowRight':
      return clamp(i + 1);
    case 'ArrowUp':
      return i - columns >= 0 ? i - columns : i;
    case 'ArrowDown':
      return i + columns < count ? i + columns : Math.floor(i / columns) < Math.floor((count - 1) / columns) ? count - 1 : i;
    case 'Home':
      return ctrl ? 0 : i - (i % columns);
    case 'End':
      return ctrl ? count - 1 : clamp(i - (i % columns) + columns - 1);
    case 'PageUp':
      return clamp(i - columns * Math.max(1, pageRows));
    case 'PageDown':
      return clamp(i + columns * Math.max(1, pageRows));
    default:
      return undefined;
  }
}
